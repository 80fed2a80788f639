//! SQL for insights, all through the shop-scoped handle: a customer's facts from the synced
//! store and the CRM scoring, and the cached insight per customer.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use shared::Segment;

use super::facts::{CustomerFacts, Money, ProductFact, RfmScores, SegmentChange, TOP_PRODUCTS};
use super::writer::Insight;
use crate::crm::shop_time::{local_date, parse_zone};
use crate::db::ShopDb;
use crate::shopify::profile;
use crate::sync::records::LineItem;

/// Orders whose lines are read for the most ordered products: the newest ones, so a customer
/// with thousands of orders costs no more than a regular, and tastes follow recent buying.
const ORDERS_FOR_PRODUCTS: i64 = 250;

#[derive(sqlx::FromRow)]
struct CustomerRow {
    first_name: Option<String>,
    orders_count: i64,
    total_spent: i64,
    first_order_at: Option<DateTime<Utc>>,
    last_order_at: Option<DateTime<Utc>>,
    segment: String,
    r_score: Option<i64>,
    f_score: Option<i64>,
    m_score: Option<i64>,
}

/// A customer's facts; `None` when the shop has no such (undeleted) customer.
pub async fn load_facts(
    db: &ShopDb,
    customer_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<CustomerFacts>> {
    // Only the first name is selected: the rest of the row's personal columns never leave SQL.
    let row: Option<CustomerRow> = db
        .query(
            "select first_name, orders_count, total_spent, first_order_at, last_order_at, \
             segment, cast(r_score as bigint) as r_score, cast(f_score as bigint) as f_score, \
             cast(m_score as bigint) as m_score \
             from customers where shop_id = $1 and id = $2 and deleted_at is null",
        )
        .bind(customer_id)
        .fetch_optional()
        .await?;
    let Some(c) = row else { return Ok(None) };
    let profile = profile::find(db).await?;
    let zone = profile
        .as_ref()
        .map_or(Tz::UTC, |p| parse_zone(&p.iana_timezone));
    let currency = match profile {
        Some(p) => p.currency_code,
        None => order_currency(db, customer_id).await?,
    };
    let as_of = local_date(zone, now);
    let first_order_on = c.first_order_at.map(|t| local_date(zone, t));
    let last_order_on = c.last_order_at.map(|t| local_date(zone, t));
    let average_days_between_orders = match (c.first_order_at, c.last_order_at) {
        (Some(first), Some(last)) if c.orders_count >= 2 => {
            let days = (last - first).num_seconds() as f64 / 86_400.0;
            Some((days / (c.orders_count - 1) as f64).round() as i64)
        }
        _ => None,
    };
    let scores = match (c.r_score, c.f_score, c.m_score) {
        (Some(recency), Some(frequency), Some(monetary)) => Some(RfmScores {
            recency,
            frequency,
            monetary,
        }),
        _ => None,
    };
    Ok(Some(CustomerFacts {
        first_name: c
            .first_name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        total_spent: Money {
            minor_units: c.total_spent,
            currency: currency.clone(),
        },
        currency,
        orders_count: c.orders_count,
        first_order_on,
        last_order_on,
        days_since_last_order: last_order_on.map(|d| (as_of - d).num_days().max(0)),
        average_days_between_orders,
        segment: c.segment.parse().unwrap_or(Segment::Prospect),
        scores,
        latest_change: latest_change(db, customer_id, zone).await?,
        top_products: top_products(db, customer_id).await?,
        refunds_count: refunds_count(db, customer_id).await?,
        prediction: None,
        as_of,
    }))
}

/// The shop currency from the customer's orders when the profile is missing (amounts are in
/// the shop currency either way); USD when there are no orders, whose amounts are all zero.
async fn order_currency(db: &ShopDb, customer_id: i64) -> sqlx::Result<String> {
    let row: Option<(String,)> = db
        .query(
            "select currency from orders where shop_id = $1 and customer_id = $2 \
             order by created_at desc limit 1",
        )
        .bind(customer_id)
        .fetch_optional()
        .await?;
    Ok(row.map_or_else(|| "USD".to_string(), |(c,)| c))
}

async fn latest_change(
    db: &ShopDb,
    customer_id: i64,
    zone: Tz,
) -> sqlx::Result<Option<SegmentChange>> {
    let row: Option<(String, String, DateTime<Utc>, String)> = db
        .query(
            "select from_segment, to_segment, changed_at, reason from segment_changes \
             where shop_id = $1 and customer_id = $2 order by changed_at desc, id desc limit 1",
        )
        .bind(customer_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(from, to, at, reason)| {
        Some(SegmentChange {
            from: from.parse().ok()?,
            to: to.parse().ok()?,
            on: local_date(zone, at),
            reason,
        })
    }))
}

async fn refunds_count(db: &ShopDb, customer_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = db
        .query(
            "select cast(count(*) as bigint) from refunds r join orders o \
             on o.shop_id = r.shop_id and o.id = r.order_id \
             where r.shop_id = $1 and o.customer_id = $2",
        )
        .bind(customer_id)
        .fetch_one()
        .await?;
    Ok(n)
}

/// The products on most of the customer's (non-cancelled) orders, then most units, then by
/// title so ties read the same every time.
async fn top_products(db: &ShopDb, customer_id: i64) -> sqlx::Result<Vec<ProductFact>> {
    let rows: Vec<(String,)> = db
        .query(
            "select line_items from orders where shop_id = $1 and customer_id = $2 \
             and cancelled_at is null order by created_at desc, id desc limit $3",
        )
        .bind(customer_id)
        .bind(ORDERS_FOR_PRODUCTS)
        .fetch_all()
        .await?;
    Ok(rank_products(rows.iter().map(|(json,)| {
        // A line list that does not parse is skipped: one odd order must not hide the insight.
        serde_json::from_str::<Vec<LineItem>>(json).unwrap_or_default()
    })))
}

/// Ranks products over orders given newest first (the newest title names a product).
fn rank_products(orders: impl Iterator<Item = Vec<LineItem>>) -> Vec<ProductFact> {
    let mut by_key: HashMap<String, ProductFact> = HashMap::new();
    for lines in orders {
        let mut seen = std::collections::HashSet::new();
        for line in lines {
            let title = line.title.trim();
            if title.is_empty() {
                continue;
            }
            let key = line
                .product_id
                .map_or_else(|| format!("title:{title}"), |id| id.to_string());
            let p = by_key.entry(key.clone()).or_insert_with(|| ProductFact {
                title: title.to_string(),
                orders: 0,
                quantity: 0,
            });
            p.quantity += line.quantity.max(0);
            if seen.insert(key) {
                p.orders += 1;
            }
        }
    }
    let mut ranked: Vec<ProductFact> = by_key.into_values().collect();
    ranked.sort_by(|a, b| {
        (b.orders, b.quantity)
            .cmp(&(a.orders, a.quantity))
            .then_with(|| a.title.cmp(&b.title))
    });
    ranked.truncate(TOP_PRODUCTS);
    ranked
}

/// A stored insight.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredInsight {
    /// The fingerprint of the facts it was written from.
    pub fingerprint: String,
    /// The text; `None` after a customer redaction.
    pub text: Option<String>,
    /// Who wrote it (`deterministic` marks a failed LLM call).
    pub provider: String,
    /// The model, for LLM texts.
    pub model: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// The customer's stored insight, if any.
pub async fn find_insight(db: &ShopDb, customer_id: i64) -> sqlx::Result<Option<StoredInsight>> {
    db.query(
        "select fingerprint, text, provider, model, created_at from customer_insights \
         where shop_id = $1 and customer_id = $2",
    )
    .bind(customer_id)
    .fetch_optional()
    .await
}

/// Stores the customer's insight, replacing the previous one.
pub async fn upsert_insight(
    db: &ShopDb,
    customer_id: i64,
    fingerprint: &str,
    insight: &Insight,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    db.query(
        "insert into customer_insights \
         (shop_id, customer_id, fingerprint, text, provider, model, created_at, redacted_at) \
         values ($1, $2, $3, $4, $5, $6, $7, null) \
         on conflict (shop_id, customer_id) do update set fingerprint = excluded.fingerprint, \
         text = excluded.text, provider = excluded.provider, model = excluded.model, \
         created_at = excluded.created_at, redacted_at = null",
    )
    .bind(customer_id)
    .bind(fingerprint)
    .bind(insight.text.as_str())
    .bind(insight.provider.as_str())
    .bind(insight.model.as_deref())
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(product: Option<i64>, title: &str, quantity: i64) -> LineItem {
        LineItem {
            id: None,
            product_id: product,
            variant_id: None,
            title: title.into(),
            variant_title: None,
            sku: None,
            quantity,
            unit_price: 1000,
            total: 1000 * quantity,
        }
    }

    #[test]
    fn products_rank_by_orders_then_units_under_their_newest_title() {
        let orders = vec![
            vec![
                line(Some(1), "Linen Shirt (new)", 1),
                line(Some(2), "Socks", 4),
            ],
            vec![
                line(Some(1), "Linen Shirt", 1),
                line(Some(1), "Linen Shirt", 1),
            ],
            vec![line(Some(3), "Cap", 1), line(None, "Gift wrap", 1)],
            vec![line(Some(3), "Cap", 1)],
        ];
        let ranked = rank_products(orders.into_iter());
        let got: Vec<(&str, i64, i64)> = ranked
            .iter()
            .map(|p| (p.title.as_str(), p.orders, p.quantity))
            .collect();
        assert_eq!(
            got,
            vec![("Linen Shirt (new)", 2, 3), ("Cap", 2, 2), ("Socks", 1, 4)]
        );
    }
}
