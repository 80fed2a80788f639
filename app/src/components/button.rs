//! Polaris Button: a `<button>` for actions, an `<a>` for navigation (so it opens in a new tab on
//! ctrl-click and the router handles plain clicks).

use leptos::prelude::*;

/// How prominent a button is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ButtonVariant {
    /// The white, bordered default.
    #[default]
    Secondary,
    /// The one main action of a page or card (Polaris draws it near-black).
    Primary,
    /// Looks like a link; for low-emphasis actions.
    Plain,
    /// Destroys or removes something.
    Critical,
}

impl ButtonVariant {
    fn class(self) -> &'static str {
        match self {
            Self::Secondary => "p-button",
            Self::Primary => "p-button p-button--primary",
            Self::Plain => "p-button p-button--plain",
            Self::Critical => "p-button p-button--critical",
        }
    }
}

/// An action a Page, Banner or EmptyState offers: a label and what it does.
#[derive(Clone)]
pub struct Action {
    /// The button text, a verb first ("Go to Settings").
    pub label: String,
    /// What happens on click.
    pub target: ActionTarget,
}

/// What an `Action` does.
#[derive(Clone)]
pub enum ActionTarget {
    /// Navigates to this URL (in-app paths go through the router).
    Link(String),
    /// Calls this.
    Run(Callback<()>),
}

impl Action {
    /// An action that navigates to `href`.
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            target: ActionTarget::Link(href.into()),
        }
    }

    /// An action that calls `run` when clicked.
    pub fn run(label: impl Into<String>, run: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            label: label.into(),
            target: ActionTarget::Run(Callback::new(move |()| run())),
        }
    }

    /// Renders the action as a button of the given variant.
    pub fn into_button(self, variant: ButtonVariant) -> AnyView {
        let label = self.label;
        match self.target {
            ActionTarget::Link(href) => view! { <Button variant href>{label}</Button> }.into_any(),
            ActionTarget::Run(run) => {
                view! { <Button variant on_click=run>{label}</Button> }.into_any()
            }
        }
    }
}

/// A Polaris button.
#[component]
pub fn Button(
    /// Prominence; `Secondary` by default.
    #[prop(optional)]
    variant: ButtonVariant,
    /// Makes the button a link to this URL.
    #[prop(optional, into)]
    href: Option<String>,
    /// Called on click (ignored for links).
    #[prop(optional, into)]
    on_click: Option<Callback<()>>,
    /// Greys the button out and ignores clicks.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// An id for tests and labels.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The label.
    children: Children,
) -> impl IntoView {
    let class = variant.class();
    match href {
        Some(href) => view! {
            <a class=class id=id href=href aria-disabled=move || disabled.get().then_some("true")>
                {children()}
            </a>
        }
        .into_any(),
        None => view! {
            <button
                type="button"
                class=class
                id=id
                disabled=move || disabled.get()
                on:click=move |_| {
                    if let Some(on_click) = on_click {
                        on_click.run(());
                    }
                }
            >
                {children()}
            </button>
        }
        .into_any(),
    }
}
