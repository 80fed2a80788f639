//! Automations (`/automations`): will hold the email flows. They need synced customer data first,
//! so for now the page explains that and offers nothing to click that would not work.

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::bridge;
use crate::components::{Card, EmptyState, Page};

/// The automations page.
#[component]
pub fn Automations() -> impl IntoView {
    bridge::set_title("Automations");
    let shop = LocalResource::new(api::shop);
    let heading = Heading {
        title: "Automations",
        from_data: false,
    };
    view! {
        <div id="page-automations">
            {with_data(
                heading,
                shop,
                |shop: Shop| {
                    view! {
                        <Page
                            title="Automations"
                            subtitle=format!("Emails that go out to {} customers on their own", shop.name)
                        >
                            <Card>
                                <EmptyState heading="Automate your customer emails">
                                    <p>
                                        "Welcome, abandoned cart, repurchase, win-back and VIP "
                                        "emails will be set up here. They are built on your "
                                        "customer data, so they become available after the first "
                                        "data sync."
                                    </p>
                                </EmptyState>
                            </Card>
                        </Page>
                    }
                },
            )}
        </div>
    }
}
