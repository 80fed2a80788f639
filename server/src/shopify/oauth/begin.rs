//! `GET /auth?shop=`: issue a single-use state and send the merchant to the grant screen, from
//! the top window (the grant screen refuses to be framed; SHOPIFY.md §1.2, §3.6).

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::ShopDomain;

use super::{pages, param, state_store};
use crate::state::AppState;

/// The grant screen URL for `shop` with `state`. Offline access: no `grant_options[]`.
pub fn authorize_url(state: &AppState, shop: &ShopDomain, nonce: &str) -> String {
    let cfg = &state.config;
    let base = format!("{}/admin/oauth/authorize", cfg.shop_base(shop));
    let redirect_uri = format!("{}/auth/callback", cfg.app_url);
    let scope = cfg.scopes.join(",");
    let params = [
        ("client_id", cfg.api_key.as_str()),
        ("scope", scope.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("state", nonce),
    ];
    match reqwest::Url::parse_with_params(&base, params) {
        Ok(url) => url.to_string(),
        // `shop_base_url` was validated at start-up, so this is unreachable in practice.
        Err(_) => base,
    }
}

/// Creates a state and redirects to the grant screen. Returns the response to send.
pub async fn start(state: &AppState, shop: &ShopDomain, embedded: bool) -> Response {
    let nonce = match state_store::create(&state.db, shop, state.clock.now()).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "could not store an OAuth state");
            return pages::error(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(shop),
                "The app could not start authorization. Please try again in a moment.",
            );
        }
    };
    let url = authorize_url(state, shop, &nonce);
    if embedded {
        pages::exit_iframe(&state.config, Some(shop), &url)
    } else {
        (StatusCode::FOUND, [(header::LOCATION, url)]).into_response()
    }
}

/// Handles `GET /auth`.
pub async fn handle(
    state: &AppState,
    params: &[(String, String)],
    headers: &HeaderMap,
) -> Response {
    let Some(shop) = param(params, "shop").and_then(|s| ShopDomain::parse(s).ok()) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            None,
            "The shop parameter is missing or is not a shop domain like your-store.myshopify.com.",
        );
    };
    // Inside the admin iframe: Shopify marks app loads `embedded=1`; browsers say `iframe`.
    let embedded = param(params, "embedded") == Some("1")
        || headers
            .get("sec-fetch-dest")
            .is_some_and(|v| v.as_bytes() == b"iframe");
    start(state, &shop, embedded).await
}
