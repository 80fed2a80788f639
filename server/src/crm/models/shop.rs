//! Fitting both models for one shop, and the small-shop rule: below [`SMALL_SHOP_MIN_CUSTOMERS`]
//! customers or [`SMALL_SHOP_MIN_REPEATERS`] repeat customers a plain maximum-likelihood fit is
//! mostly noise, so the fit borrows strength from typical store behaviour through a weak prior.
//! If no model can be fitted at all, predictions fall back to order cadence.

use super::bgnbd::{self, BgNbdData, BgNbdParams};
use super::fit::Prior;
use super::gamma_gamma::{self, GammaGammaData, GammaGammaParams};
use super::summary::CustomerSummary;

/// Fewer customers than this is a small shop.
pub const SMALL_SHOP_MIN_CUSTOMERS: usize = 30;
/// Fewer repeat customers (x > 0) than this is a small shop, however many customers it has:
/// dropout and spend are learnt from repeaters only.
pub const SMALL_SHOP_MIN_REPEATERS: usize = 10;

/// Typical BG/NBD parameters in days, the centre of the small-shop prior: the CDNOW fit
/// (r 0.243, α 30.9 days, a 0.793, b 2.426), rounded. They describe a store where an active
/// customer orders about every α/r = 120 days and a quarter of customers drop out after each
/// order (a/(a+b)), which is in the range commonly reported for online retail.
pub const TYPICAL_BGNBD_DAYS: BgNbdParams = BgNbdParams {
    r: 0.25,
    alpha: 30.0,
    a: 0.8,
    b: 2.5,
};

/// Typical Gamma-Gamma shapes (p, q), from the CDNOW fit (Fader & Hardie 2013). The scale `v`
/// has a currency unit, so the prior sets it from the shop's own mean order value instead.
pub const TYPICAL_GAMMA_GAMMA_SHAPES: (f64, f64) = (6.25, 3.74);

/// Weight of the small-shop prior: a normal prior with standard deviation 1/√2 ≈ 0.7 on each
/// log-parameter (about a factor of two either way). Thirty customers already move the fit a
/// long way from it; five barely do.
pub const PRIOR_STRENGTH: f64 = 1.0;

/// Which method produced a shop's model, and so each of its predictions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Maximum likelihood on the shop's own customers.
    Fitted,
    /// A small shop: the fit is penalised towards [`TYPICAL_BGNBD_DAYS`] and
    /// [`TYPICAL_GAMMA_GAMMA_SHAPES`]. Also used for a large shop whose data cannot pin a
    /// parameter down (e.g. it ran off to infinity).
    SmallShopPrior,
    /// No model could be fitted: expected orders come from the gaps between orders (the
    /// customer's own mean gap, else the shop's median gap).
    Cadence,
}

impl Method {
    /// A stable snake_case name, for storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Fitted => "fitted",
            Method::SmallShopPrior => "small_shop_prior",
            Method::Cadence => "cadence",
        }
    }
}

/// Both models for one shop, plus the shop-level numbers the fallbacks need.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShopModel {
    /// How the parameters were obtained.
    pub method: Method,
    /// BG/NBD parameters in days; `None` only with [`Method::Cadence`].
    pub bgnbd: Option<BgNbdParams>,
    /// Gamma-Gamma parameters in the shop's currency; `None` when no order had a positive
    /// amount.
    pub gamma_gamma: Option<GammaGammaParams>,
    /// Customers the fit saw.
    pub customers: usize,
    /// Customers with at least one repeat purchase.
    pub repeaters: usize,
    /// Median over repeat customers of their mean gap between orders, in days.
    pub median_gap: Option<f64>,
    /// Mean amount per purchase day over all customers (first and repeat orders).
    pub mean_order_value: Option<f64>,
}

/// Whether a shop of this size gets the small-shop prior.
pub fn is_small_shop(customers: usize, repeaters: usize) -> bool {
    customers < SMALL_SHOP_MIN_CUSTOMERS || repeaters < SMALL_SHOP_MIN_REPEATERS
}

/// Fits both models for a shop from its customers' summaries (times in days).
pub fn fit_shop(customers: &[CustomerSummary]) -> ShopModel {
    refit_shop(customers, None)
}

/// As [`fit_shop`], starting the optimiser also from `previous` (yesterday's model), which
/// makes a daily refit of a large shop cheaper. The result does not depend on the warm start
/// except through which local optimum is found first.
pub fn refit_shop(customers: &[CustomerSummary], previous: Option<&ShopModel>) -> ShopModel {
    let bg_data = BgNbdData::new(customers);
    let gg_data = GammaGammaData::new(customers);
    let small = is_small_shop(bg_data.customers(), bg_data.repeaters());
    let mean_order_value = mean_order_value(customers);

    let bg_prior = Prior {
        centre: TYPICAL_BGNBD_DAYS,
        strength: PRIOR_STRENGTH,
    };
    let bg_warm = previous.and_then(|m| m.bgnbd);
    let bg_shrunk = || match bg_data.customers() {
        // With nobody to learn from, the prior's centre is the answer.
        0 => Some(TYPICAL_BGNBD_DAYS),
        _ => bgnbd::fit(&bg_data, Some(&bg_prior), bg_warm)
            .ok()
            .map(|f| f.params),
    };
    let (bgnbd, bg_fitted) = if small {
        (bg_shrunk(), false)
    } else {
        match bgnbd::fit(&bg_data, None, bg_warm) {
            Ok(f) => (Some(f.params), true),
            Err(_) => (bg_shrunk(), false),
        }
    };

    let (p0, q0) = TYPICAL_GAMMA_GAMMA_SHAPES;
    // Centre v so the prior's mean spend, p·v/(q−1), is the shop's own mean order value.
    let gg_prior = mean_order_value.map(|mean| Prior {
        centre: GammaGammaParams {
            p: p0,
            q: q0,
            v: mean * (q0 - 1.0) / p0,
        },
        strength: PRIOR_STRENGTH,
    });
    let gg_warm = previous.and_then(|m| m.gamma_gamma);
    let gg_shrunk = || {
        let prior = gg_prior.as_ref()?;
        if gg_data.customers() == 0 {
            return Some(prior.centre);
        }
        gamma_gamma::fit(&gg_data, Some(prior), gg_warm)
            .ok()
            .map(|f| f.params)
    };
    let (gamma_gamma, gg_fitted) = if small {
        (gg_shrunk(), false)
    } else {
        match gamma_gamma::fit(&gg_data, None, gg_warm) {
            Ok(f) => (Some(f.params), true),
            Err(_) => (gg_shrunk(), false),
        }
    };

    let method = match (bgnbd, bg_fitted && gg_fitted) {
        (None, _) => Method::Cadence,
        (Some(_), true) => Method::Fitted,
        (Some(_), false) => Method::SmallShopPrior,
    };
    ShopModel {
        method,
        bgnbd,
        gamma_gamma,
        customers: bg_data.customers(),
        repeaters: bg_data.repeaters(),
        median_gap: median_gap(customers),
        mean_order_value,
    }
}

/// The mean amount per purchase day over everyone's first and repeat purchases; `None` when
/// there is none or it is not positive.
fn mean_order_value(customers: &[CustomerSummary]) -> Option<f64> {
    let (mut total, mut count) = (0.0, 0.0);
    for c in customers {
        let spend = c.first_amount + f64::from(c.x) * c.monetary;
        if spend.is_finite() {
            total += spend;
            count += 1.0 + f64::from(c.x);
        }
    }
    let mean = total / count;
    (count > 0.0 && mean > 0.0 && mean.is_finite()).then_some(mean)
}

/// The median of the repeat customers' mean gaps between orders.
fn median_gap(customers: &[CustomerSummary]) -> Option<f64> {
    let mut gaps: Vec<f64> = customers
        .iter()
        .filter_map(CustomerSummary::mean_gap)
        .filter(|g| g.is_finite())
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_by(f64::total_cmp);
    let mid = gaps.len() / 2;
    Some(if gaps.len() % 2 == 1 {
        gaps[mid]
    } else {
        0.5 * (gaps[mid - 1] + gaps[mid])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(x: u32, t_x: f64, t: f64, monetary: f64) -> CustomerSummary {
        CustomerSummary {
            x,
            t_x,
            t,
            monetary,
            first_amount: 40.0,
        }
    }

    #[test]
    fn an_empty_shop_gets_typical_behaviour() {
        let model = fit_shop(&[]);
        assert_eq!(model.method, Method::SmallShopPrior);
        assert_eq!(model.bgnbd, Some(TYPICAL_BGNBD_DAYS));
        assert_eq!(model.gamma_gamma, None);
        assert_eq!((model.customers, model.repeaters), (0, 0));
    }

    #[test]
    fn a_shop_without_repeaters_is_shrunk_not_broken() {
        // Everyone bought once, some of them today (T = 0).
        let customers: Vec<_> = (0..50)
            .map(|i| customer(0, 0.0, f64::from(i), 0.0))
            .collect();
        let model = fit_shop(&customers);
        assert_eq!(model.method, Method::SmallShopPrior);
        let bg = model.bgnbd.unwrap();
        assert!(
            [bg.r, bg.alpha, bg.a, bg.b]
                .iter()
                .all(|v| v.is_finite() && *v > 0.0)
        );
        // The prior mean spend is the shop's order value.
        let gg = model.gamma_gamma.unwrap();
        assert!(
            (gg.population_mean().unwrap() - 40.0).abs() < 1e-9,
            "{gg:?}"
        );
        assert_eq!(model.median_gap, None);
    }

    #[test]
    fn a_few_customers_move_the_prior_only_a_little() {
        let customers = [
            customer(3, 60.0, 100.0, 30.0),
            customer(1, 20.0, 90.0, 50.0),
            customer(0, 0.0, 80.0, 0.0),
        ];
        let model = fit_shop(&customers);
        assert_eq!(model.method, Method::SmallShopPrior);
        let bg = model.bgnbd.unwrap();
        for (got, typical) in [(bg.r, 0.25), (bg.alpha, 30.0), (bg.a, 0.8), (bg.b, 2.5)] {
            let log_ratio = (got / typical).ln().abs();
            assert!(log_ratio < 1.5, "{bg:?}");
        }
        assert_eq!(model.median_gap, Some(20.0));
        assert!((model.mean_order_value.unwrap() - (130.0 + 90.0 + 40.0) / 7.0).abs() < 1e-9);
    }
}
