//! The small HTML documents of the auth flow: the App Bridge bounce page, the exit-iframe page
//! and plain error pages. Each carries the frame-ancestors CSP for its shop (SHOPIFY.md §4.1).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::ShopDomain;

use crate::config::Config;

/// `frame-ancestors` for a sanitised shop, or `'none'` when there is none to allow.
pub fn csp(shop: Option<&ShopDomain>) -> String {
    match shop {
        Some(shop) => format!("frame-ancestors https://{shop} https://admin.shopify.com;"),
        None => "frame-ancestors 'none';".to_string(),
    }
}

fn html(status: StatusCode, shop: Option<&ShopDomain>, body: String) -> Response {
    let mut res = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp(shop)) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

fn app_bridge_head(config: &Config) -> String {
    format!(
        r#"<meta name="shopify-api-key" content="{}" /><script src="{}"></script>"#,
        escape(&config.api_key),
        escape(&config.app_bridge_url)
    )
}

/// The bounce page (SHOPIFY.md §3.5): only App Bridge, which fetches a fresh session token and
/// reloads the `shopify-reload` URL with it.
pub fn bounce(config: &Config, shop: Option<&ShopDomain>) -> Response {
    let body = format!("<head>{}</head>", app_bridge_head(config));
    html(StatusCode::OK, shop, body)
}

/// The exit-iframe page (SHOPIFY.md §3.6): the grant screen refuses to be framed, so inside the
/// admin the top window must navigate. App Bridge is loaded so the admin allows it.
pub fn exit_iframe(config: &Config, shop: Option<&ShopDomain>, url: &str) -> Response {
    // JSON is a JS string literal; `<` is escaped so `</script>` in the URL cannot end the script.
    let js_url = serde_json::to_string(url)
        .unwrap_or_else(|_| "\"/\"".into())
        .replace('<', "\\u003c");
    let body = format!(
        "<!doctype html><html><head>{}<script>window.open({js_url}, \"_top\");</script></head>\
         <body><p>Redirecting to Shopify… <a href=\"{}\" target=\"_top\">Continue</a></p></body></html>",
        app_bridge_head(config),
        escape(url),
    );
    html(StatusCode::OK, shop, body)
}

/// A plain error page that says what went wrong and what to do; never internal details.
pub fn error(status: StatusCode, shop: Option<&ShopDomain>, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>EcomCRM</title></head><body><h1>{}</h1><p>{}</p></body></html>",
        status.canonical_reason().unwrap_or("Error"),
        escape(message)
    );
    html(status, shop, body)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
