//! Document loads from the Shopify admin and the auth routes (SHOPIFY.md §1, §3.4–§3.6, §4.4).
//! A load that carries `hmac` came from Shopify: it is verified (400 when wrong), a top-level
//! load of an installed shop is sent back into the admin, one of a new shop starts OAuth, and
//! an embedded load without a valid `id_token` goes to the bounce page. Loads without `hmac`
//! (local dev, tests, deep links inside the app) are served as before by `assets.rs`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use shared::ShopDomain;

use super::HttpState;
use crate::shopify::oauth::host::AdminHost;
use crate::shopify::oauth::{self, hmac_query, pages, param, query_pairs};
use crate::shopify::{session_token, shops};

/// Where the bounce page lives (the official template's path).
pub const BOUNCE_PATH: &str = "/auth/session-token";

/// `GET /auth?shop=`.
pub async fn auth(
    State(s): State<HttpState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    oauth::begin::handle(&s.app, &query_pairs(q.as_deref()), &headers).await
}

/// `GET /auth/callback`.
pub async fn callback(State(s): State<HttpState>, RawQuery(q): RawQuery) -> Response {
    oauth::callback::handle(&s.app, &query_pairs(q.as_deref())).await
}

/// `GET /auth/session-token`: App Bridge only; it reloads `shopify-reload` with a fresh token.
pub async fn bounce(State(s): State<HttpState>, RawQuery(q): RawQuery) -> Response {
    let params = query_pairs(q.as_deref());
    let shop = param(&params, "shop").and_then(|v| ShopDomain::parse(v).ok());
    pages::bounce(&s.app.config, shop.as_ref())
}

/// Checks a document load before `index.html` is served. `None`: serve the app as usual.
pub async fn check(s: &HttpState, uri: &Uri) -> Option<Response> {
    let params = query_pairs(uri.query());
    param(&params, "hmac")?;
    let app = &s.app;
    let cfg = &app.config;
    let bad = |msg: &str| Some(pages::error(StatusCode::BAD_REQUEST, None, msg));
    let Some(shop) = param(&params, "shop").and_then(|v| ShopDomain::parse(v).ok()) else {
        return bad("The shop parameter is missing or is not a shop domain.");
    };
    let now = app.clock.now().timestamp();
    if let Err(e) = verify(&params, cfg.api_secret.expose(), now) {
        tracing::info!(shop = %shop, reason = %e, "app load refused");
        return bad(&format!(
            "This link to the app is not valid ({e}). Open the app from your Shopify admin."
        ));
    }
    let admin = match param(&params, "host") {
        Some(raw) => match AdminHost::decode(raw) {
            Some(h) => h,
            None => return bad("The host parameter is not a Shopify admin."),
        },
        None => AdminHost::for_shop(&shop),
    };
    if param(&params, "embedded") != Some("1") {
        return Some(top_level(s, &shop, &admin).await);
    }
    let token_ok = param(&params, "id_token").is_some_and(|t| {
        session_token::verify(t, &cfg.api_key, cfg.api_secret.expose(), now)
            .is_ok_and(|v| v.shop == shop)
    });
    if token_ok {
        // The app itself installs on its first GraphQL call (token exchange).
        return None;
    }
    Some(redirect(&bounce_url(&cfg.app_url, uri)))
}

/// Verifies the query HMAC. App Bridge reloads the bounced URL with a *new* `id_token` that
/// Shopify never signed, so a second try leaves `id_token` out; the token is a signed JWT that
/// is verified on its own, so excluding it lets nothing unsigned through.
fn verify(
    params: &[(String, String)],
    secret: &str,
    now: i64,
) -> Result<(), hmac_query::QueryHmacError> {
    match hmac_query::verify(params, secret, now) {
        Err(hmac_query::QueryHmacError::Invalid) if param(params, "id_token").is_some() => {
            let without: Vec<_> = params
                .iter()
                .filter(|(k, _)| k != "id_token")
                .cloned()
                .collect();
            hmac_query::verify(&without, secret, now)
        }
        other => other,
    }
}

/// A top-level load: installed → back into the admin, where the app is embedded; otherwise
/// authenticate at once, with no page in between (review check "immediately authenticates").
async fn top_level(s: &HttpState, shop: &ShopDomain, admin: &AdminHost) -> Response {
    match shops::find_by_domain(&s.app.db, shop).await {
        Ok(Some(row)) if row.installed_at.is_some() && row.uninstalled_at.is_none() => {
            redirect(&admin.app_url(&s.app.config.api_key))
        }
        Ok(_) => redirect(&format!("/auth?shop={shop}")),
        Err(e) => {
            tracing::error!(shop = %shop, error = %e, "app load database error");
            pages::error(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(shop),
                "The app could not load. Please try again in a moment.",
            )
        }
    }
}

/// `/auth/session-token?{query minus id_token}&shopify-reload={app_url}{path}?{query minus id_token}`.
fn bounce_url(app_url: &str, uri: &Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("id_token"))
        .collect();
    let query = kept.join("&");
    let reload = format!("{app_url}{}?{query}", uri.path());
    let reload: String = reqwest::Url::parse_with_params("http://x/", [("r", reload.as_str())])
        .ok()
        .and_then(|u| u.query().map(|q| q.trim_start_matches("r=").to_string()))
        .unwrap_or_default();
    format!("{BOUNCE_PATH}?{query}&shopify-reload={reload}")
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}
