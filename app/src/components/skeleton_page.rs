//! Polaris SkeletonPage: grey placeholders in the shape of a page while its data loads. Every bar has
//! a fixed height and the header matches Page's, so the real page replaces it without a jump.

use leptos::prelude::*;

/// One grey text-line placeholder; `width` is a CSS width such as "60%".
fn line(width: &'static str) -> impl IntoView {
    view! { <div class="p-skeleton p-skeleton__line" style:width=width></div> }
}

/// A card of grey placeholders: a heading bar and three text lines. Used alone where one card of
/// a loaded page is still loading.
#[component]
pub fn SkeletonCard(
    /// The card's heading when it is known before loading; a grey bar otherwise.
    #[prop(optional, into)]
    title: Option<String>,
) -> impl IntoView {
    let heading = match title {
        Some(title) => view! { <h2 class="p-card__title">{title}</h2> }.into_any(),
        None => view! { <div class="p-skeleton p-skeleton__heading"></div> }.into_any(),
    };
    view! {
        <section class="p-card" aria-busy="true">
            {heading}
            <div aria-label="Loading" role="status">{lines()}</div>
        </section>
    }
}

/// The three text lines of a placeholder card.
fn lines() -> impl IntoView {
    (line("100%"), line("92%"), line("64%"))
}

/// A Polaris skeleton page.
#[component]
pub fn SkeletonPage(
    /// The heading when it is known before loading (e.g. "Customers"); a grey bar otherwise.
    #[prop(optional, into)]
    title: Option<String>,
    /// How many placeholder cards to draw; one when not given.
    #[prop(optional)]
    cards: Option<usize>,
) -> impl IntoView {
    let title = match title {
        Some(title) => view! { <h1 class="p-page__title">{title}</h1> }.into_any(),
        None => view! { <div class="p-skeleton p-skeleton__title"></div> }.into_any(),
    };
    let cards = (0..cards.unwrap_or(1).max(1))
        .map(|_| {
            view! {
                <section class="p-card">
                    <div class="p-skeleton p-skeleton__heading"></div>
                    {lines()}
                </section>
            }
        })
        .collect_view();
    view! {
        <div class="p-page" aria-busy="true" aria-label="Loading">
            <header class="p-page__header">
                <div class="p-page__titles">
                    {title}
                    <div class="p-page__subtitle">
                        <div class="p-skeleton p-skeleton__subtitle"></div>
                    </div>
                </div>
            </header>
            <div class="p-page__content">{cards}</div>
        </div>
    }
}
