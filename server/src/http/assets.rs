//! The app bundle at `/`: hashed files with immutable caching, `index.html` for every other
//! path (SPA deep links) with the API key, App Bridge and the frame-ancestors CSP filled in.
//! Release builds (`--features embed-app`) carry the bundle inside the binary.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use shared::ShopDomain;

use super::HttpState;

#[cfg(feature = "embed-app")]
#[derive(rust_embed::Embed)]
// Relative to server/ (rust-embed resolves it against CARGO_MANIFEST_DIR).
#[folder = "../dist"]
struct Bundle;

/// Reads a bundle file.
async fn read(s: &HttpState, path: &str) -> Option<Cow<'static, [u8]>> {
    #[cfg(feature = "embed-app")]
    {
        let _ = s;
        Bundle::get(path).map(|f| f.data)
    }
    #[cfg(not(feature = "embed-app"))]
    {
        tokio::fs::read(s.app.config.dist_dir.join(path))
            .await
            .ok()
            .map(Cow::Owned)
    }
}

/// Serves a bundle file or the app's `index.html`.
pub async fn serve(
    State(s): State<HttpState>,
    method: Method,
    uri: Uri,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if path
        .split('/')
        .any(|seg| seg == ".." || seg.starts_with('.'))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.is_empty() && path != "index.html" {
        if let Some(bytes) = read(&s, path).await {
            return file_response(path, bytes);
        }
        if last.contains('.') {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    // Loads signed by Shopify are verified (and may be redirected) before the app is served.
    if let Some(res) = super::app_load::check(&s, &uri).await {
        return res;
    }
    index(&s, &q).await
}

fn file_response(path: &str, bytes: Cow<'static, [u8]>) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let cache = if is_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if mime.essence_str() == "text/html" {
        // Static pages (the privacy policy) are never meant to be framed.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none';"),
        );
    }
    res
}

/// Trunk names built files `name-<16 hex>.ext` (and `name-<hex>_bg.wasm`): those never change.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file
        .split('.')
        .next()
        .unwrap_or(file)
        .trim_end_matches("_bg");
    // Trunk prints its 64-bit hash in hex without leading zeros, so it is sometimes shorter
    // than 16 digits (one build in sixteen has 15).
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() >= 12 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

async fn index(s: &HttpState, q: &std::collections::HashMap<String, String>) -> Response {
    let Some(bytes) = read(s, "index.html").await else {
        let msg = "<!doctype html><title>EcomCRM</title><p>The app bundle is not built yet. Run <code>cargo xtask dev</code> (or <code>cargo xtask build</code>).</p>";
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none';"),
            ],
            msg,
        )
            .into_response();
    };
    let cfg = &s.app.config;
    let embedded = q.contains_key("host");
    let html = String::from_utf8_lossy(&bytes)
        .replace("%SHOPIFY_API_KEY%", &html_escape(&cfg.api_key))
        .replace(
            "<!--APP_BRIDGE-->",
            &if embedded {
                format!(
                    r#"<script src="{}"></script>"#,
                    html_escape(&cfg.app_bridge_url)
                )
            } else {
                String::new()
            },
        )
        .replace(
            "%DEV_SHOP%",
            &html_escape(
                cfg.dev_shop
                    .as_deref()
                    .filter(|_| cfg.dev_sessions_enabled())
                    .unwrap_or(""),
            ),
        );
    // Only a shop that parses is reflected into the header; anything else cannot frame the app.
    let csp = match q.get("shop").map(|s| ShopDomain::parse(s)) {
        Some(Ok(shop)) => format!("frame-ancestors https://{shop} https://admin.shopify.com;"),
        _ => "frame-ancestors 'none';".to_string(),
    };
    let mut res = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A panic in a handler becomes a plain 500 without details (the panic itself is logged).
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(serde_json::json!({"error": "internal error", "code": "INTERNAL"})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn trunk_hashed_files_are_recognised() {
        assert!(is_hashed("app-4a8c1b2d3e4f5a6b.js"));
        assert!(is_hashed("app-4a8c1b2d3e4f5a6b_bg.wasm"));
        assert!(is_hashed("style-0123456789abcdef0.css"));
        assert!(
            is_hashed("app-e3a04c11fca32ca_bg.wasm"),
            "a hash with a leading zero dropped"
        );
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("privacy.html"));
        assert!(!is_hashed("my-icon.png"));
    }
}
