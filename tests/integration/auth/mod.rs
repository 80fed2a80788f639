//! Authorization-code OAuth (the install fallback) and Shopify's signed app loads, driven over
//! HTTP against the simulator with redirects followed by hand so each hop can be asserted.

mod app_load;
mod oauth;

use ecomcrm_tests::signing::{form_encode, oauth_query_hmac};
use ecomcrm_tests::test_app::TestApp;

/// A client that returns 3xx responses instead of following them.
pub fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The `Location` of a redirect, asserting it is one.
pub fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 302, "expected a redirect from {}", res.url());
    res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string()
}

/// `params` plus a valid `hmac`, as a query string (Shopify's signing).
pub fn signed(app: &TestApp, params: &[(&str, &str)]) -> String {
    let hmac = oauth_query_hmac(&app.api_secret, params);
    let mut all = params.to_vec();
    all.push(("hmac", &hmac));
    query(&all)
}

/// A form-encoded query string.
pub fn query(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The current unix time as the string Shopify puts in `timestamp`.
pub fn now_ts() -> String {
    chrono::Utc::now().timestamp().to_string()
}

/// `host` for a shop's unified admin: base64 without padding.
pub fn host_for(handle: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD_NO_PAD
        .encode(format!("admin.shopify.com/store/{handle}"))
}

/// A query parameter of a URL.
pub fn url_param(url: &str, key: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
