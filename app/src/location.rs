//! Reads what the page was opened with: query parameters from the admin (`shop`, `host`,
//! `embedded`) and meta tags the server fills in. No network here.

use shared::ShopDomain;
use web_sys::UrlSearchParams;

/// Query parameters every in-app link carries along, so a reload or a copied deep link still knows
/// the shop and that it runs embedded. One-shot ones (`id_token`, `hmac`, `timestamp`) are dropped:
/// they expire and must not be replayed.
const CONTEXT_PARAMS: [&str; 4] = ["shop", "host", "embedded", "locale"];

fn search_params() -> Option<UrlSearchParams> {
    let search = leptos::prelude::window().location().search().ok()?;
    UrlSearchParams::new_with_str(&search).ok()
}

/// The value of query parameter `name` in the current URL.
pub fn query_param(name: &str) -> Option<String> {
    search_params()?.get(name).filter(|value| !value.is_empty())
}

/// The `content` of `<meta name="{name}">`, or `None` when the server left its `%PLACEHOLDER%`
/// unfilled (a static file server in tests, or production for dev-only tags).
pub fn meta_content(name: &str) -> Option<String> {
    let selector = format!("meta[name=\"{name}\"]");
    let meta = leptos::prelude::document()
        .query_selector(&selector)
        .ok()??;
    meta.get_attribute("content")
        .filter(|content| !content.is_empty() && !content.starts_with('%'))
}

/// The shop this page is for: the admin's `shop` parameter, else the dev shop the server names in
/// `<meta name="ecomcrm-dev-shop">`. Only used for display and the dev session; the server always
/// takes the shop from the session token.
pub fn shop() -> Option<ShopDomain> {
    query_param("shop")
        .or_else(|| meta_content("ecomcrm-dev-shop"))
        .and_then(|raw| ShopDomain::parse(&raw).ok())
}

/// `path` plus the context parameters of the current URL, for in-app links.
pub fn app_href(path: &str) -> String {
    app_href_with(path, &[])
}

/// `path` with the page's own parameters (`extra`, empty values left out) and the context
/// parameters, so a filtered view is a link that can be bookmarked or shared.
pub fn app_href_with(path: &str, extra: &[(&str, &str)]) -> String {
    let Ok(kept) = UrlSearchParams::new() else {
        return path.to_owned();
    };
    for (name, value) in extra {
        if !value.is_empty() {
            kept.append(name, value);
        }
    }
    if let Some(current) = search_params() {
        for name in CONTEXT_PARAMS {
            if let Some(value) = current.get(name) {
                kept.append(name, &value);
            }
        }
    }
    let query = String::from(kept.to_string());
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
