//! Polaris Badge: a short status label in a tone colour. The tone enum is shared with Banner.

use leptos::prelude::*;

/// The colour meaning Polaris gives a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Neutral grey.
    #[default]
    Neutral,
    /// Something to know about.
    Info,
    /// Done or healthy.
    Success,
    /// Needs attention soon.
    Warning,
    /// Broken or blocked.
    Critical,
}

impl Tone {
    /// The tone's CSS modifier, e.g. `critical`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Neutral => "neutral",
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

/// A Polaris badge.
#[component]
pub fn Badge(
    /// The colour meaning; neutral by default.
    #[prop(optional)]
    tone: Tone,
    /// The label, one or two words.
    children: Children,
) -> impl IntoView {
    view! { <span class=format!("p-badge p-badge--{}", tone.name())>{children()}</span> }
}
