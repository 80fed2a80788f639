//! What an insight writer may know about one customer, and nothing more: their first name, the
//! shop currency, order and refund counts, spend, dates, RFM segment and scores, the latest
//! segment change, most ordered products and (once available) the purchase prediction.
//!
//! Data minimisation: no email, phone, address, last name, ids or other customers' data ever
//! enter these facts, so they cannot reach an LLM provider. Every fact comes through the
//! shop-scoped handle, so another shop's rows cannot either.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use shared::Segment;

use super::format;
use super::store;
use crate::db::ShopDb;

/// An amount in minor units of a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// Minor units (cents; yen for JPY).
    pub minor_units: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// As a merchant reads it, e.g. `$1,234.50`.
    pub fn formatted(&self) -> String {
        format::money(self.minor_units, &self.currency)
    }
}

/// RFM scores, each 1 (lowest) to 5 (highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RfmScores {
    /// Recency.
    pub recency: i64,
    /// Frequency.
    pub frequency: i64,
    /// Monetary value.
    pub monetary: i64,
}

/// The customer's most recent move between segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentChange {
    /// Where they were.
    pub from: Segment,
    /// Where they went.
    pub to: Segment,
    /// The shop-local date of the move.
    pub on: NaiveDate,
    /// The scoring's own reason, with its numbers.
    pub reason: String,
}

/// A product the customer ordered, by how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFact {
    /// The product's title as on the newest order line.
    pub title: String,
    /// Orders it appeared on.
    pub orders: i64,
    /// Units bought.
    pub quantity: i64,
}

/// The purchase prediction for the customer (filled in by the caller once predictions exist;
/// [`load`] never reads them).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionFacts {
    /// Probability of at least one order within 365 days, 0 to 1.
    pub probability_order_365d: Option<f64>,
    /// The shop-local date by which a next order is as likely as not.
    pub expected_next_order_on: Option<NaiveDate>,
    /// Expected value over the next 365 days.
    pub clv_365d: Option<Money>,
    /// The model's one-sentence reason.
    pub reason: Option<String>,
}

/// Everything a writer is told about one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFacts {
    /// First name only; `None` when unknown or redacted.
    pub first_name: Option<String>,
    /// The shop currency (every amount is in it).
    pub currency: String,
    /// Orders placed (cancelled ones included, as Shopify counts).
    pub orders_count: i64,
    /// Spend net of refunds, cancelled orders left out.
    pub total_spent: Money,
    /// Shop-local date of the first order.
    pub first_order_on: Option<NaiveDate>,
    /// Shop-local date of the latest order.
    pub last_order_on: Option<NaiveDate>,
    /// Days from the latest order to `as_of`.
    pub days_since_last_order: Option<i64>,
    /// Average gap between orders, in whole days (two orders or more).
    pub average_days_between_orders: Option<i64>,
    /// The RFM segment.
    pub segment: Segment,
    /// The RFM scores (none for prospects).
    pub scores: Option<RfmScores>,
    /// The latest segment change, if any was recorded.
    pub latest_change: Option<SegmentChange>,
    /// Most ordered products, at most [`TOP_PRODUCTS`].
    pub top_products: Vec<ProductFact>,
    /// Refunds on the customer's orders.
    pub refunds_count: i64,
    /// The purchase prediction, when the caller has one.
    pub prediction: Option<PredictionFacts>,
    /// The shop-local date the facts describe.
    pub as_of: NaiveDate,
}

/// How many products the facts name.
pub const TOP_PRODUCTS: usize = 3;

/// Bumped whenever the facts' shape or the prompt changes, so cached texts are rewritten.
const FINGERPRINT_VERSION: &str = "insight-facts-v1";

/// Loads a customer's facts as of `now`; `None` when the shop has no such customer (or it was
/// deleted).
pub async fn load(
    db: &ShopDb,
    customer_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<CustomerFacts>> {
    store::load_facts(db, customer_id, now).await
}

impl CustomerFacts {
    /// The same facts with a purchase prediction.
    pub fn with_prediction(mut self, prediction: PredictionFacts) -> Self {
        self.prediction = Some(prediction);
        self
    }

    /// The facts as the JSON an LLM receives: field names that explain themselves, money both
    /// exact and formatted (so the model copies the amount instead of doing arithmetic), absent
    /// facts left out.
    pub fn payload(&self) -> Value {
        let mut orders = Map::new();
        orders.insert("count".into(), json!(self.orders_count));
        orders.insert(
            "total_spent_net_of_refunds".into(),
            money_json(&self.total_spent),
        );
        orders.insert("refunds_count".into(), json!(self.refunds_count));
        put(&mut orders, "first_order_date", self.first_order_on);
        put(&mut orders, "last_order_date", self.last_order_on);
        put(
            &mut orders,
            "days_since_last_order",
            self.days_since_last_order,
        );
        put(
            &mut orders,
            "average_days_between_orders",
            self.average_days_between_orders,
        );
        let mut segment = Map::new();
        segment.insert("name".into(), json!(self.segment.label()));
        if let Some(s) = self.scores {
            segment.insert(
                "scores_1_to_5".into(),
                json!({"recency": s.recency, "frequency": s.frequency, "monetary": s.monetary}),
            );
        }
        if let Some(c) = &self.latest_change {
            segment.insert(
                "latest_change".into(),
                json!({"from": c.from.label(), "to": c.to.label(), "date": c.on, "reason": c.reason}),
            );
        }
        let products: Vec<Value> = self
            .top_products
            .iter()
            .map(|p| json!({"title": p.title, "orders": p.orders, "quantity": p.quantity}))
            .collect();
        let mut out = Map::new();
        out.insert(
            "customer_first_name".into(),
            json!(self.first_name.as_deref()),
        );
        out.insert("shop_currency".into(), json!(self.currency));
        out.insert("orders".into(), Value::Object(orders));
        out.insert("segment".into(), Value::Object(segment));
        out.insert("most_ordered_products".into(), Value::Array(products));
        if let Some(p) = &self.prediction {
            let mut pred = Map::new();
            if let Some(prob) = p.probability_order_365d {
                // Whole percents: finer digits are noise to a merchant and would churn the cache.
                let percent = (prob.clamp(0.0, 1.0) * 100.0).round() as i64;
                pred.insert(
                    "probability_of_ordering_within_365_days_percent".into(),
                    json!(percent),
                );
            }
            put(
                &mut pred,
                "expected_next_order_date",
                p.expected_next_order_on,
            );
            if let Some(clv) = &p.clv_365d {
                pred.insert("expected_value_next_365_days".into(), money_json(clv));
            }
            put(&mut pred, "reason", p.reason.as_deref());
            out.insert("prediction".into(), Value::Object(pred));
        }
        Value::Object(out)
    }

    /// A stable sha256 (hex) of the facts, the cache key of a written insight.
    ///
    /// It covers exactly what a writer sees except `days_since_last_order`, which grows every
    /// day without any new data; the cache must turn over when the customer's data changes (a
    /// new order or refund changes counts, spend and dates; a rescoring changes the scores,
    /// the segment or its latest change), not at midnight. Recency still refreshes the text
    /// when it matters: the daily rescoring lowers the recency score, which is part of the key.
    /// LLM texts are asked to use calendar dates, which stay true, for the same reason.
    pub fn fingerprint(&self) -> String {
        let mut payload = self.payload();
        if let Some(orders) = payload.get_mut("orders").and_then(Value::as_object_mut) {
            orders.remove("days_since_last_order");
        }
        let mut canonical = String::from(FINGERPRINT_VERSION);
        canonical.push('\n');
        write_canonical(&payload, &mut canonical);
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn money_json(m: &Money) -> Value {
    json!({"formatted": m.formatted(), "minor_units": m.minor_units, "currency": m.currency})
}

fn put<T: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.into(), json!(v));
    }
}

/// JSON with object keys sorted at every level, whatever order serde_json's map keeps (its
/// `preserve_order` feature may be switched on by any crate in the build).
fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Ada: seven orders, at risk since November, two favourite products.
    pub(crate) fn ada() -> CustomerFacts {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        CustomerFacts {
            first_name: Some("Ada".into()),
            currency: "USD".into(),
            orders_count: 7,
            total_spent: Money {
                minor_units: 123_450,
                currency: "USD".into(),
            },
            first_order_on: Some(d(2025, 3, 2)),
            last_order_on: Some(d(2025, 11, 12)),
            days_since_last_order: Some(96),
            average_days_between_orders: Some(34),
            segment: Segment::AtRisk,
            scores: Some(RfmScores {
                recency: 2,
                frequency: 4,
                monetary: 4,
            }),
            latest_change: Some(SegmentChange {
                from: Segment::Loyal,
                to: Segment::AtRisk,
                on: d(2026, 1, 20),
                reason: "Last order 69 days ago (recency 2/5); 7 orders (frequency 4/5); spend 4/5"
                    .into(),
            }),
            top_products: vec![
                ProductFact {
                    title: "Linen Shirt".into(),
                    orders: 4,
                    quantity: 5,
                },
                ProductFact {
                    title: "Wool Socks".into(),
                    orders: 3,
                    quantity: 6,
                },
            ],
            refunds_count: 1,
            prediction: None,
            as_of: d(2026, 2, 16),
        }
    }

    #[test]
    fn the_fingerprint_ignores_the_passing_days_but_not_new_data() {
        let base = ada();
        let tomorrow = CustomerFacts {
            days_since_last_order: Some(97),
            as_of: base.as_of.succ_opt().unwrap(),
            ..base.clone()
        };
        assert_eq!(base.fingerprint(), tomorrow.fingerprint());
        assert_eq!(base.fingerprint().len(), 64);

        let new_order = CustomerFacts {
            orders_count: 8,
            ..base.clone()
        };
        let refunded = CustomerFacts {
            refunds_count: 2,
            ..base.clone()
        };
        let moved = CustomerFacts {
            segment: Segment::Hibernating,
            ..base.clone()
        };
        let predicted = base.clone().with_prediction(PredictionFacts {
            probability_order_365d: Some(0.42),
            expected_next_order_on: None,
            clv_365d: None,
            reason: None,
        });
        for changed in [new_order, refunded, moved, predicted] {
            assert_ne!(base.fingerprint(), changed.fingerprint(), "{changed:?}");
        }
    }

    #[test]
    fn the_payload_carries_the_first_name_and_numbers_only() {
        let p = ada().payload();
        assert_eq!(p["customer_first_name"], "Ada");
        assert_eq!(p["orders"]["count"], 7);
        assert_eq!(
            p["orders"]["total_spent_net_of_refunds"]["formatted"],
            "$1,234.50"
        );
        assert_eq!(p["orders"]["last_order_date"], "2025-11-12");
        assert_eq!(p["segment"]["latest_change"]["to"], "At risk");
        assert_eq!(p["most_ordered_products"][0]["title"], "Linen Shirt");
        assert!(p.get("prediction").is_none());
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        for k in keys {
            assert!(!k.contains("email") && !k.contains("phone") && !k.contains("address"));
        }
    }
}
