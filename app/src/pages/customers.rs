//! Customers (`/customers`): will list every customer with orders, spend and segment. Until the
//! first data sync there are none to list, and the page says so.

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::bridge;
use crate::components::{Card, EmptyState, Page};

/// The customers page.
#[component]
pub fn Customers() -> impl IntoView {
    bridge::set_title("Customers");
    let shop = LocalResource::new(api::shop);
    let heading = Heading {
        title: "Customers",
        from_data: false,
    };
    view! {
        <div id="page-customers">
            {with_data(
                heading,
                shop,
                |shop: Shop| {
                    view! {
                        <Page
                            title="Customers"
                            subtitle=format!("Everyone who has bought from {}", shop.name)
                        >
                            <Card>
                                <EmptyState heading="Your customers will appear here">
                                    <p>
                                        "After the first sync of your Shopify customers and orders, "
                                        "each customer is listed here with their orders, total "
                                        "spent and segment."
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
