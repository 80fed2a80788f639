//! Polaris Page: the heading area and content column of one screen. The heading block has a fixed
//! height shared with SkeletonPage, so swapping the skeleton for the page shifts nothing.

use leptos::prelude::*;

use super::{Action, ButtonVariant};

/// A Polaris page.
#[component]
pub fn Page(
    /// The page heading.
    #[prop(into)]
    title: String,
    /// One line under the heading.
    #[prop(optional, into)]
    subtitle: Option<String>,
    /// An id on the heading, for tests and `aria-labelledby`.
    #[prop(optional)]
    title_id: Option<&'static str>,
    /// The page's main action, shown as a primary button beside the heading.
    #[prop(optional)]
    primary_action: Option<Action>,
    /// The page content, usually Cards or a Layout.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="p-page">
            <header class="p-page__header">
                <div class="p-page__titles">
                    <h1 class="p-page__title" id=title_id>{title}</h1>
                    <p class="p-page__subtitle">{subtitle}</p>
                </div>
                {primary_action
                    .map(|action| {
                        view! {
                            <div class="p-page__actions">
                                {action.into_button(ButtonVariant::Primary)}
                            </div>
                        }
                    })}
            </header>
            <div class="p-page__content">{children()}</div>
        </div>
    }
}
