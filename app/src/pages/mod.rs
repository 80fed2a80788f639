//! One file per route. A page owns its data (a `LocalResource` over an `api` call) and shows a
//! SkeletonPage while it loads and an error Banner if it fails, through `with_data` below.

mod automations;
mod customers;
mod dashboard;
mod inbox;
mod not_found;
mod settings;

pub use automations::Automations;
pub use customers::Customers;
pub use dashboard::Dashboard;
pub use inbox::Inbox;
pub use not_found::NotFound;
pub use settings::Settings;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::{Action, Banner, Page, SkeletonPage, Tone};

/// How a page is named while its data is loading or has failed.
#[derive(Clone, Copy)]
pub struct Heading {
    /// The page's name, e.g. "Customers".
    pub title: &'static str,
    /// The loaded page's heading comes from the data (the Dashboard shows the shop's name), so the
    /// skeleton shows a grey bar instead of `title`.
    pub from_data: bool,
}

/// Renders `render(value)` once `data` has loaded. Before that a SkeletonPage holds the place; on
/// failure the page shows the error in a critical Banner with a "Try again" button.
fn with_data<T, V>(
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
    let failed = move |errors: ArcRwSignal<Errors>| {
        let messages = move || {
            errors.with(|errors| {
                errors
                    .iter()
                    .map(|(_, error)| view! { <p>{error.to_string()}</p> })
                    .collect_view()
            })
        };
        view! {
            <Page title=heading.title>
                <Banner
                    tone=Tone::Critical
                    title="This page couldn't be loaded"
                    action=Action::run("Try again", move || data.refetch())
                    id="page-error"
                >
                    {messages}
                </Banner>
            </Page>
        }
    };
    view! {
        <Transition fallback=skeleton>
            <ErrorBoundary fallback=failed>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move { data.await.map(render) })
                }}
            </ErrorBoundary>
        </Transition>
    }
}
