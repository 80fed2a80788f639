//! Polaris Card: a white surface that groups related content, with an optional heading.

use leptos::prelude::*;

/// A Polaris card.
#[component]
pub fn Card(
    /// Heading at the top of the card.
    #[prop(optional, into)]
    title: Option<String>,
    /// An id for tests and links.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The card's content.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="p-card" id=id>
            {title.map(|title| view! { <h2 class="p-card__title">{title}</h2> })}
            {children()}
        </section>
    }
}
