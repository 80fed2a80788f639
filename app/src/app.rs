//! The root component: routes, the frame (App Bridge menu or our own navigation) and the toast
//! host. Which frame is decided once at start: App Bridge is either loaded with the page or not.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{Frame, NavItem, ToastProvider};
use crate::pages::{Automations, Customers, Dashboard, Inbox, NotFound, Settings};
use crate::{bridge, location};

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
];

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let embedded = bridge::is_embedded();
    let shop = location::shop().map(|shop| shop.to_string());
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
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Dashboard/>
                        <Route path=path!("/customers") view=Customers/>
                        <Route path=path!("/automations") view=Automations/>
                        <Route path=path!("/inbox") view=Inbox/>
                        <Route path=path!("/settings") view=Settings/>
                    </Routes>
                </Frame>
            </ToastProvider>
        </Router>
    }
}
