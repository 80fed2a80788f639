//! A stand-in for the Shopify admin around an embedded app: an App Bridge script with the parts
//! the app uses (`shopify.idToken()`, `shopify.toast.show`), so a browser test can open the app
//! exactly as the admin would, with real session tokens, without Shopify's CDN.
//!
//! The script asks `/_sim/session-token` for a fresh token signed with the app's secret for the
//! shop in the page's `shop` parameter, as the admin signs one for the shop the merchant is in.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::state::SimState;

const SCRIPT: &str = r#"(function () {
  var sim = new URL(document.currentScript.src).origin;
  var shop = new URLSearchParams(location.search).get('shop') || '';
  window.__simToasts = [];
  window.shopify = {
    idToken: function () {
      return fetch(sim + '/_sim/session-token?shop=' + encodeURIComponent(shop))
        .then(function (r) { return r.json(); })
        .then(function (j) { return j.token; });
    },
    toast: { show: function (message, options) { window.__simToasts.push({ message: message, options: options || {} }); } },
    config: { shop: shop }
  };
})();
"#;

/// `GET /admin/app-bridge.js`.
pub async fn app_bridge() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct TokenParams {
    shop: String,
    user: Option<String>,
}

/// `GET /_sim/session-token?shop=&user=`: a session token as the admin would issue it.
pub async fn session_token(
    State(state): State<SimState>,
    Query(p): Query<TokenParams>,
) -> Response {
    let token = crate::signing::mint_session_token(
        &state.config.api_key,
        &state.config.api_secret,
        &p.shop,
        Some(p.user.as_deref().unwrap_or("1")),
        state.now().timestamp(),
    );
    (
        // The app's page (another origin) fetches this, as App Bridge would from inside the admin.
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        axum::Json(serde_json::json!({ "token": token })),
    )
        .into_response()
}
