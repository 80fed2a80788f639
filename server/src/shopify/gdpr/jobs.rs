//! The jobs that carry out compliance requests. The webhook job records each request and
//! enqueues one of these in the same transaction ([`enqueue_for`]); each runs its whole change
//! in one tenant transaction (shop/redact: two, each safe to repeat) and returns early once the
//! audit row says it is done, so a rerun by the queue changes nothing.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::engine::{self, is_redacted};
use super::store;
use super::subject::Subject;
use crate::clock::Clock;
use crate::db::{ShopDb, ShopId, ShopTx};
use crate::jobs::{EnqueueOpts, Job, JobCtx, cancel_for_shop, enqueue};
use crate::shopify::shops;
use crate::shopify::webhooks::COMPLIANCE_TOPICS;
use crate::shopify::webhooks::jobs::ProcessWebhook;

/// Kinds an uninstall must not cancel: Shopify sends compliance requests after uninstall too
/// and expects them carried out (SHOPIFY.md §6).
pub const KEEP_ON_UNINSTALL: [&str; 3] = [
    RedactCustomer::KIND,
    ExportCustomerData::KIND,
    RedactShop::KIND,
];

/// Enqueues the job for a compliance request just recorded in `tx` (and, for a data request,
/// its pending export so Settings › Privacy shows it at once).
pub async fn enqueue_for(
    tx: &mut ShopTx,
    clock: &Clock,
    shop: ShopId,
    topic: &str,
    delivery_id: i64,
    customer: Option<i64>,
) -> anyhow::Result<()> {
    let opts = EnqueueOpts::default()
        .shop(shop)
        .key(format!("gdpr:{shop}:{delivery_id}"));
    let db = tx.as_db_tx();
    match topic {
        "customers/redact" => {
            enqueue(db, clock, &RedactCustomer { delivery_id }, opts).await?;
        }
        "customers/data_request" => {
            enqueue(db, clock, &ExportCustomerData { delivery_id }, opts).await?;
            store::insert_pending_export(tx, delivery_id, customer, clock.now()).await?;
        }
        "shop/redact" => {
            enqueue(db, clock, &RedactShop { delivery_id }, opts).await?;
        }
        other => anyhow::bail!("not a compliance topic: {other}"),
    }
    Ok(())
}

/// The payload of a request's delivery, unless the request is already closed (or gone with a
/// shop/redact), in which case there is nothing to do.
async fn open_request(tx: &mut ShopTx, delivery_id: i64) -> anyhow::Result<Option<String>> {
    let Some(state) = store::request_state(tx, delivery_id).await? else {
        tracing::info!(delivery_id, "compliance request gone; skipped");
        return Ok(None);
    };
    if state.status != "received" {
        return Ok(None);
    }
    let row: Option<(String,)> = tx
        .query("select payload from webhook_deliveries where shop_id = $1 and id = $2")
        .bind(delivery_id)
        .fetch_optional()
        .await?;
    Ok(Some(
        row.map(|(p,)| p).unwrap_or_else(engine::redaction_marker),
    ))
}

/// `customers/redact`: replaces every stored document that mentions the customer with a
/// redaction marker (raw deliveries, exports, this request's own payload), keeping rows, ids
/// and counts so aggregates stay; the audit row records how many rows changed.
#[derive(Debug, Serialize, Deserialize)]
pub struct RedactCustomer {
    /// The `customers/redact` delivery.
    pub delivery_id: i64,
}

impl Job for RedactCustomer {
    const KIND: &'static str = "gdpr_redact_customer";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let now = ctx.clock.now();
        let mut tx = db.begin().await?;
        let Some(payload) = open_request(&mut tx, self.delivery_id).await? else {
            return Ok(());
        };
        // A marker here means an earlier redaction of the same customer already took this
        // payload (and everything else it matched).
        let mut n = 0;
        if !is_redacted(&payload) {
            let subject = Subject::from_payload(&payload)
                .with_context(|| format!("customers/redact {}: bad payload", self.delivery_id))?;
            n = engine::redact_customer(&mut tx, &subject).await?;
            n += engine::redact_columns(&mut tx, &subject, now).await?;
        }
        // The request's own payload names the customer, matched or not (e.g. no identifiers).
        store::replace_payload(&mut tx, self.delivery_id, &engine::redaction_marker()).await?;
        store::complete_request(&mut tx, self.delivery_id, "completed", n, now).await?;
        tx.commit().await?;
        tracing::info!(
            delivery_id = self.delivery_id,
            rows = n,
            "customer redacted"
        );
        Ok(())
    }
}

/// `customers/data_request`: gathers every stored document that mentions the customer into a
/// JSON export for the merchant (Settings › Privacy), registry-driven so later tables join in.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportCustomerData {
    /// The `customers/data_request` delivery.
    pub delivery_id: i64,
}

impl Job for ExportCustomerData {
    const KIND: &'static str = "gdpr_export_customer_data";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let now = ctx.clock.now();
        let mut tx = db.begin().await?;
        let Some(payload) = open_request(&mut tx, self.delivery_id).await? else {
            return Ok(());
        };
        if is_redacted(&payload) {
            // The customer was erased before the export ran: nothing may be exported.
            store::complete_export(&mut tx, self.delivery_id, "redacted", None, now).await?;
            store::complete_request(&mut tx, self.delivery_id, "completed", 0, now).await?;
            tx.commit().await?;
            return Ok(());
        }
        let subject = Subject::from_payload(&payload)
            .with_context(|| format!("customers/data_request {}: bad payload", self.delivery_id))?;
        let mut found: Vec<_> = engine::find_mentions(&mut tx, &subject, true)
            .await?
            .into_iter()
            // The request itself is not data held about the customer.
            .filter(|f| !(f.table == "webhook_deliveries" && f.id == self.delivery_id))
            .collect();
        found.extend(engine::export_columns(&mut tx, &subject).await?);
        let doc = export_document(&subject, &found, now);
        store::complete_export(&mut tx, self.delivery_id, "completed", Some(&doc), now).await?;
        let n = u64::try_from(found.len()).unwrap_or(u64::MAX);
        store::complete_request(&mut tx, self.delivery_id, "completed", n, now).await?;
        tx.commit().await?;
        tracing::info!(
            delivery_id = self.delivery_id,
            records = n,
            "customer data exported"
        );
        Ok(())
    }
}

fn export_document(subject: &Subject, found: &[engine::Found], now: DateTime<Utc>) -> String {
    let records: Vec<_> = found
        .iter()
        .map(|f| json!({ "table": f.table, "id": f.id, "data": f.doc }))
        .collect();
    json!({
        "customer": { "id": subject.id, "email": subject.email, "phone": subject.phone },
        "orders_requested": subject.orders,
        "generated_at": now,
        "records": records,
    })
    .to_string()
}

/// `shop/redact` (48 hours after uninstall): deletes every row of the shop in every tenant
/// table, cancels its pending jobs, then deletes the `shops` row itself (domain and tokens), so
/// no row anywhere keeps the shop's id. What remains is a `shop_redactions` audit row naming the
/// domain with counts. A reinstall later starts a fresh shop.
#[derive(Debug, Serialize, Deserialize)]
pub struct RedactShop {
    /// The `shop/redact` delivery.
    pub delivery_id: i64,
}

impl Job for RedactShop {
    const KIND: &'static str = "gdpr_redact_shop";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let now = ctx.clock.now();
        let Some(shop) = shops::find_by_id(&ctx.db, db.shop_id()).await? else {
            return Ok(()); // Erased by an earlier run.
        };
        let requested_at = store::triggered_at(db, self.delivery_id)
            .await?
            .unwrap_or(now);
        if shop.uninstalled_at.is_none() {
            // Shopify does not send shop/redact once the app is reinstalled (§6); erasing an
            // installed shop would destroy a live merchant's data, so the request is closed.
            tracing::warn!(
                delivery_id = self.delivery_id,
                "shop/redact for an installed shop; skipped"
            );
            let mut tx = db.begin().await?;
            store::complete_request(&mut tx, self.delivery_id, "skipped", 0, now).await?;
            tx.commit().await?;
            return Ok(());
        }
        let mut tx = db.begin().await?;
        let rows = engine::delete_shop_rows(&mut tx).await?;
        tx.commit().await?;

        let mut tx = ctx.db.begin().await?;
        let cancelled = cancel_for_shop(&mut tx, &ctx.clock, db.shop_id(), &[]).await?;
        let audit = shops::Erasure {
            rows_deleted: rows,
            jobs_cancelled: cancelled,
            requested_at,
        };
        shops::erase(&mut tx, &shop, &audit, now).await?;
        tx.commit().await?;
        if let Ok(state) = ctx.get::<crate::state::AppState>() {
            state.intake.forget(&shop.domain);
        }
        tracing::info!(rows, jobs_cancelled = cancelled, "shop redacted");
        Ok(())
    }
}

/// `app/uninstalled` (issue part 4): cancels the shop's pending jobs, except compliance work,
/// and re-enqueues the processing of compliance deliveries whose job the cancel caught before
/// it recorded them, so no request Shopify sent is lost. Safe to repeat.
pub async fn after_uninstall(ctx: &JobCtx, db: &ShopDb) -> anyhow::Result<u64> {
    let cancelled = cancel_for_shop(&ctx.db, &ctx.clock, db.shop_id(), &KEEP_ON_UNINSTALL).await?;
    let mut tx = db.begin().await?;
    let pending = store::unrecorded_compliance_deliveries(&mut tx, &COMPLIANCE_TOPICS).await?;
    for delivery_id in pending {
        let opts = EnqueueOpts::default().shop(db.shop_id());
        enqueue(
            tx.as_db_tx(),
            &ctx.clock,
            &ProcessWebhook { delivery_id },
            opts,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(cancelled)
}
