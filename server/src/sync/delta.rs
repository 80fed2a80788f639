//! The delta sync: for each resource, page through the records Shopify changed since the last
//! watermark (oldest change first) and write each page in one transaction with its cursor, so
//! a retried job resumes at the next page. It repairs whatever webhooks missed (Shopify gives
//! up on a delivery after 8 tries in 4 hours). Deletions are not visible to queries; they
//! arrive by `customers/delete` only.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::admin_json::{CheckoutJson, CustomerJson, Nodes, OrderJson, ProductJson};
use super::records::Resource;
use super::runs::{self, Progress};
use super::{admin_calls, counters, progress, start, write};
use crate::crm::rfm;
use crate::db::{ShopDb, ShopTx};
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::shopify::admin_client::{self, ShopifyError};
use crate::state::AppState;

/// How long a throttled delta sync waits before going on.
const THROTTLE_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a delta run's parts one after another.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunDelta {
    pub run_id: i64,
}

impl Job for RunDelta {
    const KIND: &'static str = "run_delta_sync";
    const MAX_ATTEMPTS: i32 = 6;

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let result = self.sync(ctx).await;
        if let Err(e) = &result
            && matches!(
                e.downcast_ref::<ShopifyError>(),
                Some(ShopifyError::Throttled)
            )
        {
            // An empty bucket is not a failure: the pages done are committed with their cursor,
            // so the run continues once the bucket has refilled, without spending an attempt.
            let mut tx = db.begin().await?;
            let opts = EnqueueOpts::default()
                .shop(db.shop_id())
                .after(THROTTLE_PAUSE);
            enqueue(
                tx.as_db_tx(),
                &ctx.clock,
                &RunDelta {
                    run_id: self.run_id,
                },
                opts,
            )
            .await?;
            tx.commit().await?;
            tracing::info!(
                run_id = self.run_id,
                "delta sync paused while Shopify's bucket refills"
            );
            return Ok(());
        }
        start::fail_on_last_attempt(ctx, self.run_id, None, result).await
    }
}

/// A page of a delta query: `{ <root>: { nodes, pageInfo } }`.
type PageData<T> = HashMap<String, Nodes<T>>;

impl RunDelta {
    async fn sync(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let Some(run) = runs::find(db, self.run_id).await? else {
            return Ok(());
        };
        if run.status != "running" {
            return Ok(());
        }
        let sync_state = runs::state(db).await?;
        let currency = super::full::shop_currency(db).await?;
        for part in runs::parts(db, run.id).await? {
            let Some(resource) = part.resource() else {
                continue;
            };
            if part.status == "done" {
                continue;
            }
            let since = sync_state
                .watermarks
                .get(resource.as_str())
                .copied()
                .or(sync_state.historical_before)
                .unwrap_or(run.started_at);
            let mut cursor = part.cursor.clone();
            loop {
                let page = Pager {
                    state,
                    db,
                    ctx,
                    run_id: run.id,
                    resource,
                    currency: &currency,
                };
                match page.next(since, cursor.as_deref()).await? {
                    Some(Some(next)) => cursor = Some(next),
                    Some(None) => break,
                    None => return Ok(()),
                }
            }
            let mut tx = db.begin().await?;
            runs::set_status(&mut tx, run.id, resource, "done", None, ctx.clock.now()).await?;
            tx.commit().await?;
        }
        let mut tx = db.begin().await?;
        let opts = EnqueueOpts::default().shop(db.shop_id());
        enqueue(
            tx.as_db_tx(),
            &ctx.clock,
            &start::FinishSyncRun { run_id: run.id },
            opts,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Reads and writes one page of one resource.
struct Pager<'a> {
    state: &'a AppState,
    db: &'a ShopDb,
    ctx: &'a JobCtx,
    run_id: i64,
    resource: Resource,
    currency: &'a str,
}

/// The search string of a delta query.
pub fn since_query(since: DateTime<Utc>) -> String {
    format!(
        "updated_at:>='{}'",
        since.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

impl Pager<'_> {
    /// Writes the next page; `Some(Some(cursor))` when more follow, `Some(None)` at the end,
    /// `None` when the shop cannot be reached (erased, uninstalled, needs authorization).
    async fn next(
        &self,
        since: DateTime<Utc>,
        after: Option<&str>,
    ) -> anyhow::Result<Option<Option<String>>> {
        let vars = serde_json::json!({ "query": since_query(since), "after": after });
        let shop = self.db.shop_id();
        let (rows, max_updated, info) = match self.resource {
            Resource::Customers => {
                let Some((nodes, info)) = self
                    .fetch::<CustomerJson>(admin_client::DELTA_CUSTOMERS, vars)
                    .await?
                else {
                    return Ok(None);
                };
                let records: Vec<_> = nodes
                    .into_iter()
                    .filter_map(|c| keep(c.into_record()))
                    .collect();
                let max = records.iter().map(|r| r.updated_at).max();
                let mut tx = self.db.begin().await?;
                write::customers(&mut tx, &records).await?;
                (self.commit(tx, records.len(), max, &info).await?, max, info)
            }
            Resource::Orders => {
                let Some((nodes, info)) = self
                    .fetch::<OrderJson>(admin_client::DELTA_ORDERS, vars)
                    .await?
                else {
                    return Ok(None);
                };
                for o in &nodes {
                    if o.line_items
                        .as_ref()
                        .and_then(|l| l.page_info.as_ref())
                        .is_some_and(|p| p.has_next_page)
                    {
                        tracing::warn!(
                            run_id = self.run_id,
                            "order with more than 30 lines: the rest wait for the next full import"
                        );
                    }
                }
                let records: Vec<_> = nodes
                    .into_iter()
                    .filter_map(|o| keep(o.into_record(None)))
                    .collect();
                let max = records.iter().map(|r| r.updated_at).max();
                let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
                let mut tx = self.db.begin().await?;
                counters::lock_shop(&mut tx).await?;
                let mut touched = counters::order_customers(&mut tx, &ids).await?;
                let history = runs::state_in(&mut tx).await?.historical_before;
                write::orders(&mut tx, &records, history).await?;
                touched.extend(records.iter().filter_map(|r| r.customer_id));
                counters::refresh(&mut tx, &touched).await?;
                let now = self.ctx.clock.now();
                let changes = rfm::rescore(&mut tx, &touched, now).await?;
                crate::crm::predictions::predict_customers(&mut tx, &touched, now).await?;
                let rows = self.commit(tx, records.len(), max, &info).await?;
                rfm::publish_changes(self.ctx, self.db.shop_id().get(), &changes, now).await;
                (rows, max, info)
            }
            Resource::Products => {
                let Some((nodes, info)) = self
                    .fetch::<ProductJson>(admin_client::DELTA_PRODUCTS, vars)
                    .await?
                else {
                    return Ok(None);
                };
                let records: Vec<_> = nodes
                    .into_iter()
                    .filter_map(|p| keep(p.into_record(None, self.currency)))
                    .collect();
                let max = records.iter().map(|r| r.updated_at).max();
                let mut tx = self.db.begin().await?;
                write::products(&mut tx, &records).await?;
                (self.commit(tx, records.len(), max, &info).await?, max, info)
            }
            Resource::Checkouts => {
                let Some((nodes, info)) = self
                    .fetch::<CheckoutJson>(admin_client::DELTA_CHECKOUTS, vars)
                    .await?
                else {
                    return Ok(None);
                };
                let records: Vec<_> = nodes
                    .into_iter()
                    .filter_map(|c| keep(c.into_record(None)))
                    .collect();
                let max = records.iter().map(|r| r.updated_at).max();
                let mut tx = self.db.begin().await?;
                write::checkouts(&mut tx, &records).await?;
                (self.commit(tx, records.len(), max, &info).await?, max, info)
            }
        };
        tracing::debug!(
            run_id = self.run_id,
            resource = self.resource.as_str(),
            rows,
            ?max_updated,
            "delta page written"
        );
        progress::publish(self.state, shop, self.run_id, self.ctx.clock.now()).await;
        Ok(Some(
            info.filter(|i| i.has_next_page).and_then(|i| i.end_cursor),
        ))
    }

    async fn fetch<T: DeserializeOwned + Send>(
        &self,
        operation: &'static str,
        vars: serde_json::Value,
    ) -> anyhow::Result<Option<(Vec<T>, Option<super::admin_json::PageInfo>)>> {
        let data: Option<PageData<T>> =
            admin_calls::query(self.state, self.db.shop_id(), operation, vars).await?;
        Ok(data.map(|d| {
            let page = d.into_values().next();
            page.map_or_else(|| (Vec::new(), None), |p| (p.nodes, p.page_info))
        }))
    }

    /// Records the page's progress and commits it with the records.
    async fn commit(
        &self,
        mut tx: ShopTx,
        rows: usize,
        max_updated_at: Option<DateTime<Utc>>,
        info: &Option<super::admin_json::PageInfo>,
    ) -> anyhow::Result<usize> {
        let cursor = info.as_ref().and_then(|i| i.end_cursor.as_deref());
        let p = Progress {
            lines: 0,
            rows: rows as i64,
            max_updated_at,
            cursor,
        };
        runs::advance(
            &mut tx,
            self.run_id,
            self.resource,
            &p,
            self.ctx.clock.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(rows)
    }
}

/// Keeps a record that parsed; logs and skips one that did not, so one bad record cannot stall
/// the sync.
fn keep<T>(record: Result<T, super::admin_json::BadRecord>) -> Option<T> {
    match record {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, "record skipped");
            None
        }
    }
}
