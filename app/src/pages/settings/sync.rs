//! Settings › Data sync (`/settings/sync`): when EcomCRM last imported the store's data from
//! Shopify and how much it holds, "Sync now", the running import's progress (live, from the
//! app's sync feed) and the history of runs.
//!
//! The page loads `syncStatus` once and again whenever the live feed reconnects or reports a run
//! that ended (counts and history change then); between those, the feed's runs are laid over the
//! loaded ones, so the progress bar and the history move without re-reading.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::{Heading, with_data};
use crate::api::{
    self, SyncCounts, SyncResourceProgress, SyncRun, SyncRunKind, SyncRunStatus, SyncStatus,
    SyncSummary, SyncTrigger,
};
use crate::components::{Badge, Banner, Card, DataTable, EmptyState, Page, Tone};
use crate::sync_feed::{SyncFeed, last_synced_text};
use crate::{bridge, format};

/// The Data sync page's route.
pub const SYNC_PATH: &str = "/settings/sync";

/// How long a run the merchant watched end keeps its progress card (with its outcome).
const SHOW_ENDED_MS: f64 = 10.0 * 60.0 * 1000.0;

/// The Data sync page.
#[component]
pub fn SyncPage() -> impl IntoView {
    bridge::set_title("Data sync");
    let feed = expect_context::<SyncFeed>();
    let status = LocalResource::new(move || async move {
        let result = api::sync_status().await;
        if let Ok(status) = &result {
            // The frame's label and banner follow what this page read.
            feed.set_summary(SyncSummary::from(status));
            if let Some(running) = &status.running {
                feed.started(running.clone());
            }
        }
        result
    });
    // Re-read after a reconnect (events may have been missed) and when a run ends.
    Effect::watch(
        move || feed.connections(),
        move |_, _, _| status.refetch(),
        false,
    );
    Effect::watch(
        move || {
            feed.latest()
                .filter(|run| !run.is_running())
                .map(|run| run.id)
        },
        move |ended, previous, _| {
            if ended.is_some() && previous != Some(ended) {
                status.refetch();
            }
        },
        false,
    );
    let heading = Heading {
        title: "Data sync",
        from_data: false,
    };
    view! {
        <div id="page-sync">
            {with_data(
                heading,
                status,
                move |status: SyncStatus| view! { <SyncContent status feed/> },
            )}
        </div>
    }
}

#[component]
fn SyncContent(status: SyncStatus, feed: SyncFeed) -> impl IntoView {
    let SyncStatus {
        last_synced_at,
        stale,
        running,
        runs,
        counts,
    } = status;
    // The run to show progress for: the feed's, when it is the one the server says is running
    // (or nothing is and the feed saw it end in the last few minutes), else the server's.
    let current = Signal::derive(move || {
        let now = feed.now();
        let live = feed.latest().filter(|run| {
            run.is_running()
                || run
                    .finished_at
                    .as_deref()
                    .and_then(format::millis)
                    .is_some_and(|at| now - at < SHOW_ENDED_MS)
        });
        match (&running, live) {
            (Some(running), Some(live)) if live.id != running.id => Some(running.clone()),
            (_, Some(live)) => Some(live),
            (running, None) => running.clone(),
        }
    });
    let history = Signal::derive(move || match feed.latest() {
        Some(live) => api::merge_run(&runs, &live),
        None => runs.clone(),
    });
    let last_synced = Signal::derive(move || {
        feed.summary()
            .map(|summary| summary.last_synced_at)
            .unwrap_or_else(|| last_synced_at.clone())
    });
    let stale = Signal::derive(move || feed.summary().map_or(stale, |summary| summary.stale));
    let is_running =
        Signal::derive(move || current.with(|run| run.as_ref().is_some_and(SyncRun::is_running)));
    view! {
        <Page title="Data sync" subtitle="How EcomCRM keeps your Shopify store data up to date">
            <StatusCard last_synced stale running=is_running counts feed/>
            {move || current.get().map(|run| view! { <ProgressCard run feed/> })}
            <HistoryCard runs=history feed/>
        </Page>
    }
}

/// "Last synced …", the records held and "Sync now".
#[component]
fn StatusCard(
    last_synced: Signal<Option<String>>,
    stale: Signal<bool>,
    running: Signal<bool>,
    counts: SyncCounts,
    feed: SyncFeed,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<String>);
    let sync_now = move |_| {
        if busy.get_untracked() || running.get_untracked() {
            return;
        }
        busy.set(true);
        refused.set(None);
        spawn_local(async move {
            match api::sync_now().await {
                Ok(run) => feed.started(run),
                Err(error) => {
                    let _ = refused.try_set(Some(error.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let disabled = move || busy.get() || running.get();
    let label_text = move || last_synced_text(last_synced.get().as_deref(), feed.now());
    let full_date = move || last_synced.get().map(|at| format::date_time(&at));
    let badge = move || {
        let (tone, label) = if running.get() {
            (Tone::Info, "Syncing")
        } else if last_synced.with(Option::is_none) {
            (Tone::Neutral, "Not synced")
        } else if stale.get() {
            (Tone::Warning, "Out of date")
        } else {
            (Tone::Success, "Up to date")
        };
        view! { <span data-testid="sync-state"><Badge tone>{label}</Badge></span> }
    };
    let refused_banner = move || {
        refused.get().map(|reason| {
            view! {
                <Banner
                    tone=Tone::Critical
                    title="EcomCRM couldn't start a sync"
                    dismissible=true
                    on_dismiss=Callback::new(move |()| refused.set(None))
                    id="sync-now-error"
                >
                    <p data-testid="sync-now-error">{reason}</p>
                </Banner>
            }
        })
    };
    view! {
        <Card title="Sync status" id="sync-status">
            <div class="p-store" data-testid="sync-status">
                <div>
                    <div class="p-current-plan__name-row">
                        <p class="p-store__name" data-testid="last-synced" id="last-synced" title=full_date>
                            {label_text}
                        </p>
                        {badge}
                    </div>
                    <p class="p-text-secondary">
                        "EcomCRM imports your store's changes from Shopify on its own. Sync now to "
                        "fetch them at once."
                    </p>
                </div>
                <button
                    type="button"
                    class="p-button p-button--primary"
                    id="sync-now"
                    data-testid="sync-now"
                    disabled=disabled
                    aria-busy=move || disabled().then_some("true")
                    on:click=sync_now
                    style:display="inline-flex"
                    style:align-items="center"
                    style:gap="var(--p-space-200)"
                    style:white-space="nowrap"
                >
                    {move || disabled().then(spinner)}
                    {move || if disabled() { "Syncing…" } else { "Sync now" }}
                </button>
            </div>
            {refused_banner}
            <Counts counts/>
        </Card>
    }
}

/// A small spinning circle (Polaris Spinner, small), animated in SVG so it needs no CSS.
fn spinner() -> impl IntoView {
    view! {
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" data-testid="sync-spinner">
            <circle cx="10" cy="10" r="7.5" fill="none" stroke="currentColor" stroke-opacity="0.3"
                stroke-width="2.5"/>
            <path d="M10 2.5a7.5 7.5 0 0 1 7.5 7.5" fill="none" stroke="currentColor"
                stroke-width="2.5" stroke-linecap="round">
                <animateTransform attributeName="transform" type="rotate" from="0 10 10"
                    to="360 10 10" dur="0.8s" repeatCount="indefinite"/>
            </path>
        </svg>
    }
}

/// The records EcomCRM holds, four figures side by side.
#[component]
fn Counts(counts: SyncCounts) -> impl IntoView {
    let items = [
        ("customers", "Customers", counts.customers),
        ("orders", "Orders", counts.orders),
        ("products", "Products", counts.products),
        ("checkouts", "Abandoned checkouts", counts.checkouts),
    ]
    .into_iter()
    .map(|(key, label, count)| {
        view! {
            <div data-testid=format!("sync-count-{key}")>
                <p class="p-text-secondary">{label}</p>
                <p class="p-current-plan__name">{format::number(count)}</p>
            </div>
        }
    })
    .collect_view();
    view! {
        <div
            class="p-usage-list"
            data-testid="sync-counts"
            style:display="grid"
            style:grid-template-columns="repeat(auto-fit, minmax(140px, 1fr))"
        >
            {items}
        </div>
    }
}

/// A resource's name as the merchant knows it.
fn resource_label(resource: &str) -> String {
    match resource {
        "products" => "Products".to_string(),
        "customers" => "Customers".to_string(),
        "orders" => "Orders".to_string(),
        "checkouts" => "Abandoned checkouts".to_string(),
        other => {
            let mut label = other.replace('_', " ");
            if let Some(first) = label.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            label
        }
    }
}

fn kind_label(kind: SyncRunKind) -> &'static str {
    match kind {
        SyncRunKind::Full => "Full import",
        SyncRunKind::Delta => "Changes",
        SyncRunKind::Unknown => "Sync",
    }
}

fn trigger_label(trigger: SyncTrigger) -> &'static str {
    match trigger {
        SyncTrigger::Install => "Installed",
        SyncTrigger::Schedule => "Scheduled",
        SyncTrigger::Manual => "Sync now",
        SyncTrigger::Unknown => "Other",
    }
}

fn status_badge(status: SyncRunStatus) -> (Tone, &'static str) {
    match status {
        SyncRunStatus::Running => (Tone::Info, "Running"),
        SyncRunStatus::Succeeded => (Tone::Success, "Succeeded"),
        SyncRunStatus::Failed => (Tone::Critical, "Failed"),
        SyncRunStatus::Unknown => (Tone::Neutral, "Unknown"),
    }
}

/// "1,234 of 5,000 rows", or "1,234 rows" while the total is unknown.
fn rows_text(done: u64, expected: Option<u64>) -> String {
    match expected {
        Some(expected) => format!(
            "{} of {} rows",
            format::number(done),
            format::number(expected)
        ),
        None => format!("{} rows", format::number(done)),
    }
}

/// The running (or just ended) run: Polaris ProgressBar, rate, time left and each resource.
#[component]
fn ProgressCard(
    run: SyncRun,
    /// The feed, for its clock.
    feed: SyncFeed,
) -> impl IntoView {
    let percent = run.percent();
    let (title, tone) = match run.status {
        SyncRunStatus::Running => (format!("{} in progress", kind_label(run.kind)), "primary"),
        SyncRunStatus::Succeeded => (format!("{} finished", kind_label(run.kind)), "primary"),
        SyncRunStatus::Failed => (format!("{} failed", kind_label(run.kind)), "critical"),
        SyncRunStatus::Unknown => (kind_label(run.kind).to_string(), "primary"),
    };
    let (badge_tone, badge_label) = status_badge(run.status);
    let rows = rows_text(run.rows_done, run.rows_expected);
    let value = match percent {
        Some(percent) => format!("{rows} · {percent:.0}%"),
        None => format!("{rows} · counting…"),
    };
    let started = run.started_at.clone();
    let started = move || {
        format::millis(&started)
            .map(|ms| format!("Started {}", format::time_ago(ms, feed.now())))
            .unwrap_or_default()
    };
    let running = run.is_running();
    let rate = running.then_some(run.rate_per_second).flatten().map(
        |rate| view! { <span data-testid="sync-progress-rate">{format::rate(rate, "rows")}</span> },
    );
    let eta = running
        .then_some(run.eta_seconds)
        .flatten()
        .map(|eta| view! { <span data-testid="sync-progress-eta">{format::time_left(eta)}</span> });
    let separator = (rate.is_some() && eta.is_some()).then_some(" · ");
    let resources = run.resources.into_iter().map(resource_line).collect_view();
    let error = run.error.clone().map(|error| {
        view! { <p class="p-text-critical p-cell-wrap" data-testid="sync-progress-error">{error}</p> }
    });
    let status_name = format!("{:?}", run.status).to_uppercase();
    let bar_width = format!("{:.1}%", percent.unwrap_or(0.0));
    view! {
        <Card title=title id="sync-progress">
            <div class="p-usage" data-testid="sync-progress" data-status=status_name data-run=run.id.clone()>
                <div class="p-usage__head">
                    <span class="p-usage__label">
                        <span data-testid="sync-progress-status"><Badge tone=badge_tone>{badge_label}</Badge></span>
                        " "
                        <span class="p-text-secondary">{started}</span>
                    </span>
                    <span class="p-usage__value" data-testid="sync-progress-rows">{value}</span>
                </div>
                <div
                    class="p-progress"
                    role="progressbar"
                    data-testid="sync-progress-value"
                    aria-label="Rows imported"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=percent.map(|percent| format!("{percent:.0}"))
                    aria-valuetext=percent.is_none().then_some("Counting rows")
                >
                    <div class=format!("p-progress__bar p-progress__bar--{tone}") style:width=bar_width></div>
                </div>
                <p class="p-text-secondary p-card__meta">{rate}{separator}{eta}</p>
                <ul
                    class="p-usage-list"
                    data-testid="sync-progress-resources"
                    style:list-style="none"
                    style:padding-left="0"
                    style:gap="var(--p-space-100)"
                >
                    {resources}
                </ul>
                {error}
            </div>
        </Card>
    }
}

/// One resource's line under the bar: its name, and "800 of 3,000 rows", "Done" or "Waiting".
fn resource_line(progress: SyncResourceProgress) -> impl IntoView {
    let rows = rows_text(progress.rows_done, progress.rows_expected);
    let state = if progress.done {
        format!("{rows} · Done")
    } else if progress.rows_done == 0 {
        "Waiting".to_string()
    } else {
        rows
    };
    view! {
        <li
            class="p-usage__head"
            data-testid=format!("sync-resource-{}", progress.resource)
            data-done=progress.done.to_string()
        >
            <span>{resource_label(&progress.resource)}</span>
            <span class="p-usage__value">{state}</span>
        </li>
    }
}

/// Past and running runs, newest first.
#[component]
fn HistoryCard(runs: Signal<Vec<SyncRun>>, feed: SyncFeed) -> impl IntoView {
    move || {
        let runs = runs.get();
        if runs.is_empty() {
            return view! {
                <Card title="Sync history">
                    <div data-testid="sync-empty">
                        <EmptyState heading="No sync has run yet" id="sync-empty">
                            <p>
                                "EcomCRM imports your products, customers, orders and abandoned "
                                "checkouts when it is installed and keeps them up to date after "
                                "that. Sync now to start the import."
                            </p>
                        </EmptyState>
                    </div>
                </Card>
            }
            .into_any();
        }
        // Re-rendered on every tick and every live event; the clock is read fresh so a running
        // run's duration keeps up with its progress.
        feed.now();
        let now = format::now_millis();
        let rows = runs.into_iter().map(|run| history_row(run, now)).collect();
        view! {
            <Card title="Sync history">
                <div class="p-card__table" data-testid="sync-history" id="sync-history">
                    <DataTable
                        headings=vec![
                            "Type".into(),
                            "Started by".into(),
                            "Status".into(),
                            "Started".into(),
                            "Duration".into(),
                            "Rows".into(),
                            "Error".into(),
                        ]
                        rows
                        numeric=vec![false, false, false, false, true, true, false]
                        caption="Sync history"
                    />
                </div>
            </Card>
        }
        .into_any()
    }
}

fn history_row(run: SyncRun, now_ms: f64) -> Vec<AnyView> {
    let (tone, label) = status_badge(run.status);
    let started_ms = format::millis(&run.started_at);
    let duration = match (
        started_ms,
        run.finished_at.as_deref().and_then(format::millis),
    ) {
        (Some(start), Some(end)) => format::duration(((end - start) / 1000.0).max(0.0) as u64),
        (Some(start), None) if run.is_running() => {
            format!(
                "{} so far",
                format::duration(((now_ms - start) / 1000.0).max(0.0) as u64)
            )
        }
        _ => "—".to_string(),
    };
    let rows = if run.is_running() {
        rows_text(run.rows_done, run.rows_expected)
    } else {
        format::number(run.rows_done)
    };
    let error = run
        .error
        .map(|error| view! { <span class="p-text-critical p-cell-wrap">{error}</span> });
    let status_name = format!("{:?}", run.status).to_uppercase();
    vec![
        kind_label(run.kind).into_any(),
        trigger_label(run.trigger).into_any(),
        view! { <span data-testid="sync-history-status" data-status=status_name><Badge tone>{label}</Badge></span> }
            .into_any(),
        format::date_time(&run.started_at).into_any(),
        duration.into_any(),
        rows.into_any(),
        error.into_any(),
    ]
}
