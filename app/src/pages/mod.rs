//! One file per route. A page owns its data (a `LocalResource` over an `api` call) and shows a
//! SkeletonPage while it loads and an error Banner if it fails, through `with_data` below. A card
//! that loads on its own inside a page does the same at card size through `with_card_data`.

mod automations;
mod customers;
mod dashboard;
mod inbox;
mod not_found;
mod settings;

pub use automations::Automations;
pub use customers::{CustomerProfile, Customers};
pub use dashboard::Dashboard;
pub use inbox::Inbox;
pub use not_found::NotFound;
pub use settings::{PlanPage, SYNC_PATH, Settings, SyncPage};

use leptos::prelude::*;

use leptos::either::Either;

use crate::api::{ApiError, PlanCode};
use crate::components::{Action, Banner, Card, Page, SkeletonCard, SkeletonPage, Tone};
use crate::location;

/// How a page is named while its data is loading or has failed.
#[derive(Clone, Copy)]
pub struct Heading {
    /// The page's name, e.g. "Customers".
    pub title: &'static str,
    /// The loaded page's heading comes from the data (the Dashboard shows the shop's name), so the
    /// skeleton shows a grey bar instead of `title`.
    pub from_data: bool,
}

/// What a failed load shows in place of the page or card: a critical Banner with the error and
/// "Try again", or, when the plan refused the request, the server's message with "Choose a plan".
/// The server's error code decides; a code the app does not know is shown as an ordinary error.
fn load_error(
    title: String,
    error_id: &'static str,
    error: ApiError,
    retry: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    match error {
        ApiError::Plan { code, message } => {
            let (tone, title) = match code {
                PlanCode::Required => (Tone::Warning, "Choose a plan to use EcomCRM"),
                PlanCode::Limit => (Tone::Warning, "Your plan's limit is reached"),
                PlanCode::ReadOnly => (Tone::Critical, "EcomCRM is read-only"),
            };
            let action = Action::link("Choose a plan", location::app_href(PLAN_PATH));
            Either::Left(view! {
                <Banner tone title action id=error_id>
                    <p class="p-plan-error" data-code=format!("{code:?}")>{message}</p>
                </Banner>
            })
        }
        error => Either::Right(view! {
            <Banner
                tone=Tone::Critical
                title
                action=Action::run("Try again", retry)
                id=error_id
            >
                <p>{error.to_string()}</p>
            </Banner>
        }),
    }
}

/// The plan page's route, where plan errors send the merchant.
pub const PLAN_PATH: &str = "/settings/plan";

/// Renders `render(value)` once `data` has loaded. Before that a SkeletonPage holds the place; on
/// failure the page shows the error in a Banner (see `load_error`).
///
/// The result is matched here rather than thrown to an `ErrorBoundary`: an error thrown inside a
/// `Suspend` in a nested `Suspense` rendered nothing at all (not even the fallback).
pub(crate) fn with_data<T, V>(
    heading: Heading,
    data: LocalResource<Result<T, ApiError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let skeleton = move || {
        if heading.from_data {
            view! { <SkeletonPage/> }.into_any()
        } else {
            view! { <SkeletonPage title=heading.title/> }.into_any()
        }
    };
    view! {
        <Transition fallback=skeleton>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => Either::Left(render(value)),
                        Err(error) => Either::Right(view! {
                            <Page title=heading.title>
                                {load_error(
                                    "This page couldn't be loaded".to_string(),
                                    "page-error",
                                    error,
                                    move || data.refetch(),
                                )}
                            </Page>
                        }),
                    }
                })
            }}
        </Transition>
    }
}

/// A card that loads its own data inside an already shown page.
#[derive(Clone, Copy)]
pub struct CardHeading {
    /// The card's title, e.g. "Shopify events"; shown while loading and on failure too.
    pub title: &'static str,
    /// The id of the error Banner, for tests.
    pub error_id: &'static str,
}

/// Renders `render(value)` (normally a titled Card) once `data` has loaded. Before that a
/// SkeletonCard with the title holds the place; on failure the card shows the error in a Banner
/// (see `load_error`), and the rest of the page stays usable.
pub(crate) fn with_card_data<T, V>(
    heading: CardHeading,
    data: LocalResource<Result<T, ApiError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let skeleton = move || view! { <SkeletonCard title=heading.title/> };
    // Suspense, not Transition: inside the page's resolved Transition a nested Transition shows no
    // fallback, and a retry should show the skeleton again anyway.
    view! {
        <Suspense fallback=skeleton>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => Either::Left(render(value)),
                        Err(error) => Either::Right(view! {
                            <Card title=heading.title>
                                {load_error(
                                    format!("{} couldn't be loaded", heading.title),
                                    heading.error_id,
                                    error,
                                    move || data.refetch(),
                                )}
                            </Card>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}
