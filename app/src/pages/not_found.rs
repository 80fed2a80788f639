//! The page for any path the router does not know, e.g. an old bookmark.

use leptos::prelude::*;

use crate::components::{Action, Card, EmptyState, Page};
use crate::{bridge, location};

/// The "page not found" page.
#[component]
pub fn NotFound() -> impl IntoView {
    bridge::set_title("Page not found");
    let home = Action::link("Go to Dashboard", location::app_href("/"));
    view! {
        <div id="page-not-found">
            <Page title="Page not found">
                <Card>
                    <EmptyState heading="This page doesn't exist" action=home>
                        <p>"Check the address, or go back to the dashboard."</p>
                    </EmptyState>
                </Card>
            </Page>
        </div>
    }
}
