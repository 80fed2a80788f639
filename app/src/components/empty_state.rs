//! Polaris EmptyState: what a page will hold and what the merchant does to get there, with an
//! illustration drawn inline (the app loads nothing from outside, and this avoids a layout shift).

use leptos::prelude::*;

use super::{Action, ButtonVariant};

/// A calm line drawing of a customer card and a chart, in Polaris greys with one green accent.
fn illustration() -> impl IntoView {
    view! {
        <svg class="p-empty-state__image" viewBox="0 0 226 150" width="226" height="150"
            aria-hidden="true">
            <ellipse cx="113" cy="136" rx="86" ry="8" fill="#ebebeb"/>
            <rect x="38" y="22" width="150" height="104" rx="12" fill="#ffffff" stroke="#cccccc"
                stroke-width="2"/>
            <circle cx="66" cy="52" r="13" fill="#cdfee1" stroke="#29845a" stroke-width="2"/>
            <path d="M60 55c2 3 10 3 12 0" fill="none" stroke="#29845a" stroke-width="2"
                stroke-linecap="round"/>
            <rect x="88" y="42" width="70" height="8" rx="4" fill="#e3e3e3"/>
            <rect x="88" y="56" width="46" height="8" rx="4" fill="#ebebeb"/>
            <path d="M56 108l22-16 18 9 24-20 22 8 18-14" fill="none" stroke="#8a8a8a"
                stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"
                stroke-dasharray="5 6"/>
            <circle cx="180" cy="30" r="16" fill="#f1f1f1" stroke="#cccccc" stroke-width="2"/>
            <path d="M180 22v9l6 4" fill="none" stroke="#8a8a8a" stroke-width="2.5"
                stroke-linecap="round"/>
        </svg>
    }
}

/// A Polaris empty state.
#[component]
pub fn EmptyState(
    /// What will appear here, e.g. "Your customers will appear here".
    #[prop(into)]
    heading: String,
    /// The primary next step, if the merchant can take one.
    #[prop(optional)]
    action: Option<Action>,
    /// An id for tests.
    #[prop(optional)]
    id: Option<&'static str>,
    /// One or two sentences: why it is empty and what happens next.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="p-empty-state" id=id>
            {illustration()}
            <h2 class="p-empty-state__heading">{heading}</h2>
            <div class="p-empty-state__body">{children()}</div>
            {action
                .map(|action| {
                    view! {
                        <div class="p-empty-state__actions">
                            {action.into_button(ButtonVariant::Primary)}
                        </div>
                    }
                })}
        </div>
    }
}
