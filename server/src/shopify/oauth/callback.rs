//! `GET /auth/callback`: every check Shopify's libraries make (SHOPIFY.md §1.3–§1.6), each
//! failure a 4xx page that says what to do, then the code exchange, the encrypted token stored
//! under the shop's lock, the scope check, and the redirect into the admin.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::ShopDomain;

use super::code_exchange::{CodeExchangeError, exchange_code};
use super::host::AdminHost;
use super::{begin, hmac_query, pages, param, scopes, state_store};
use crate::shopify::shops;
use crate::shopify::token_exchange::OfflineToken;
use crate::state::AppState;

const OPEN_AGAIN: &str = "Open the app again from your Shopify admin to sign in.";

/// Handles `GET /auth/callback`.
pub async fn handle(state: &AppState, params: &[(String, String)]) -> Response {
    let bad = |shop: Option<&ShopDomain>, msg: &str| {
        pages::error(
            StatusCode::BAD_REQUEST,
            shop,
            &format!("{msg} {OPEN_AGAIN}"),
        )
    };
    let Some(shop) = param(params, "shop").and_then(|s| ShopDomain::parse(s).ok()) else {
        return bad(
            None,
            "The shop parameter is missing or is not a shop domain.",
        );
    };
    let now = state.clock.now();
    if let Err(e) = hmac_query::verify(params, state.config.api_secret.expose(), now.timestamp()) {
        tracing::info!(shop = %shop, reason = %e, "OAuth callback refused");
        return bad(None, &format!("This sign-in link is not valid: {e}."));
    }
    // From here the query is Shopify's, so the shop may be reflected into the CSP.
    let admin = match param(params, "host") {
        Some(raw) => match AdminHost::decode(raw) {
            Some(h) => h,
            None => return bad(Some(&shop), "The host parameter is not a Shopify admin."),
        },
        None => AdminHost::for_shop(&shop),
    };
    let Some(code) = param(params, "code").filter(|c| !c.is_empty()) else {
        return bad(Some(&shop), "The authorization code is missing.");
    };
    let nonce = param(params, "state").unwrap_or("");
    match state_store::consume(&state.db, nonce, &shop, now).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(shop = %shop, "OAuth state unknown, used, expired or for another shop");
            return bad(
                Some(&shop),
                "This sign-in link was already used or has expired.",
            );
        }
        Err(e) => return unavailable(&shop, &e.into()),
    }
    let token = match exchange_code(&state.http, &state.config, &shop, code).await {
        Ok(t) => t,
        Err(CodeExchangeError::Refused) => {
            return bad(
                Some(&shop),
                "Shopify did not accept the authorization code.",
            );
        }
        Err(CodeExchangeError::Failed(e)) => {
            tracing::warn!(shop = %shop, error = %e, "OAuth code exchange failed");
            return pages::error(
                StatusCode::BAD_GATEWAY,
                Some(&shop),
                "Shopify could not be reached to finish signing in. Please try again.",
            );
        }
    };
    if let Err(e) = store(state, &shop, &token).await {
        return unavailable(&shop, &e);
    }
    state.intake.forget(&shop);
    tracing::info!(shop = %shop, "offline token stored after OAuth");
    let missing = scopes::missing(&state.config.scopes, &token.scope);
    if !missing.is_empty() {
        // The grant is real and kept, but the app needs more: ask again, from the top window
        // (the callback is never framed).
        tracing::info!(shop = %shop, missing = ?missing, "granted scopes fall short; authorizing again");
        return begin::start(state, &shop, false).await;
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, admin.app_url(&state.config.api_key))],
    )
        .into_response()
}

/// Stores the token under the shop's row lock, like managed install, so a concurrent token
/// exchange for the same shop cannot interleave with this write.
async fn store(state: &AppState, shop: &ShopDomain, token: &OfflineToken) -> anyhow::Result<()> {
    let now = state.clock.now();
    let row = shops::ensure(&state.db, shop, now).await?;
    let mut tx = state.db.begin().await?;
    shops::lock(&mut tx, row.id).await?;
    shops::store_offline_token(&mut tx, row.id, token, &state.cipher, now).await?;
    crate::shopify::jobs::after_install(&mut tx, &state.clock, row.id).await?;
    tx.commit().await?;
    Ok(())
}

fn unavailable(shop: &ShopDomain, e: &anyhow::Error) -> Response {
    tracing::error!(shop = %shop, error = %e, "OAuth callback database error");
    pages::error(
        StatusCode::SERVICE_UNAVAILABLE,
        Some(shop),
        "The app could not finish signing in. Please try again in a moment.",
    )
}
