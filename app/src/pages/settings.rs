//! Settings (`/settings`): which store this session is connected to, links to the plan and the
//! store-data sync, the customer data requests Shopify forwarded, and the Shopify events the app
//! receives for the store. The two lists load on their
//! own (see `settings/`), so one failing leaves the rest of the page usable.

mod plan;
mod privacy;
mod sync;
mod webhooks;

pub use plan::PlanPage;
pub use sync::{SYNC_PATH, SyncPage};

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::bridge;
use crate::components::{Badge, Button, Card, Page, Tone};
use crate::location;

/// The settings page.
#[component]
pub fn Settings() -> impl IntoView {
    bridge::set_title("Settings");
    let shop = LocalResource::new(api::shop);
    let heading = Heading {
        title: "Settings",
        from_data: false,
    };
    view! {
        <div id="page-settings">
            {with_data(heading, shop, |shop: Shop| view! { <SettingsContent shop/> })}
        </div>
    }
}

#[component]
fn SettingsContent(shop: Shop) -> impl IntoView {
    let subtitle = format!("How EcomCRM works with {}", shop.name);
    view! {
        <Page title="Settings" subtitle>
            <Card title="Store">
                <div class="p-store">
                    <div>
                        <p class="p-store__name" id="settings-shop-name">{shop.name}</p>
                        <p class="p-text-secondary">{shop.domain}</p>
                    </div>
                    // The session that loaded this page was accepted for this store.
                    <Badge tone=Tone::Success>"Connected"</Badge>
                </div>
            </Card>
            <Card title="Plan" id="settings-plan">
                <div class="p-store">
                    <p class="p-text-secondary">
                        "Your EcomCRM plan, this period's usage and usage charges."
                    </p>
                    <Button href=location::app_href(super::PLAN_PATH) id="settings-plan-link">
                        "Manage plan"
                    </Button>
                </div>
            </Card>
            <Card title="Data sync" id="settings-sync">
                <div class="p-store">
                    <p class="p-text-secondary">
                        "When EcomCRM last imported your customers, orders and products from "
                        "Shopify, the import in progress and past runs."
                    </p>
                    <a
                        class="p-button"
                        href=location::app_href(SYNC_PATH)
                        id="settings-sync-link"
                        data-testid="settings-sync-link"
                    >
                        "View data sync"
                    </a>
                </div>
            </Card>
            // Data requests can need the merchant's action; the event list is for reference.
            <privacy::CustomerDataRequests/>
            <webhooks::ShopifyEvents/>
        </Page>
    }
}
