//! Exchanging an authorization code for an offline access token (SHOPIFY.md §1.5). It asks for
//! an expiring token (`expiring=1`): new public apps must use them (§15.6), and the refresh path
//! already handles rotation.

use shared::ShopDomain;

use crate::config::Config;
use crate::shopify::token_exchange::{AccessTokenReply, OfflineToken, post_access_token};

/// Why the code exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum CodeExchangeError {
    /// Shopify refused the code (used, expired, or not for this app).
    #[error("Shopify refused the authorization code")]
    Refused,
    /// Shopify could not be reached or answered something unexpected.
    #[error("code exchange failed: {0}")]
    Failed(String),
}

/// `POST {shop}/admin/oauth/access_token` with the authorization code.
pub async fn exchange_code(
    http: &reqwest::Client,
    config: &Config,
    shop: &ShopDomain,
    code: &str,
) -> Result<OfflineToken, CodeExchangeError> {
    let grant = [("code", code), ("expiring", "1")];
    match post_access_token(http, config, shop, &grant).await {
        Ok(AccessTokenReply::Token(t)) => Ok(t),
        Ok(AccessTokenReply::Refused { .. }) => Err(CodeExchangeError::Refused),
        Err(e) => Err(CodeExchangeError::Failed(e.to_string())),
    }
}
