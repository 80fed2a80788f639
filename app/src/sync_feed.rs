//! The store-data sync as every page sees it: when the shop last synced, whether that is too long
//! ago, and the latest run the `syncProgress` subscription reported. The App owns one feed (one
//! WebSocket for the whole app) and starts it once the shop has a plan; the frame's "Last synced"
//! label, the stale banner and the Data sync page all read it, and that page writes back what it
//! loads, as the plan page does with the plan gate.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Subscription, SubscriptionEvent, SyncRun, SyncRunStatus, SyncSummary};
use crate::format;

/// How often relative times ("3 minutes ago") are worked out again.
const TICK: Duration = Duration::from_secs(30);

/// The shared sync state; cheap to copy, provided as context by the App.
#[derive(Clone, Copy)]
pub struct SyncFeed {
    /// `None` until read (and while the shop has no plan).
    summary: RwSignal<Option<SyncSummary>>,
    /// The newest run the subscription (or "Sync now") reported.
    latest: RwSignal<Option<SyncRun>>,
    /// How many times the subscription has been (re)established; events may be lost in between.
    connections: RwSignal<u32>,
    /// The browser's clock in milliseconds, updated every 30 seconds.
    now: RwSignal<f64>,
    subscription: StoredValue<Option<Subscription>, LocalStorage>,
}

impl SyncFeed {
    /// An idle feed whose clock ticks for as long as the calling component lives.
    pub fn new() -> Self {
        let now = RwSignal::new(format::now_millis());
        match set_interval_with_handle(
            move || {
                let _ = now.try_set(format::now_millis());
            },
            TICK,
        ) {
            Ok(handle) => on_cleanup(move || handle.clear()),
            Err(_) => leptos::logging::error!("EcomCRM: could not start the sync clock"),
        }
        Self {
            summary: RwSignal::new(None),
            latest: RwSignal::new(None),
            connections: RwSignal::new(0),
            now,
            subscription: StoredValue::new_local(None),
        }
    }

    /// Reads the summary and follows runs live. Does nothing when already started.
    pub fn start(self) {
        if self.subscription.with_value(Option::is_some) {
            return;
        }
        self.refresh();
        let subscription = api::sync_progress(move |event| match event {
            SubscriptionEvent::Connected => {
                let _ = self.connections.try_update(|n| *n += 1);
                // Whatever finished while the socket was down was not announced.
                self.refresh();
            }
            SubscriptionEvent::Next(run) => self.record(run),
            SubscriptionEvent::Failed(error) => {
                leptos::logging::warn!("EcomCRM: live sync updates stopped: {error}");
            }
        });
        self.subscription.set_value(Some(subscription));
    }

    /// Re-reads the summary from the server.
    fn refresh(self) {
        spawn_local(async move {
            match api::sync_summary().await {
                Ok(summary) => self.set_summary(summary),
                Err(error) => leptos::logging::warn!("EcomCRM: sync status unavailable: {error}"),
            }
        });
    }

    /// Takes a summary read from the server, unless the feed already knows of a later success
    /// (a reply can be overtaken by the subscription).
    pub fn set_summary(self, summary: SyncSummary) {
        let read = summary.last_synced_at.as_deref().and_then(format::millis);
        let _ = self.summary.try_update(|current| {
            let held = current
                .as_ref()
                .and_then(|current| current.last_synced_at.as_deref())
                .and_then(format::millis);
            let keep_current = match (held, read) {
                (Some(held), Some(read)) => held > read,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !keep_current {
                *current = Some(summary);
            }
        });
    }

    /// Records a run's latest state; a success makes the shop's data current.
    pub fn record(self, run: SyncRun) {
        if run.status == SyncRunStatus::Succeeded {
            let finished = run.finished_at.clone();
            let _ = self.summary.try_update(|summary| {
                let last_synced_at = finished.or_else(|| {
                    summary
                        .as_ref()
                        .and_then(|summary| summary.last_synced_at.clone())
                });
                *summary = Some(SyncSummary {
                    last_synced_at,
                    stale: false,
                });
            });
            // "just now" must not wait for the next tick.
            let _ = self.now.try_set(format::now_millis());
        }
        let _ = self.latest.try_set(Some(run));
    }

    /// Records a run read from the server ("Sync now", the status query), unless the feed
    /// already has news of it.
    pub fn started(self, run: SyncRun) {
        let known = self
            .latest
            .with_untracked(|latest| latest.as_ref().is_some_and(|l| l.id == run.id));
        if !known {
            self.record(run);
        }
    }

    /// The summary, once read (tracked).
    pub fn summary(self) -> Option<SyncSummary> {
        self.summary.get()
    }

    /// The newest run reported (tracked).
    pub fn latest(self) -> Option<SyncRun> {
        self.latest.get()
    }

    /// A run is in progress, as far as the feed knows (tracked).
    pub fn running(self) -> bool {
        self.latest
            .with(|latest| latest.as_ref().is_some_and(SyncRun::is_running))
    }

    /// How many times the live feed has connected (tracked).
    pub fn connections(self) -> u32 {
        self.connections.get()
    }

    /// The browser's clock in milliseconds, refreshed every 30 seconds (tracked).
    pub fn now(self) -> f64 {
        self.now.get()
    }
}

impl Default for SyncFeed {
    fn default() -> Self {
        Self::new()
    }
}

/// "Last synced 3 minutes ago", or "Not synced yet" when no run ever succeeded.
pub fn last_synced_text(last_synced_at: Option<&str>, now_ms: f64) -> String {
    match last_synced_at {
        None => "Not synced yet".to_string(),
        Some(at) => match format::millis(at) {
            Some(ms) => format!("Last synced {}", format::time_ago(ms, now_ms)),
            None => format!("Last synced {}", format::date_time(at)),
        },
    }
}
