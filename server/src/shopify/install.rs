//! Install on first contact (Shopify-managed installation): a verified session token from a
//! shop without a usable offline token is exchanged for one.
//! <https://shopify.dev/docs/apps/build/authentication-authorization/app-installation>

use super::session_token::{self, VerifiedSession};
use super::shops::{self, Shop};
use super::token_exchange;
use super::{refresh, staff};
use crate::db::ShopDb;
use crate::state::AppState;

/// A request's verified shop.
#[derive(Debug, Clone)]
pub struct AuthedShop {
    /// The installed shop.
    pub shop: Shop,
    /// The verified token (its `sub` is the staff member).
    pub session: VerifiedSession,
    /// The tenant handle for this shop.
    pub db: ShopDb,
}

/// Why a request could not be tied to an installed shop.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The session token is invalid (or Shopify refused it in token exchange).
    #[error("invalid session token")]
    InvalidSession,
    /// Shopify or the database failed.
    #[error("install failed: {0}")]
    Failed(#[from] anyhow::Error),
}

/// Verifies a session token and makes sure its shop is installed.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthedShop, AuthError> {
    let cfg = &state.config;
    let now = state.clock.now();
    let session = session_token::verify(
        token,
        &cfg.api_key,
        cfg.api_secret.expose(),
        now.timestamp(),
    )
    .map_err(|e| {
        tracing::info!(reason = %e, "session token refused");
        AuthError::InvalidSession
    })?;
    let mut shop = match shops::find_by_domain(&state.db, &session.shop)
        .await
        .map_err(anyhow::Error::from)?
    {
        Some(shop) => shop,
        None => shops::ensure(&state.db, &session.shop, now)
            .await
            .map_err(anyhow::Error::from)?,
    };
    if shop.usable_access_token(&state.cipher, now).is_none() {
        // Refreshing keeps the install as it is; only when that cannot work (never installed,
        // refresh token expired or refused, Shopify unreachable) is the session token exchanged.
        shop = match refresh::fresh_access_token(state, shop.id).await {
            Ok(_) => shops::find_by_id(&state.db, shop.id)
                .await
                .map_err(anyhow::Error::from)?
                .ok_or_else(|| anyhow::anyhow!("shop row vanished"))?,
            Err(e) => {
                if let refresh::RefreshError::Failed(e) = &e {
                    tracing::warn!(shop = %session.shop, error = %e, "refresh failed; exchanging");
                }
                install(state, &session, shop.id).await?
            }
        };
    }
    let db = shop.db(&state.db);
    staff::sync_from_session(state, &db, &session).await;
    Ok(AuthedShop { shop, session, db })
}

/// Exchanges the session token for an offline token under a per-shop lock, so concurrent first
/// requests (App Bridge fires several) exchange once: each exchange retires the previous
/// token's refresh token, and a later-finishing older exchange must not overwrite a newer one.
async fn install(
    state: &AppState,
    session: &VerifiedSession,
    id: crate::db::ShopId,
) -> Result<Shop, AuthError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(anyhow::Error::from)?;
    shops::lock(&mut tx, id)
        .await
        .map_err(anyhow::Error::from)?;
    let current = shops::find_by_id_in(&mut tx, id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("shop row vanished"))?;
    if current.usable_access_token(&state.cipher, now).is_some() {
        // Another request installed the shop while this one waited for the lock.
        tx.rollback().await.map_err(anyhow::Error::from)?;
        return Ok(current);
    }
    let token = match token_exchange::exchange_offline(
        &state.http,
        &state.config,
        &session.shop,
        &session.raw,
    )
    .await
    {
        Ok(t) => t,
        Err(token_exchange::ExchangeError::InvalidSubjectToken) => {
            return Err(AuthError::InvalidSession);
        }
        Err(e) => return Err(AuthError::Failed(e.into())),
    };
    shops::store_offline_token(&mut tx, id, &token, &state.cipher, now)
        .await
        .map_err(anyhow::Error::from)?;
    super::jobs::after_install(&mut tx, &state.clock, id).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    state.intake.forget(&session.shop);
    tracing::info!(shop = %session.shop, "offline token stored");
    let shop = shops::find_by_id(&state.db, id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("shop row vanished"))?;
    Ok(shop)
}
