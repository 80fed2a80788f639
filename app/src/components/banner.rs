//! Polaris Banner: an important message about the page, in a tone colour, with an optional action
//! and a dismiss button.

use leptos::prelude::*;

use super::{Action, ButtonVariant, Tone};

/// A tone's icon: a circle with a mark, drawn inline so nothing is fetched.
fn icon(tone: Tone) -> impl IntoView {
    let mark = match tone {
        Tone::Success => view! {
            <path d="M7 10.3l2 2 4-4.6" fill="none" stroke="currentColor" stroke-width="1.6"
                stroke-linecap="round" stroke-linejoin="round"/>
        }
        .into_any(),
        Tone::Info | Tone::Neutral => view! {
            <path d="M10 9.25v4.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>
            <circle cx="10" cy="6.5" r="1" fill="currentColor"/>
        }
        .into_any(),
        Tone::Warning | Tone::Critical => view! {
            <path d="M10 6.25v4.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>
            <circle cx="10" cy="13.5" r="1" fill="currentColor"/>
        }
        .into_any(),
    };
    view! {
        <svg class="p-banner__icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
            <circle cx="10" cy="10" r="7.25" fill="none" stroke="currentColor" stroke-width="1.5"/>
            {mark}
        </svg>
    }
}

/// A Polaris banner.
#[component]
pub fn Banner(
    /// Colour and icon; `Info` when not given.
    #[prop(optional)]
    tone: Option<Tone>,
    /// A short summary in the banner's header.
    #[prop(optional, into)]
    title: Option<String>,
    /// One button under the text, e.g. "Try again".
    #[prop(optional)]
    action: Option<Action>,
    /// Shows a close button that hides the banner.
    #[prop(optional)]
    dismissible: bool,
    /// Called after the merchant closes the banner.
    #[prop(optional, into)]
    on_dismiss: Option<Callback<()>>,
    /// An id for tests.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The message.
    children: Children,
) -> impl IntoView {
    let tone = tone.unwrap_or(Tone::Info);
    let visible = RwSignal::new(true);
    // Problems interrupt screen readers; everything else waits its turn.
    let role = match tone {
        Tone::Critical | Tone::Warning => "alert",
        _ => "status",
    };
    let dismiss = dismissible.then(|| {
        view! {
            <button
                type="button"
                class="p-banner__dismiss"
                aria-label="Dismiss notification"
                on:click=move |_| {
                    visible.set(false);
                    if let Some(on_dismiss) = on_dismiss {
                        on_dismiss.run(());
                    }
                }
            >
                <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
                    <path d="M6 6l8 8M14 6l-8 8" stroke="currentColor" stroke-width="1.6"
                        stroke-linecap="round"/>
                </svg>
            </button>
        }
    });
    let children = children();
    let titled = title.is_some();
    view! {
        <div
            class=format!("p-banner p-banner--{}", tone.name())
            class:p-banner--titled=titled
            role=role
            id=id
            hidden=move || !visible.get()
        >
            <div class="p-banner__header">
                {icon(tone)}
                {title.map(|title| view! { <h2 class="p-banner__title">{title}</h2> })}
                {dismiss}
            </div>
            <div class="p-banner__body">
                <div class="p-banner__content">{children}</div>
                {action
                    .map(|action| {
                        view! {
                            <div class="p-banner__actions">
                                {action.into_button(ButtonVariant::Secondary)}
                            </div>
                        }
                    })}
            </div>
        </div>
    }
}
