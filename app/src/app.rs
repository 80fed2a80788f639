//! The root component: routes, the frame (App Bridge menu or our own navigation), the toast host
//! and the store-sync feed behind the frame's "Last synced" label and the stale-data banner. Which
//! frame is decided once at start: App Bridge is either loaded with the page or not.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use crate::components::{Action, Banner, Frame, NavItem, ToastProvider, Tone};
use crate::pages::{
    Automations, CustomerProfile, Customers, Dashboard, Inbox, NotFound, PLAN_PATH, PlanPage,
    SYNC_PATH, Settings, SyncPage,
};
use crate::sync_feed::{SyncFeed, last_synced_text};
use crate::{api, bridge, location};

/// Whether the shop has a plan: `None` until known. Without one every page but the plan page
/// sends the merchant to the plan page (the server refuses their data anyway). The plan page
/// updates it whenever it reads billing, so approving a plan opens the app at once.
#[derive(Clone, Copy)]
pub struct PlanGate(RwSignal<Option<bool>>);

impl PlanGate {
    /// Records what the plan page just read.
    pub fn set(self, has_plan: bool) {
        self.0.set(Some(has_plan));
    }
}

/// Sends every route but the plan page to the plan page while the shop has no plan. Renders
/// nothing; it must sit inside the Router.
#[component]
fn PlanRedirect() -> impl IntoView {
    let gate = expect_context::<PlanGate>();
    let pathname = use_location().pathname;
    let navigate = use_navigate();
    Effect::new(move || {
        if gate.0.get() == Some(false) && pathname.get() != PLAN_PATH {
            navigate(
                &location::app_href(PLAN_PATH),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
}

/// "Last synced 3 minutes ago" under the navigation, linking to Settings › Data sync. Empty
/// until the sync status is known (it never is without a plan).
fn nav_last_synced(feed: SyncFeed) -> impl IntoView {
    let text = move || {
        let Some(summary) = feed.summary() else {
            return String::new();
        };
        let last = summary.last_synced_at.as_deref();
        match (feed.running(), last) {
            (true, None) => "Importing store data…".to_string(),
            (true, Some(_)) => format!("Syncing… {}", last_synced_text(last, feed.now())),
            (false, _) => last_synced_text(last, feed.now()),
        }
    };
    view! {
        <a
            class="p-text-secondary"
            href=location::app_href(SYNC_PATH)
            data-testid="nav-last-synced"
            id="nav-last-synced"
            hidden=move || feed.summary().is_none()
            style:text-decoration="none"
        >
            {text}
        </a>
    }
}

/// The banner every page shows while no sync has succeeded in 24 hours: the merchant's numbers
/// may be out of date, and Settings › Data sync says why and can start one.
#[component]
fn StaleBanner() -> impl IntoView {
    let feed = expect_context::<SyncFeed>();
    let on_sync_page = {
        let pathname = use_location().pathname;
        move || pathname.with(|path| path == SYNC_PATH)
    };
    move || {
        let summary = feed.summary().filter(|summary| summary.stale)?;
        let never = summary.last_synced_at.is_none();
        let running = feed.running();
        let (tone, title, body) = match (never, running) {
            (true, true) => (
                Tone::Info,
                "EcomCRM is importing your store data",
                "Your customers, orders and products appear as the first import runs.",
            ),
            (true, false) => (
                Tone::Warning,
                "Your store data hasn't been imported yet",
                "EcomCRM shows no customers or orders until the first import has run. Start it \
                 from Settings › Data sync.",
            ),
            (false, true) => (
                Tone::Warning,
                "Your store data has not synced in 24 hours",
                "A sync is running now; until it finishes, customers, orders and products may be \
                 out of date.",
            ),
            (false, false) => (
                Tone::Warning,
                "Your store data has not synced in 24 hours",
                "Customers, orders and products in EcomCRM may be out of date. Settings › Data \
                 sync shows what happened and can sync now.",
            ),
        };
        let label = if running {
            "See progress"
        } else {
            "Go to Data sync"
        };
        // The sync page itself needs no link to itself.
        let action = (!on_sync_page()).then(|| Action::link(label, location::app_href(SYNC_PATH)));
        let banner = match action {
            Some(action) => view! {
                <Banner tone title action id="stale-banner"><p>{body}</p></Banner>
            }
            .into_any(),
            None => {
                view! { <Banner tone title id="stale-banner"><p>{body}</p></Banner> }.into_any()
            }
        };
        // Inside a page-width column so it lines up with the page below.
        Some(view! {
            <div class="p-page" data-testid="stale-banner" style:padding-bottom="0">
                {banner}
            </div>
        })
    }
}

/// The app's navigation, in menu order. Ids are what browser tests click.
pub const NAV: &[NavItem] = &[
    NavItem {
        id: "nav-dashboard",
        label: "Dashboard",
        path: "/",
    },
    NavItem {
        id: "nav-customers",
        label: "Customers",
        path: "/customers",
    },
    NavItem {
        id: "nav-automations",
        label: "Automations",
        path: "/automations",
    },
    NavItem {
        id: "nav-inbox",
        label: "Inbox",
        path: "/inbox",
    },
    NavItem {
        id: "nav-settings",
        label: "Settings",
        path: "/settings",
    },
    NavItem {
        id: "nav-plan",
        label: "Plan",
        path: "/settings/plan",
    },
];

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let embedded = bridge::is_embedded();
    let shop = location::shop().map(|shop| shop.to_string());
    let gate = PlanGate(RwSignal::new(None));
    provide_context(gate);
    let feed = SyncFeed::new();
    provide_context(feed);
    // The sync status is the shop's data: only once the shop has a plan (the server refuses it
    // otherwise). Starting is idempotent, so later plan changes do no harm.
    Effect::new(move || {
        if gate.0.get() == Some(true) {
            feed.start();
        }
    });
    spawn_local(async move {
        // On failure the gate stays open: each page shows its own error, plan refusals included.
        if let Ok(has_plan) = api::has_plan().await {
            // The plan page may have answered first, from fresher data.
            if gate.0.get_untracked().is_none() {
                gate.set(has_plan);
            }
        }
    });
    view! {
        <Router>
            <ToastProvider>
                <Frame
                    app_name="EcomCRM"
                    shop
                    items=NAV
                    embedded
                    href_for=location::app_href
                    aside=move || nav_last_synced(feed)
                >
                    <PlanRedirect/>
                    <StaleBanner/>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Dashboard/>
                        <Route path=path!("/customers") view=Customers/>
                        <Route path=path!("/customers/:id") view=CustomerProfile/>
                        <Route path=path!("/automations") view=Automations/>
                        <Route path=path!("/inbox") view=Inbox/>
                        <Route path=path!("/settings") view=Settings/>
                        <Route path=path!("/settings/plan") view=PlanPage/>
                        <Route path=path!("/settings/sync") view=SyncPage/>
                    </Routes>
                </Frame>
            </ToastProvider>
        </Router>
    }
}
