//! The root component: routes, the frame (App Bridge menu or our own navigation) and the toast
//! host. Which frame is decided once at start: App Bridge is either loaded with the page or not.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use crate::components::{Frame, NavItem, ToastProvider};
use crate::pages::{
    Automations, Customers, Dashboard, Inbox, NotFound, PLAN_PATH, PlanPage, Settings,
};
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
                >
                    <PlanRedirect/>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Dashboard/>
                        <Route path=path!("/customers") view=Customers/>
                        <Route path=path!("/automations") view=Automations/>
                        <Route path=path!("/inbox") view=Inbox/>
                        <Route path=path!("/settings") view=Settings/>
                        <Route path=path!("/settings/plan") view=PlanPage/>
                    </Routes>
                </Frame>
            </ToastProvider>
        </Router>
    }
}
