//! Dashboard (`/`): greets the shop by name and says plainly what fills the dashboard later.
//! Customers, revenue and segments come from the first data sync; until then we show no numbers
//! rather than invented ones.

use leptos::prelude::*;

use super::{Heading, with_data};
use crate::api::{self, Shop};
use crate::bridge;
use crate::components::{Card, EmptyState, Layout, LayoutSection, Page};

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    bridge::set_title("Dashboard");
    let shop = LocalResource::new(api::shop);
    let heading = Heading {
        title: "Dashboard",
        from_data: true,
    };
    view! {
        <div id="page-dashboard">
            {with_data(heading, shop, |shop: Shop| view! { <DashboardContent shop/> })}
        </div>
    }
}

#[component]
fn DashboardContent(shop: Shop) -> impl IntoView {
    view! {
        <Page title=shop.name title_id="shop-name" subtitle=shop.domain>
            <Layout>
                <LayoutSection>
                    <Card>
                        <EmptyState heading="Your customer insights are on their way">
                            <p>
                                "Customers, revenue and segments appear here after the first data "
                                "sync of your Shopify customers and orders."
                            </p>
                        </EmptyState>
                    </Card>
                </LayoutSection>
                <LayoutSection one_third=true>
                    <Card title="What happens next">
                        <ol class="p-steps">
                            <li>"EcomCRM imports your customers and orders from Shopify."</li>
                            <li>
                                "Each customer is placed in a segment by how recently, how often "
                                "and how much they buy."
                            </li>
                            <li>"This dashboard shows your customers, revenue and segments."</li>
                        </ol>
                    </Card>
                </LayoutSection>
            </Layout>
        </Page>
    }
}
