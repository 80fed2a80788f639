//! Inbox (`/inbox`): will hold support tickets from the shop's support email. No address can be
//! connected yet, so the page says what it will hold and where that will be set up.

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::components::{Action, Card, EmptyState, Page};
use crate::{bridge, location};

/// The inbox page.
#[component]
pub fn Inbox() -> impl IntoView {
    bridge::set_title("Inbox");
    let shop = LocalResource::new(api::shop);
    let heading = Heading {
        title: "Inbox",
        from_data: false,
    };
    view! {
        <div id="page-inbox">
            {with_data(
                heading,
                shop,
                |shop: Shop| {
                    let settings = Action::link("Go to Settings", location::app_href("/settings"));
                    view! {
                        <Page
                            title="Inbox"
                            subtitle=format!("Support conversations with {} customers", shop.name)
                        >
                            <Card>
                                <EmptyState heading="No conversations yet" action=settings>
                                    <p>
                                        "Emails to your support address will arrive here as "
                                        "tickets, next to each customer's orders. The inbox fills "
                                        "in once that address is connected in Settings."
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
