//! Live updates: a stored webhook delivery of a store-data topic applied in the caller's
//! transaction (the one that marks the delivery processed). Safe in any order and any number
//! of times: records keep the copy with the newest `updated_at`, refunds are inserted once, and
//! customer counters are recomputed from the orders in the same transaction.

use chrono::{DateTime, Utc};

use super::admin_json::BadRecord;
use super::rest_json::{CheckoutJson, CustomerJson, DeletedJson, OrderJson, RefundJson};
use super::{counters, runs, write};
use crate::crm::predictions;
use crate::crm::rfm::{self, Change};
use crate::db::ShopTx;

/// The topics this module applies.
pub const TOPICS: &[&str] = &[
    "customers/create",
    "customers/update",
    "customers/delete",
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "refunds/create",
    "checkouts/create",
    "checkouts/update",
];

/// Whether a topic is store data this module applies.
pub fn handles(topic: &str) -> bool {
    TOPICS.contains(&topic)
}

/// What a delivery changed, for logs and live views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub kind: &'static str,
    pub id: String,
    /// Whether a row changed (false for an older or repeated copy).
    pub changed: bool,
    /// Segment changes of the customers the delivery touched (publish after commit).
    pub segment_changes: Vec<Change>,
}

/// Why a delivery could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the payload does not parse: {0}")]
    Payload(#[from] serde_json::Error),
    #[error(transparent)]
    Record(#[from] BadRecord),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Applies one delivery of a store-data topic. `installed_at` is where history ends until the
/// first import has fixed it: an order created before the install is never "new".
pub async fn apply(
    tx: &mut ShopTx,
    topic: &str,
    payload: &str,
    now: DateTime<Utc>,
    installed_at: Option<DateTime<Utc>>,
) -> Result<Applied, ApplyError> {
    match topic {
        "customers/create" | "customers/update" => {
            let c = serde_json::from_str::<CustomerJson>(payload)?.into_record();
            let changed = write::customer_from_webhook(tx, &c).await? > 0;
            // Its orders may have arrived first (webhooks come in any order): count them now.
            counters::refresh(tx, &[c.id]).await?;
            let segment_changes = rfm::rescore(tx, &[c.id], now).await?;
            predictions::predict_customers(tx, &[c.id], now).await?;
            Ok(Applied {
                segment_changes,
                ..applied("customer", c.id, changed)
            })
        }
        "customers/delete" => {
            let d: DeletedJson = serde_json::from_str(payload)?;
            let changed = write::delete_customer(tx, d.id, now).await? > 0;
            Ok(applied("customer", d.id, changed))
        }
        "refunds/create" => {
            let r: RefundJson = serde_json::from_str(payload)?;
            let order_id = r.order_id();
            let currency = order_currency(tx, order_id).await?;
            let refund = r.into_record(currency.as_deref().unwrap_or("USD"))?;
            let changed = write::refunds(tx, std::slice::from_ref(&refund)).await? > 0;
            let owner = order_customer(tx, order_id).await?;
            let owner: Vec<i64> = owner.into_iter().collect();
            counters::refresh(tx, &owner).await?;
            let segment_changes = rfm::rescore(tx, &owner, now).await?;
            predictions::predict_customers(tx, &owner, now).await?;
            Ok(Applied {
                segment_changes,
                ..applied("refund", refund.id, changed)
            })
        }
        "checkouts/create" | "checkouts/update" => {
            let c = serde_json::from_str::<CheckoutJson>(payload)?.into_record()?;
            let changed = write::checkouts(tx, std::slice::from_ref(&c)).await? > 0;
            Ok(Applied {
                kind: "checkout",
                id: c.token,
                changed,
                segment_changes: Vec::new(),
            })
        }
        _ => {
            let order = serde_json::from_str::<OrderJson>(payload)?.into_record()?;
            let before = order_customer(tx, order.id).await?;
            let history = runs::state_in(tx).await?.historical_before.or(installed_at);
            let changed = write::orders(tx, std::slice::from_ref(&order), history).await? > 0;
            let touched: Vec<i64> = before.into_iter().chain(order.customer_id).collect();
            counters::refresh(tx, &touched).await?;
            let segment_changes = rfm::rescore(tx, &touched, now).await?;
            predictions::predict_customers(tx, &touched, now).await?;
            Ok(Applied {
                segment_changes,
                ..applied("order", order.id, changed)
            })
        }
    }
}

fn applied(kind: &'static str, id: i64, changed: bool) -> Applied {
    Applied {
        kind,
        id: id.to_string(),
        changed,
        segment_changes: Vec::new(),
    }
}

async fn order_customer(tx: &mut ShopTx, order_id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = tx
        .query("select customer_id from orders where shop_id = $1 and id = $2")
        .bind(order_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|r| r.0))
}

async fn order_currency(tx: &mut ShopTx, order_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = tx
        .query("select currency from orders where shop_id = $1 and id = $2")
        .bind(order_id)
        .fetch_optional()
        .await?;
    Ok(row.map(|r| r.0))
}
