//! The app frame. Embedded, the Shopify admin draws the navigation from our `<ui-nav-menu>` and we
//! draw nothing else around the page but an optional status line. Standalone (dev and browser
//! tests), we draw an admin-like top bar and left navigation, with the status line under the links,
//! so the app looks and navigates the same.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// One entry of the app's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// Element id of the standalone link, e.g. `nav-customers` (browser tests click it).
    pub id: &'static str,
    /// The visible label.
    pub label: &'static str,
    /// The route, e.g. `/customers`; the first item must be `/`.
    pub path: &'static str,
}

/// True when `current` (a pathname) is `item_path` or a page under it.
fn is_current(item_path: &str, current: &str) -> bool {
    if item_path == "/" {
        return current == "/";
    }
    current
        .strip_prefix(item_path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// True when `path` is the entry to highlight for `current`: the most specific entry that
/// matches, so `/settings/plan` selects "Plan" and not "Settings" as well.
fn is_selected(items: &[NavItem], path: &str, current: &str) -> bool {
    is_current(path, current)
        && !items
            .iter()
            .any(|other| other.path.len() > path.len() && is_current(other.path, current))
}

/// The App Bridge navigation menu; App Bridge hides this element and draws the links in the admin's
/// sidebar. `rel="home"` marks the app's root, which the admin links from the app name.
/// https://shopify.dev/docs/api/app-bridge-library/web-components/ui-nav-menu
fn admin_nav(items: &'static [NavItem]) -> impl IntoView {
    let links = items
        .iter()
        .map(|item| {
            let rel = (item.path == "/").then_some("home");
            view! { <a href=item.path rel=rel>{item.label}</a> }
        })
        .collect_view();
    view! { <ui-nav-menu>{links}</ui-nav-menu> }
}

/// Our own left navigation, for standalone mode. Links keep the context query (`shop`, `host`,
/// …) via `href_for`. `aside` goes under the links.
fn side_nav(
    items: &'static [NavItem],
    href_for: fn(&str) -> String,
    aside: Option<ViewFn>,
) -> impl IntoView {
    let pathname = use_location().pathname;
    let links = items
        .iter()
        .map(|item| {
            let path = item.path;
            let current = move || pathname.with(|current| is_selected(items, path, current));
            view! {
                <li>
                    <a
                        class="p-nav__item"
                        class:p-nav__item--selected=current
                        id=item.id
                        href=href_for(path)
                        aria-current=move || current().then_some("page")
                    >
                        {item.label}
                    </a>
                </li>
            }
        })
        .collect_view();
    // Set apart from the links like the admin's footer items; styled inline as the frame's only
    // extra element.
    let aside = aside.map(|aside| {
        view! {
            <div
                class="p-nav__aside"
                style:margin-top="var(--p-space-400)"
                style:padding="var(--p-space-300) var(--p-space-300) 0"
                style:border-top="1px solid var(--p-color-border)"
                style:font-size="var(--p-font-size-300)"
            >
                {aside.run()}
            </div>
        }
    });
    view! {
        <nav class="p-nav" aria-label="EcomCRM">
            <ul>{links}</ul>
            {aside}
        </nav>
    }
}

/// The app frame around every page.
#[component]
pub fn Frame(
    /// Shown in the standalone top bar.
    app_name: &'static str,
    /// The shop's domain, shown in the standalone top bar when known.
    shop: Option<String>,
    /// The navigation entries; the first is home (`/`).
    items: &'static [NavItem],
    /// Running inside the Shopify admin (App Bridge present): the admin draws the chrome.
    embedded: bool,
    /// Builds a link's `href` from a route path (to keep query parameters).
    href_for: fn(&str) -> String,
    /// A short status line shown on every page (e.g. when store data last synced): under the
    /// navigation standalone, above the page embedded.
    #[prop(optional, into)]
    aside: Option<ViewFn>,
    /// The current page.
    children: Children,
) -> impl IntoView {
    if embedded {
        let aside = aside.map(|aside| {
            view! {
                <div
                    class="p-frame__aside"
                    style:max-width="998px"
                    style:margin="0 auto"
                    style:padding="var(--p-space-300) var(--p-space-600) 0"
                    style:text-align="right"
                    style:font-size="var(--p-font-size-300)"
                >
                    {aside.run()}
                </div>
            }
        });
        return view! {
            {admin_nav(items)}
            <main class="p-frame__main p-frame__main--embedded">{aside}{children()}</main>
        }
        .into_any();
    }
    let initial = app_name.chars().next().unwrap_or('E');
    view! {
        <div class="p-frame">
            <header class="p-topbar">
                <a class="p-topbar__brand" href=href_for("/")>
                    <span class="p-topbar__logo" aria-hidden="true">{initial}</span>
                    <span class="p-topbar__name">{app_name}</span>
                </a>
                {shop.map(|shop| view! { <span class="p-topbar__shop" id="topbar-shop">{shop}</span> })}
            </header>
            {side_nav(items, href_for, aside)}
            <main class="p-frame__main">{children()}</main>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{NavItem, is_current, is_selected};

    #[test]
    fn home_matches_only_itself() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/customers"));
    }

    #[test]
    fn sections_match_their_subpages_only() {
        assert!(is_current("/customers", "/customers"));
        assert!(is_current("/customers", "/customers/42"));
        assert!(!is_current("/customers", "/customers-old"));
    }

    #[test]
    fn the_most_specific_entry_is_selected() {
        let item = |path| NavItem {
            id: "x",
            label: "x",
            path,
        };
        let items = [item("/"), item("/settings"), item("/settings/plan")];
        assert!(is_selected(&items, "/settings/plan", "/settings/plan"));
        assert!(!is_selected(&items, "/settings", "/settings/plan"));
        assert!(is_selected(&items, "/settings", "/settings"));
    }
}
