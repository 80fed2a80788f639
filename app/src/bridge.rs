//! The only code that talks to Shopify App Bridge, the `shopify` global that the admin's CDN script
//! defines. Outside the admin that script is absent, so each function here has a standalone fallback.
//! https://shopify.dev/docs/api/app-bridge-library

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `shopify.idToken()`: a session token valid for about a minute, so ask for one per request.
    #[wasm_bindgen(js_namespace = shopify, js_name = idToken, catch)]
    fn shopify_id_token() -> Result<js_sys::Promise, JsValue>;

    /// `shopify.toast.show(message, { isError })`.
    #[wasm_bindgen(js_namespace = ["shopify", "toast"], js_name = show, catch)]
    fn shopify_toast_show(message: &str, options: &JsValue) -> Result<JsValue, JsValue>;
}

/// The app name shown after each page title in the browser tab.
const APP_NAME: &str = "EcomCRM";

/// True when App Bridge is loaded, i.e. the server saw a `host` parameter and the app runs inside
/// the Shopify admin. Everything embedded-only checks this first, because calling into a missing
/// `shopify` global throws.
pub fn is_embedded() -> bool {
    js_sys::Reflect::get(&leptos::prelude::window(), &JsValue::from_str("shopify"))
        .is_ok_and(|shopify| shopify.is_object())
}

/// A fresh session token from App Bridge, or `None` when App Bridge is missing or refuses.
pub async fn id_token() -> Option<String> {
    let promise = shopify_id_token().ok()?;
    JsFuture::from(promise).await.ok()?.as_string()
}

/// Shows a toast through the admin when embedded. Returns false when App Bridge is absent, so the
/// caller can draw its own toast instead.
pub fn toast(message: &str, is_error: bool) -> bool {
    if !is_embedded() {
        return false;
    }
    let options = js_sys::Object::new();
    // Setting a plain property on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&options, &"isError".into(), &is_error.into());
    shopify_toast_show(message, &options).is_ok()
}

/// Sends the whole browser tab (not just our iframe) to `url`: OAuth and billing pages refuse to load
/// inside the admin's iframe. App Bridge intercepts `window.open(url, "_top")` for exactly this.
pub fn redirect_top(url: &str) {
    let window = leptos::prelude::window();
    let done = if is_embedded() {
        window.open_with_url_and_target(url, "_top").is_ok()
    } else {
        window.location().assign(url).is_ok()
    };
    if !done {
        leptos::logging::error!("could not navigate to {url}");
    }
}

/// Sets the browser tab title and, when embedded, the admin's title bar (`<ui-title-bar>`), which
/// App Bridge reads from our document.
pub fn set_title(title: &str) {
    let document = leptos::prelude::document();
    document.set_title(&format!("{title} · {APP_NAME}"));
    if !is_embedded() {
        return;
    }
    let bar = match document.query_selector("ui-title-bar") {
        Ok(Some(bar)) => bar,
        _ => match document.create_element("ui-title-bar") {
            Ok(bar) => {
                if let Some(body) = document.body() {
                    let _ = body.append_child(&bar);
                }
                bar
            }
            Err(_) => return,
        },
    };
    let _ = bar.set_attribute("title", title);
}
