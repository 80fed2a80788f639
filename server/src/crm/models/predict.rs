//! Predictions for one customer from a fitted [`ShopModel`]: probability active, expected
//! orders, the next order, 365-day CLV and one plain-English reason. Pure functions: the
//! caller supplies the summary at its as-of date and adds day offsets to that date.
//!
//! Times are in days (the horizons below are 90 and 365 days).

use super::shop::{Method, ShopModel, TYPICAL_BGNBD_DAYS};
use super::summary::CustomerSummary;

/// The short horizon for expected orders.
pub const SHORT_HORIZON_DAYS: f64 = 90.0;
/// The long horizon for expected orders and CLV.
pub const YEAR_DAYS: f64 = 365.0;

/// What the models say about one customer at the end of observation (the as-of date).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prediction {
    /// Which method produced the numbers.
    pub method: Method,
    /// Probability the customer is still active (BG/NBD P(alive)). The model assumes customers
    /// can only drop out right after a repeat purchase, so this is 1 for one-time customers;
    /// use `probability_order_365d` or the expected orders to rank them.
    pub probability_active: f64,
    /// Expected orders in the next 90 days.
    pub expected_orders_90d: f64,
    /// Expected orders in the next 365 days.
    pub expected_orders_365d: f64,
    /// Probability of at least one order in the next 365 days.
    pub probability_order_365d: f64,
    /// Days from the as-of date to the expected next order: the median time to the next order,
    /// i.e. the day by which the customer has even odds of having ordered again. `None` when
    /// those odds are not reached within 365 days (or the customer has more likely dropped out).
    pub next_order_in_days: Option<f64>,
    /// Expected spend per future order (Gamma-Gamma E[M | x, m_x], in the shop's currency).
    pub expected_order_value: f64,
    /// 365-day customer value: expected orders in 365 days × expected spend per order,
    /// undiscounted, in the currency of the amounts given (net of refunds if they were).
    pub clv_365d: f64,
    /// One sentence with numbers explaining the prediction.
    pub reason: String,
}

/// Predicts one customer's behaviour after the end of observation.
///
/// `customer` must be summarised in days at the same as-of date as the shop's fit (or a later
/// one: the model parameters change slowly). Never panics; every number is finite.
pub fn predict(model: &ShopModel, customer: &CustomerSummary) -> Prediction {
    let Some(bg) = model.bgnbd else {
        return by_cadence(model, customer);
    };
    let (x, t_x, t) = (customer.x, customer.t_x, customer.t);
    let probability_active = finite_or(bg.probability_alive(x, t_x, t), 0.0);
    let expected_orders_90d = finite_or(
        bg.conditional_expected_purchases(SHORT_HORIZON_DAYS, x, t_x, t),
        0.0,
    );
    let expected_orders_365d =
        finite_or(bg.conditional_expected_purchases(YEAR_DAYS, x, t_x, t), 0.0);
    let probability_order_365d =
        finite_or(bg.probability_purchase_within(YEAR_DAYS, x, t_x, t), 0.0);
    let next_order_in_days = bg
        .median_time_to_next_purchase(x, t_x, t)
        .filter(|d| *d <= YEAR_DAYS);
    let expected_order_value = order_value(model, customer);
    let reason = reason(
        model.method,
        customer,
        probability_active,
        probability_order_365d,
        None,
    );
    Prediction {
        method: model.method,
        probability_active,
        expected_orders_90d,
        expected_orders_365d,
        probability_order_365d,
        next_order_in_days,
        expected_order_value,
        clv_365d: expected_orders_365d * expected_order_value,
        reason,
    }
}

/// The cadence heuristic, for when no model could be fitted.
///
/// The gap is the customer's own mean gap between orders, else the shop's median gap, else the
/// typical α/r (120 days). A customer is surely active until one gap has passed since their
/// last order, and each further gap without an order halves that. While active they order once
/// per gap, so the expected orders in h days are P(active)·h/gap, and the next order is due one
/// gap after the last (today if overdue, none once P(active) < 1/2).
fn by_cadence(model: &ShopModel, customer: &CustomerSummary) -> Prediction {
    let own_gap = customer.mean_gap();
    let gap = own_gap
        .or(model.median_gap)
        .filter(|g| g.is_finite() && *g > 0.0)
        .unwrap_or(TYPICAL_BGNBD_DAYS.alpha / TYPICAL_BGNBD_DAYS.r);
    let since = finite_or(customer.since_last(), 0.0);
    let overdue = (since - gap).max(0.0) / gap;
    let probability_active = 0.5_f64.powf(overdue);
    let expected = |h: f64| probability_active * h / gap;
    let probability_order_365d = probability_active * (YEAR_DAYS / gap).min(1.0);
    let next_order_in_days = (probability_active >= 0.5)
        .then(|| (gap - since).max(0.0))
        .filter(|d| *d <= YEAR_DAYS);
    let expected_order_value = order_value(model, customer);
    let expected_orders_365d = expected(YEAR_DAYS);
    Prediction {
        method: Method::Cadence,
        probability_active,
        expected_orders_90d: expected(SHORT_HORIZON_DAYS),
        expected_orders_365d,
        probability_order_365d,
        next_order_in_days,
        expected_order_value,
        clv_365d: expected_orders_365d * expected_order_value,
        reason: reason(
            Method::Cadence,
            customer,
            probability_active,
            probability_order_365d,
            Some(own_gap.is_some()),
        ),
    }
}

/// Expected spend per order: Gamma-Gamma when fitted, else the customer's own average, else the
/// shop's mean order value, else 0.
fn order_value(model: &ShopModel, customer: &CustomerSummary) -> f64 {
    let own = if customer.x > 0 {
        customer.monetary
    } else {
        customer.first_amount
    };
    model
        .gamma_gamma
        .and_then(|gg| gg.conditional_expected_spend(customer.x, customer.monetary))
        .or_else(|| (own.is_finite() && own > 0.0).then_some(own))
        .or(model.mean_order_value)
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

fn finite_or(v: f64, fallback: f64) -> f64 {
    if v.is_finite() { v } else { fallback }
}

/// Builds the reason sentence. `cadence_own_gap` is `Some(whether the customer's own gap was
/// used)` for the cadence method.
fn reason(
    method: Method,
    customer: &CustomerSummary,
    probability_active: f64,
    probability_order_365d: f64,
    cadence_own_gap: Option<bool>,
) -> String {
    let since = finite_or(customer.since_last(), 0.0);
    let mut sentence = match customer.mean_gap() {
        Some(gap) => format!(
            "Usually orders every {}; last order {}; {} chance still active",
            days(gap),
            ago(since),
            percent(probability_active)
        ),
        None if since < 0.5 => format!(
            "First order today; {} chance of ordering again within a year",
            percent(probability_order_365d)
        ),
        None => format!(
            "Ordered once, {}; {} chance of ordering again within a year",
            ago(since),
            percent(probability_order_365d)
        ),
    };
    sentence.push_str(match (method, cadence_own_gap) {
        (Method::Fitted, _) => "",
        (Method::SmallShopPrior, _) => {
            "; based on this store's first orders and typical store behaviour"
        }
        (Method::Cadence, Some(true)) => "; estimated from the gaps between this customer's orders",
        (Method::Cadence, _) => "; estimated from this store's typical gap between orders",
    });
    sentence.push('.');
    sentence
}

fn days(d: f64) -> String {
    let n = d.round().max(1.0);
    if n == 1.0 {
        "day".to_owned()
    } else {
        format!("{n} days")
    }
}

fn ago(d: f64) -> String {
    let n = d.round().max(0.0);
    if n == 0.0 {
        "today".to_owned()
    } else if n == 1.0 {
        "1 day ago".to_owned()
    } else {
        format!("{n} days ago")
    }
}

fn percent(p: f64) -> String {
    let pct = (p * 100.0).clamp(0.0, 100.0);
    if pct > 0.0 && pct < 0.5 {
        "under 1%".to_owned()
    } else if pct > 99.5 && pct < 100.0 {
        "over 99%".to_owned()
    } else {
        format!("{}%", pct.round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::models::bgnbd::BgNbdParams;
    use crate::crm::models::gamma_gamma::GammaGammaParams;

    fn model(method: Method) -> ShopModel {
        ShopModel {
            method,
            bgnbd: (method != Method::Cadence).then_some(BgNbdParams {
                r: 0.243,
                alpha: 30.9,
                a: 0.793,
                b: 2.426,
            }),
            gamma_gamma: Some(GammaGammaParams {
                p: 6.25,
                q: 3.74,
                v: 15.44,
            }),
            customers: 100,
            repeaters: 40,
            median_gap: Some(50.0),
            mean_order_value: Some(35.0),
        }
    }

    fn customer(x: u32, t_x: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            x,
            t_x,
            t,
            monetary: 20.0,
            first_amount: 30.0,
        }
    }

    #[test]
    fn a_lapsed_regular_gets_a_reason_with_numbers() {
        // Ordered 3 more times every 34 days, then nothing for 96 days.
        let p = predict(&model(Method::Fitted), &customer(3, 102.0, 198.0));
        assert_eq!(p.method, Method::Fitted);
        let pct = (p.probability_active * 100.0).round();
        assert_eq!(
            p.reason,
            format!(
                "Usually orders every 34 days; last order 96 days ago; {pct}% chance still active."
            )
        );
        assert!(p.expected_orders_365d > p.expected_orders_90d);
        assert!((p.clv_365d - p.expected_orders_365d * p.expected_order_value).abs() < 1e-12);
    }

    #[test]
    fn an_active_regular_has_a_next_order_date_and_a_gone_one_has_none() {
        let m = model(Method::Fitted);
        let active = predict(&m, &customer(10, 300.0, 310.0));
        let next = active.next_order_in_days.unwrap();
        assert!(next > 0.0 && next < 60.0, "{next}");
        let gone = predict(&m, &customer(2, 20.0, 400.0));
        assert_eq!(gone.next_order_in_days, None);
        assert!(gone.probability_active < 0.5);
    }

    #[test]
    fn small_shops_and_one_time_customers_say_so() {
        let p = predict(&model(Method::SmallShopPrior), &customer(0, 0.0, 40.0));
        assert!(
            p.reason.starts_with("Ordered once, 40 days ago; "),
            "{}",
            p.reason
        );
        assert!(
            p.reason
                .ends_with("; based on this store's first orders and typical store behaviour."),
            "{}",
            p.reason
        );
        let today = predict(&model(Method::Fitted), &customer(0, 0.0, 0.0));
        assert!(
            today.reason.starts_with("First order today; "),
            "{}",
            today.reason
        );
        assert_eq!(today.probability_active, 1.0);
    }

    #[test]
    fn cadence_uses_the_customers_gap_then_the_shops() {
        let m = model(Method::Cadence);
        let own = predict(&m, &customer(2, 60.0, 70.0));
        assert_eq!(own.method, Method::Cadence);
        assert_eq!(own.probability_active, 1.0);
        assert_eq!(own.next_order_in_days, Some(20.0));
        assert!((own.expected_orders_90d - 3.0).abs() < 1e-12);
        assert!(
            own.reason
                .ends_with("from the gaps between this customer's orders.")
        );
        // One-time customer, three shop gaps (150 days) since: two extra gaps halve twice.
        let once = predict(&m, &customer(0, 0.0, 150.0));
        assert!((once.probability_active - 0.25).abs() < 1e-12);
        assert_eq!(once.next_order_in_days, None);
        assert!(
            once.reason
                .ends_with("from this store's typical gap between orders.")
        );
    }

    #[test]
    fn nonsense_inputs_give_finite_numbers() {
        let weird = [
            customer(0, 0.0, 0.0),
            customer(5, 0.0, 0.0),
            CustomerSummary {
                x: 1,
                t_x: f64::NAN,
                t: f64::INFINITY,
                monetary: f64::NAN,
                first_amount: -3.0,
            },
        ];
        for method in [Method::Fitted, Method::Cadence] {
            for c in &weird {
                let p = predict(&model(method), c);
                for v in [
                    p.probability_active,
                    p.expected_orders_90d,
                    p.expected_orders_365d,
                    p.probability_order_365d,
                    p.expected_order_value,
                    p.clv_365d,
                ] {
                    assert!(v.is_finite() && v >= 0.0, "{method:?} {c:?}: {p:?}");
                }
                assert!(
                    !p.reason.contains("NaN") && !p.reason.contains("inf"),
                    "{}",
                    p.reason
                );
            }
        }
    }
}
