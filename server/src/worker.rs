//! The background worker as the server runs it: every domain's jobs and schedules in one
//! registry, with the application state provided to jobs.

use std::time::Duration;

use tokio::sync::watch;

use crate::jobs::{Registry, Schedule, Worker, WorkerOpts};
use crate::shopify::jobs::{RefreshAllShopProfiles, RefreshShopProfile, SyncGrantedScopes};
use crate::shopify::subscriptions::reconcile::{ReconcileAllWebhooks, ReconcileWebhooks};
use crate::state::AppState;

/// The registry of every job kind the server runs, with its schedules.
pub fn registry(state: &AppState) -> Registry {
    Registry::new()
        .register::<RefreshShopProfile>()
        .register::<RefreshAllShopProfiles>()
        .schedule(Schedule::every(
            "refresh_shop_profiles",
            Duration::from_secs(24 * 3600),
            RefreshAllShopProfiles {},
        ))
        .register::<SyncGrantedScopes>()
        .register::<crate::shopify::billing::usage::ChargeUsage>()
        .register::<crate::shopify::billing::account::SyncBilling>()
        .register::<ReconcileWebhooks>()
        .register::<ReconcileAllWebhooks>()
        .schedule(Schedule::every(
            "reconcile_webhooks",
            Duration::from_secs(24 * 3600),
            ReconcileAllWebhooks {},
        ))
        .register::<crate::shopify::webhooks::jobs::ProcessWebhook>()
        .register::<crate::shopify::webhooks::jobs::PruneShopWebhookDeliveries>()
        .register::<crate::shopify::gdpr::RedactCustomer>()
        .register::<crate::shopify::gdpr::ExportCustomerData>()
        .register::<crate::shopify::gdpr::RedactShop>()
        .schedule(Schedule::every(
            "prune_webhook_deliveries",
            crate::shopify::webhooks::jobs::PRUNE_EVERY,
            crate::shopify::webhooks::jobs::PruneWebhookDeliveries {},
        ))
        .register::<crate::sync::start::StartSync>()
        .register::<crate::sync::start::FinishSyncRun>()
        .register::<crate::sync::start::ScheduleDeltaSyncs>()
        .schedule(Schedule::every(
            "delta_sync",
            crate::sync::start::DELTA_EVERY,
            crate::sync::start::ScheduleDeltaSyncs {},
        ))
        .register::<crate::sync::full::BeginFullImport>()
        .register::<crate::sync::full::PollBulkImport>()
        .register::<crate::sync::full::ImportBulkPart>()
        .register::<crate::sync::delta::RunDelta>()
        .register::<crate::crm::rfm::RecomputeSegments>()
        .register::<crate::crm::rfm::ScheduleSegmentRecomputes>()
        .schedule(Schedule::every(
            "segment_recompute",
            crate::crm::rfm::SCHEDULE_EVERY,
            crate::crm::rfm::ScheduleSegmentRecomputes {},
        ))
        .register::<crate::crm::predictions::RefitPredictions>()
        .register::<crate::crm::predictions::ScheduleRefits>()
        .schedule(Schedule::every(
            "prediction_refit",
            crate::crm::predictions::SCHEDULE_EVERY,
            crate::crm::predictions::ScheduleRefits {},
        ))
        .provide(state.clone())
}

/// Runs jobs until shutdown; in-flight jobs finish (within the worker's grace period).
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let worker = Worker::new(
        state.db.clone(),
        registry(&state),
        state.clock.clone(),
        WorkerOpts::default(),
    );
    let stats = worker
        .run(async move {
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .await;
    tracing::info!(?stats, "worker stopped");
    Ok(())
}
