//! Expiring offline tokens kept fresh (SHOPIFY.md §2.3): every Admin API caller asks
//! [`fresh_access_token`], which refreshes an access token within five minutes of expiry and
//! stores the rotated refresh token in the same transaction.
//!
//! Shopify retires a refresh token the moment it is used, so two concurrent refreshes would
//! each get a new pair and the one that commits last could store a refresh token Shopify had
//! already retired. The refresh therefore runs under the shop's row lock and re-reads the row
//! after taking it: whoever waited finds the token the winner stored and uses it.

use super::shops::{self, Shop};
use super::token_exchange::{AccessTokenReply, post_access_token};
use crate::db::ShopId;
use crate::state::AppState;

/// Why no access token could be produced.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// No token, uninstalled, or the refresh token is expired or refused: only a token exchange
    /// (the merchant opening the app) helps. Jobs skip such shops.
    #[error("the shop needs to be authorized again")]
    NeedsReauth,
    /// Network, 5xx or database failure: worth retrying later.
    #[error("token refresh failed: {0}")]
    Failed(#[from] anyhow::Error),
}

fn failed(e: impl Into<anyhow::Error>) -> RefreshError {
    RefreshError::Failed(e.into())
}

/// An access token for the shop that stays valid for at least five more minutes.
pub async fn fresh_access_token(state: &AppState, shop_id: ShopId) -> Result<String, RefreshError> {
    let now = state.clock.now();
    let shop = shops::find_by_id(&state.db, shop_id)
        .await
        .map_err(failed)?
        .ok_or(RefreshError::NeedsReauth)?;
    if let Some(token) = shop.usable_access_token(&state.cipher, now) {
        return Ok(token);
    }
    if shop.uninstalled_at.is_some() {
        return Err(RefreshError::NeedsReauth);
    }
    refresh_locked(state, &shop).await
}

/// The refresh proper. The transaction holds only the lock, the re-read, the call to Shopify
/// and the write: nothing else on the request path waits on it.
async fn refresh_locked(state: &AppState, shop: &Shop) -> Result<String, RefreshError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(failed)?;
    shops::lock(&mut tx, shop.id).await.map_err(failed)?;
    let current = shops::find_by_id_in(&mut tx, shop.id)
        .await
        .map_err(failed)?
        .ok_or(RefreshError::NeedsReauth)?;
    if let Some(token) = current.usable_access_token(&state.cipher, now) {
        // Another request refreshed while this one waited for the lock.
        tx.rollback().await.map_err(failed)?;
        return Ok(token);
    }
    let refresh = shops::refresh_token_in(&mut tx, shop.id, &state.cipher)
        .await
        .map_err(failed)?;
    let Some((refresh_token, _)) = refresh.filter(|(_, exp)| exp.is_none_or(|e| e > now)) else {
        // Asking Shopify with a dead refresh token would only be refused.
        return give_up(tx, shop, now).await;
    };
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    let reply = post_access_token(&state.http, &state.config, &shop.domain, &grant)
        .await
        .map_err(failed)?;
    match reply {
        AccessTokenReply::Token(token) => {
            shops::store_rotated_token(&mut tx, shop.id, &token, &state.cipher, now)
                .await
                .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
            tracing::info!(shop = %shop.domain, "offline token refreshed");
            Ok(token.access_token)
        }
        AccessTokenReply::Refused { status, .. } => {
            // The body may echo request parameters; only the status is logged.
            tracing::warn!(shop = %shop.domain, status, "refresh token refused");
            give_up(tx, shop, now).await
        }
    }
}

/// Clears the tokens so the next session-token request exchanges again.
async fn give_up(
    mut tx: crate::db::DbTx,
    shop: &Shop,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, RefreshError> {
    shops::clear_tokens(&mut tx, shop.id, now)
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    tracing::info!(shop = %shop.domain, "refresh token unusable; shop needs token exchange");
    Err(RefreshError::NeedsReauth)
}
