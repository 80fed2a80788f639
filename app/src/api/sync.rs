//! The store-data sync: importing the shop's products, customers, orders and abandoned checkouts
//! from Shopify (a FULL bulk import at install, DELTA runs for changes since). Read its status,
//! start a run, and follow runs live over the `syncProgress` subscription.
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::ws::{Subscription, SubscriptionEvent, subscribe};
use super::{ApiError, graphql};

/// Every field of a run the app shows, shared by the query, the mutation and the subscription.
const RUN_FRAGMENT: &str = "fragment SyncRunFields on SyncRun { id kind trigger status startedAt \
     finishedAt rowsDone rowsExpected ratePerSecond etaSeconds \
     resources { resource rowsDone rowsExpected done } error }";

/// What a run imports (GraphQL `SyncRunKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncRunKind {
    /// Everything, through Shopify's bulk operations.
    Full,
    /// What changed since the last run's watermark.
    Delta,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// Why a run started (GraphQL `SyncTrigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncTrigger {
    /// The app was installed.
    Install,
    /// The regular schedule.
    Schedule,
    /// The merchant pressed "Sync now".
    Manual,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// Where a run stands (GraphQL `SyncRunStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncRunStatus {
    /// In progress.
    Running,
    /// Finished; the data is current as of `finishedAt`.
    Succeeded,
    /// Stopped; `error` says why.
    Failed,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// One resource's share of a run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncResourceProgress {
    /// `products`, `customers`, `orders` or `checkouts`.
    pub resource: String,
    /// Rows imported so far.
    pub rows_done: u64,
    /// Rows to import, once known.
    pub rows_expected: Option<u64>,
    /// This resource is finished.
    pub done: bool,
}

/// One sync run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    /// The run's id.
    pub id: String,
    /// Full import or changes.
    pub kind: SyncRunKind,
    /// Why it started.
    pub trigger: SyncTrigger,
    /// Where it stands.
    pub status: SyncRunStatus,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339), if it has.
    pub finished_at: Option<String>,
    /// Rows imported so far.
    pub rows_done: u64,
    /// Rows to import, once known.
    pub rows_expected: Option<u64>,
    /// Rows imported per second, once measurable.
    pub rate_per_second: Option<f64>,
    /// Seconds left, once estimable.
    pub eta_seconds: Option<u64>,
    /// Per-resource progress.
    #[serde(default)]
    pub resources: Vec<SyncResourceProgress>,
    /// Why it failed.
    pub error: Option<String>,
}

impl SyncRun {
    /// Still in progress.
    pub fn is_running(&self) -> bool {
        self.status == SyncRunStatus::Running
    }

    /// How far along the run is, 0–100; `None` while the total is unknown. A succeeded run is
    /// complete whatever its counts say (Shopify's counts are estimates).
    pub fn percent(&self) -> Option<f64> {
        if self.status == SyncRunStatus::Succeeded {
            return Some(100.0);
        }
        let expected = self.rows_expected?;
        if expected == 0 {
            return Some(if self.is_running() { 0.0 } else { 100.0 });
        }
        Some((self.rows_done as f64 / expected as f64 * 100.0).min(100.0))
    }
}

/// How many records EcomCRM holds for the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub struct SyncCounts {
    /// Customers.
    pub customers: u64,
    /// Orders.
    pub orders: u64,
    /// Products.
    pub products: u64,
    /// Abandoned checkouts.
    pub checkouts: u64,
}

/// Everything the Data sync page shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// When the newest successful run finished (RFC 3339); `None` if none ever did.
    pub last_synced_at: Option<String>,
    /// No run succeeded in the last 24 hours.
    pub stale: bool,
    /// The run in progress.
    pub running: Option<SyncRun>,
    /// Recent runs, newest first, the running one included.
    pub runs: Vec<SyncRun>,
    /// Records held.
    pub counts: SyncCounts,
}

/// What every page shows about the sync: the "Last synced" label and the stale banner.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// When the newest successful run finished (RFC 3339).
    pub last_synced_at: Option<String>,
    /// No run succeeded in the last 24 hours.
    pub stale: bool,
}

impl From<&SyncStatus> for SyncSummary {
    fn from(status: &SyncStatus) -> Self {
        Self {
            last_synced_at: status.last_synced_at.clone(),
            stale: status.stale,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusData<T> {
    sync_status: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncNowData {
    sync_now: SyncRun,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProgressData {
    sync_progress: SyncRun,
}

/// The shop's sync status with its last 20 runs.
pub async fn sync_status() -> Result<SyncStatus, ApiError> {
    let query = format!(
        "query SyncStatus {{ syncStatus {{ lastSyncedAt stale \
         running {{ ...SyncRunFields }} runs(first: 20) {{ ...SyncRunFields }} \
         counts {{ customers orders products checkouts }} }} }} {RUN_FRAGMENT}"
    );
    let data: StatusData<SyncStatus> = graphql(&query, json!({})).await?;
    Ok(data.sync_status)
}

/// Only when the shop last synced and whether that is too long ago.
pub async fn sync_summary() -> Result<SyncSummary, ApiError> {
    let data: StatusData<SyncSummary> = graphql(
        "query SyncSummary { syncStatus { lastSyncedAt stale } }",
        json!({}),
    )
    .await?;
    Ok(data.sync_status)
}

/// Starts a run, or returns the one already running.
pub async fn sync_now() -> Result<SyncRun, ApiError> {
    let query = format!("mutation SyncNow {{ syncNow {{ ...SyncRunFields }} }} {RUN_FRAGMENT}");
    let data: SyncNowData = graphql(&query, json!({})).await?;
    Ok(data.sync_now)
}

/// Follows the shop's runs: `on_event` gets the run each time its progress or status changes.
/// Dropping the returned handle unsubscribes.
pub fn sync_progress(on_event: impl Fn(SubscriptionEvent<SyncRun>) + 'static) -> Subscription {
    subscribe(
        format!(
            "subscription SyncProgress {{ syncProgress {{ ...SyncRunFields }} }} {RUN_FRAGMENT}"
        ),
        json!({}),
        move |event: SubscriptionEvent<ProgressData>| {
            on_event(match event {
                SubscriptionEvent::Connected => SubscriptionEvent::Connected,
                SubscriptionEvent::Next(data) => SubscriptionEvent::Next(data.sync_progress),
                SubscriptionEvent::Failed(error) => SubscriptionEvent::Failed(error),
            });
        },
    )
}

/// `runs` with `live` in its place: replacing the run with the same id, or first when it is newer
/// than every listed run (the list is newest first).
pub fn merge_run(runs: &[SyncRun], live: &SyncRun) -> Vec<SyncRun> {
    let mut merged = runs.to_vec();
    match merged.iter_mut().find(|run| run.id == live.id) {
        Some(run) => *run = live.clone(),
        None => merged.insert(0, live.clone()),
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, status: SyncRunStatus, done: u64, expected: Option<u64>) -> SyncRun {
        SyncRun {
            id: id.into(),
            kind: SyncRunKind::Full,
            trigger: SyncTrigger::Install,
            status,
            started_at: "2026-03-05T14:04:00Z".into(),
            finished_at: None,
            rows_done: done,
            rows_expected: expected,
            rate_per_second: None,
            eta_seconds: None,
            resources: vec![],
            error: None,
        }
    }

    #[test]
    fn a_run_decodes_from_the_graphql_shape() {
        let run: SyncRun = serde_json::from_value(json!({
            "id": "7", "kind": "FULL", "trigger": "INSTALL", "status": "RUNNING",
            "startedAt": "2026-03-05T14:04:00Z", "finishedAt": null,
            "rowsDone": 1200, "rowsExpected": null, "ratePerSecond": 310.5, "etaSeconds": null,
            "resources": [{"resource": "products", "rowsDone": 1200, "rowsExpected": 1200, "done": true}],
            "error": null
        }))
        .unwrap();
        assert!(run.is_running());
        assert_eq!(run.percent(), None);
        assert_eq!(run.resources[0].rows_expected, Some(1200));
        let odd: SyncRunStatus = serde_json::from_value(json!("PAUSED")).unwrap();
        assert_eq!(odd, SyncRunStatus::Unknown);
    }

    #[test]
    fn progress_is_capped_and_a_success_is_complete() {
        let half = run("1", SyncRunStatus::Running, 50, Some(100));
        assert_eq!(half.percent(), Some(50.0));
        let over = run("1", SyncRunStatus::Running, 130, Some(100));
        assert_eq!(over.percent(), Some(100.0));
        let done = run("1", SyncRunStatus::Succeeded, 90, Some(100));
        assert_eq!(done.percent(), Some(100.0));
    }

    #[test]
    fn a_live_run_replaces_its_row_or_goes_first() {
        let runs = vec![
            run("2", SyncRunStatus::Running, 1, None),
            run("1", SyncRunStatus::Succeeded, 9, Some(9)),
        ];
        let merged = merge_run(&runs, &run("2", SyncRunStatus::Succeeded, 5, Some(5)));
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].status, SyncRunStatus::Succeeded);
        let merged = merge_run(&runs, &run("3", SyncRunStatus::Running, 0, None));
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].id, "3");
    }
}
