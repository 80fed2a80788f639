//! Polaris Layout: a main column and an optional narrow one that stack on small screens.

use leptos::prelude::*;

/// Lays out `LayoutSection`s side by side, wrapping on narrow screens.
#[component]
pub fn Layout(
    /// The sections.
    children: Children,
) -> impl IntoView {
    view! { <div class="p-layout">{children()}</div> }
}

/// One column of a `Layout`.
#[component]
pub fn LayoutSection(
    /// A narrow side column (a third) instead of the main one.
    #[prop(optional)]
    one_third: bool,
    /// The column's cards.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="p-layout__section" class:p-layout__section--one-third=one_third>
            {children()}
        </div>
    }
}
