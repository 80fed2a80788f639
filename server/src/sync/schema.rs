//! GraphQL for the sync status the merchant sees: `syncStatus` (last sync, staleness, the
//! running run with progress, history, record counts), `syncNow`, and the `syncProgress`
//! subscription. Thin over [`runs`]; scoped by the request's shop handle.

use async_graphql::{Context, Enum, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};

use super::runs::{self, Part, Run, RunKind, Trigger};
use super::start;
use crate::db::ShopDb;
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;

/// How long without a successful sync before the app warns.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SyncRunKind {
    Full,
    Delta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SyncTrigger {
    Install,
    Schedule,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SyncRunStatus {
    Running,
    Succeeded,
    Failed,
}

/// One resource of a run.
#[derive(SimpleObject)]
pub struct SyncResourceProgress {
    /// `products`, `customers`, `orders` or `checkouts`.
    resource: String,
    rows_done: i64,
    /// Null while unknown.
    rows_expected: Option<i64>,
    done: bool,
}

/// A sync run with its progress.
#[derive(SimpleObject)]
pub struct SyncRun {
    id: ID,
    kind: SyncRunKind,
    trigger: SyncTrigger,
    status: SyncRunStatus,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    rows_done: i64,
    /// Null until every resource's total is known.
    rows_expected: Option<i64>,
    /// Rows per second since the run started (null before the first row).
    rate_per_second: Option<f64>,
    /// Seconds left at the current rate (null when unknown).
    eta_seconds: Option<i64>,
    resources: Vec<SyncResourceProgress>,
    error: Option<String>,
}

/// Records held per resource.
#[derive(SimpleObject)]
pub struct SyncCounts {
    customers: i64,
    orders: i64,
    products: i64,
    checkouts: i64,
}

/// The shop's sync status.
pub struct SyncStatus {
    last_synced_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    installed_at: Option<DateTime<Utc>>,
}

#[Object]
impl SyncStatus {
    /// When the newest successful run finished (null if none has).
    async fn last_synced_at(&self) -> Option<DateTime<Utc>> {
        self.last_synced_at
    }

    /// True when no run succeeded in the last 24 hours (a new install gets 24 hours too).
    async fn stale(&self) -> bool {
        let since = self.last_synced_at.or(self.installed_at);
        since.is_some_and(|t| self.now - t > STALE_AFTER)
    }

    /// The run in progress.
    async fn running(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SyncRun>> {
        let rc = RequestCtx::of(ctx)?;
        let Some(run) = runs::running(&rc.db).await.gql()? else {
            return Ok(None);
        };
        Ok(Some(view(&rc.db, run, self.now).await.gql()?))
    }

    /// Newest runs first, the running one included.
    async fn runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<SyncRun>> {
        let rc = RequestCtx::of(ctx)?;
        let limit = i64::from(first.clamp(1, 100));
        let mut out = Vec::new();
        for run in runs::recent(&rc.db, limit).await.gql()? {
            out.push(view(&rc.db, run, self.now).await.gql()?);
        }
        Ok(out)
    }

    /// Records held now.
    async fn counts(&self, ctx: &Context<'_>) -> async_graphql::Result<SyncCounts> {
        let rc = RequestCtx::of(ctx)?;
        let (customers, orders, products, checkouts) = runs::counts(&rc.db).await.gql()?;
        Ok(SyncCounts {
            customers,
            orders,
            products,
            checkouts,
        })
    }
}

/// Builds the view of a run from its parts.
pub async fn view(db: &ShopDb, run: Run, now: DateTime<Utc>) -> sqlx::Result<SyncRun> {
    let parts = runs::parts(db, run.id).await?;
    Ok(view_of(run, &parts, now))
}

fn view_of(run: Run, parts: &[Part], now: DateTime<Utc>) -> SyncRun {
    let rows_done: i64 = parts.iter().map(|p| p.rows_done).sum();
    let rows_expected = parts
        .iter()
        .map(|p| p.rows_expected)
        .sum::<Option<i64>>()
        .map(|total| total.max(rows_done));
    let end = run.finished_at.unwrap_or(now);
    let seconds = (end - run.started_at).num_milliseconds() as f64 / 1000.0;
    let rate = (rows_done > 0 && seconds > 0.0).then(|| rows_done as f64 / seconds);
    let eta = match (run.status.as_str(), rate, rows_expected) {
        ("running", Some(rate), Some(total)) => {
            Some(((total - rows_done) as f64 / rate).ceil() as i64)
        }
        _ => None,
    };
    SyncRun {
        id: ID(run.id.to_string()),
        kind: if run.kind == RunKind::Full.as_str() {
            SyncRunKind::Full
        } else {
            SyncRunKind::Delta
        },
        trigger: match run.trigger.as_str() {
            "install" => SyncTrigger::Install,
            "schedule" => SyncTrigger::Schedule,
            _ => SyncTrigger::Manual,
        },
        status: match run.status.as_str() {
            "running" => SyncRunStatus::Running,
            "succeeded" => SyncRunStatus::Succeeded,
            _ => SyncRunStatus::Failed,
        },
        started_at: run.started_at,
        finished_at: run.finished_at,
        rows_done,
        rows_expected,
        rate_per_second: rate,
        eta_seconds: eta,
        resources: parts
            .iter()
            .map(|p| SyncResourceProgress {
                resource: p.resource.clone(),
                rows_done: p.rows_done,
                rows_expected: p.rows_expected,
                done: p.status == "done",
            })
            .collect(),
        error: run.error,
    }
}

/// Sync queries.
#[derive(Default)]
pub struct SyncQuery;

#[Object]
impl SyncQuery {
    /// The store data sync's status.
    async fn sync_status(&self, ctx: &Context<'_>) -> async_graphql::Result<SyncStatus> {
        let rc = RequestCtx::of(ctx)?;
        let state = runs::state(&rc.db).await.gql()?;
        let shop = crate::shopify::shops::find_by_id(&rc.app.db, rc.db.shop_id())
            .await
            .gql()?;
        Ok(SyncStatus {
            last_synced_at: state.last_success_at,
            now: rc.app.clock.now(),
            installed_at: shop.and_then(|s| s.installed_at),
        })
    }
}

/// Sync mutations.
#[derive(Default)]
pub struct SyncMutation;

#[Object]
impl SyncMutation {
    /// Starts a sync now: changes since the last one, or everything when none succeeded yet.
    /// Returns the run in progress (an already running one is returned as is).
    async fn sync_now(&self, ctx: &Context<'_>) -> async_graphql::Result<SyncRun> {
        let rc = RequestCtx::of(ctx)?;
        let app = &rc.app;
        let shop = crate::shopify::shops::find_by_id(&app.db, rc.db.shop_id())
            .await
            .gql()?;
        let installed_at = shop.and_then(|s| s.installed_at);
        let run = start::start_run(
            &rc.db,
            &app.clock,
            RunKind::Delta,
            Trigger::Manual,
            installed_at,
        )
        .await
        .gql()?;
        super::progress::publish(app, rc.db.shop_id(), run.id, app.clock.now()).await;
        view(&rc.db, run, app.clock.now()).await.gql()
    }
}

/// Sync subscriptions.
#[derive(Default)]
pub struct SyncSubscription;

#[Subscription]
impl SyncSubscription {
    /// The shop's run each time its progress or status changes.
    async fn sync_progress(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl futures::Stream<Item = SyncRun>> {
        use futures::StreamExt;
        let rc = RequestCtx::of(ctx)?;
        let db = rc.db.clone();
        let clock = rc.app.clock.clone();
        let events = rc.app.events.subscribe_shop(db.shop_id().get());
        Ok(events
            .filter(|e| std::future::ready(e.kind == super::progress::KIND))
            .filter_map(move |e| {
                let db = db.clone();
                let now = clock.now();
                async move {
                    let id = e.payload.get("run_id")?.as_i64()?;
                    let run = runs::find(&db, id).await.ok()??;
                    view(&db, run, now).await.ok()
                }
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn part(resource: &str, done: i64, expected: Option<i64>) -> Part {
        Part {
            run_id: 1,
            resource: resource.into(),
            status: "importing".into(),
            bulk_operation_id: None,
            lines_done: 0,
            rows_done: done,
            rows_expected: expected,
            max_updated_at: None,
            cursor: None,
            error: None,
            updated_at: at("2026-11-01T00:00:00Z"),
        }
    }

    #[test]
    fn progress_shows_rate_and_time_left_once_totals_are_known() {
        let run = Run {
            id: 1,
            kind: "full".into(),
            trigger: "install".into(),
            status: "running".into(),
            error: None,
            started_at: at("2026-11-01T00:00:00Z"),
            finished_at: None,
        };
        let parts = [
            part("customers", 300, Some(400)),
            part("orders", 100, Some(900)),
        ];
        let v = view_of(run.clone(), &parts, at("2026-11-01T00:00:10Z"));
        assert_eq!((v.rows_done, v.rows_expected), (400, Some(1300)));
        assert_eq!(v.rate_per_second, Some(40.0));
        assert_eq!(v.eta_seconds, Some(23));
        let unknown = [part("customers", 300, None), part("orders", 100, Some(900))];
        let v = view_of(run, &unknown, at("2026-11-01T00:00:10Z"));
        assert_eq!((v.rows_expected, v.eta_seconds), (None, None));
    }
}
