//! Settings (`/settings`): shows which store this session is connected to. The support email,
//! sending domain and plan settings come later; the page says so instead of showing dead controls.

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::bridge;
use crate::components::{Badge, Card, EmptyState, Page, Tone};

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
            <Card>
                <EmptyState heading="More settings are on the way">
                    <p>
                        "Your support email address, sending domain and plan will be managed "
                        "here."
                    </p>
                </EmptyState>
            </Card>
        </Page>
    }
}
