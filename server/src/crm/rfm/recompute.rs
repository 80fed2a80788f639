//! Running the scoring: the full recompute (fresh boundaries, then every customer) and the
//! incremental rescore of the customers an order touched (against the stored boundaries).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::sql;
use crate::db::ShopTx;
use crate::events::DomainEvent;

/// One change of a customer's segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub customer_id: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// What a full recompute did.
#[derive(Debug, Clone, Default)]
pub struct Recomputed {
    /// Customers with orders (scored).
    pub scored: i64,
    /// Rows whose scores or segment were written.
    pub written: u64,
    /// Segment changes recorded (none on a shop's first scoring).
    pub changes: Vec<Change>,
}

/// Recomputes the shop's quintile boundaries and rescores every customer, in `tx`. The shop's
/// first scoring sets the starting segments without history; later ones record each change.
/// `local_date` is the shop-local date, so the daily job runs once per day.
pub async fn recompute_all(
    tx: &mut ShopTx,
    now: DateTime<Utc>,
    local_date: &str,
) -> sqlx::Result<Recomputed> {
    let before: Option<(i64,)> = tx
        .query("select scored_customers from rfm_boundaries where shop_id = $1")
        .fetch_optional()
        .await?;
    let days = |n: i64| now - chrono::Duration::days(n);
    tx.query(&sql::boundaries())
        .bind(now)
        .bind(local_date)
        .bind(days(365))
        .bind(days(180))
        .bind(days(90))
        .bind(days(30))
        .execute()
        .await?;
    // The shop's first scoring of customers sets starting segments: nothing "changed" yet.
    let scored_before = before.is_some_and(|(n,)| n > 0);
    rescore_every(tx, now, scored_before).await
}

/// Rescores every customer against the stored boundaries (no new quintiles), recording each
/// change of segment. After incremental rescoring this writes nothing: both derive the same
/// scores from the same boundaries.
pub async fn rescore_all(tx: &mut ShopTx, now: DateTime<Utc>) -> sqlx::Result<Recomputed> {
    rescore_every(tx, now, true).await
}

async fn rescore_every(
    tx: &mut ShopTx,
    now: DateTime<Utc>,
    history: bool,
) -> sqlx::Result<Recomputed> {
    let Some((scored,)): Option<(i64,)> = tx
        .query("select scored_customers from rfm_boundaries where shop_id = $1")
        .fetch_optional()
        .await?
    else {
        return Ok(Recomputed::default());
    };
    let all = sql::scored(None);
    let changes = if history {
        record(tx, &all, now).await?
    } else {
        Vec::new()
    };
    let written = tx
        .query(&sql::apply_scores(&all))
        .bind(now)
        .execute()
        .await?;
    let emptied = tx.query(sql::BACK_TO_PROSPECT).bind(now).execute().await?;
    Ok(Recomputed {
        scored,
        written: written + emptied,
        changes,
    })
}

/// Rescores these customers against the stored boundaries (after their orders changed), in the
/// caller's transaction; returns the segment changes. Does nothing before the shop's first
/// full recompute (there are no boundaries to score against yet).
pub async fn rescore(
    tx: &mut ShopTx,
    customer_ids: &[i64],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Change>> {
    let mut ids = customer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut changes = Vec::new();
    for chunk in ids.chunks(400) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let scored = sql::scored(Some(&list.join(", ")));
        let sql = sql::record_changes(tx.backend(), &scored);
        let mut q = tx.query(&sql).bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        let rows: Vec<(i64, String, String, String)> = q.fetch_all().await?;
        changes.extend(rows.into_iter().map(change));
        let sql = sql::apply_scores(&scored);
        let mut q = tx.query(&sql).bind(now);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute().await?;
    }
    Ok(changes)
}

async fn record(tx: &mut ShopTx, scored: &str, now: DateTime<Utc>) -> sqlx::Result<Vec<Change>> {
    let sql = sql::record_changes(tx.backend(), scored);
    let rows: Vec<(i64, String, String, String)> = tx.query(&sql).bind(now).fetch_all().await?;
    Ok(rows.into_iter().map(change).collect())
}

fn change((customer_id, from, to, reason): (i64, String, String, String)) -> Change {
    Change {
        customer_id,
        from,
        to,
        reason,
    }
}

/// Changes per `segment_changed` event: the bus carries ids and small facts, and one event
/// must stay under the 8000-byte NOTIFY limit.
const CHANGES_PER_EVENT: usize = 50;

/// `segment_changed` events for these changes (ids and segment names; the reasons stay in
/// `segment_changes`, which is the durable record automations read).
pub fn segment_changed_events(
    shop_id: i64,
    changes: &[Change],
    at: DateTime<Utc>,
) -> Vec<DomainEvent> {
    changes
        .chunks(CHANGES_PER_EVENT)
        .map(|chunk| {
            let items: Vec<serde_json::Value> = chunk
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "customer_id": c.customer_id.to_string(),
                        "from": c.from,
                        "to": c.to,
                    })
                })
                .collect();
            DomainEvent::new(
                shop_id,
                "segment_changed",
                serde_json::json!({ "changes": items }),
                at,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_changes_split_into_events_under_the_notify_limit() {
        let changes: Vec<Change> = (0..120)
            .map(|i| Change {
                customer_id: i64::MAX - i,
                from: "hibernating".into(),
                to: "at_risk".into(),
                reason: String::new(),
            })
            .collect();
        let events = segment_changed_events(1, &changes, Utc::now());
        assert_eq!(events.len(), 3);
        for e in events {
            let size = serde_json::to_string(&e).unwrap().len();
            assert!(size < crate::events::MAX_EVENT_BYTES, "{size}");
        }
    }
}
