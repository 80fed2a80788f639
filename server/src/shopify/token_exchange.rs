//! Token exchange: a verified session token becomes an expiring offline access token.
//! <https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange>

use serde::Deserialize;
use shared::ShopDomain;

use crate::config::Config;

/// What Shopify returns for an offline token. `Debug` leaves the tokens out.
#[derive(Clone, Deserialize)]
pub struct OfflineToken {
    /// `shpat_…`; stored encrypted, never logged.
    pub access_token: String,
    /// Granted scopes, comma separated.
    pub scope: String,
    /// Seconds until the access token expires (expiring offline tokens).
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// `shprt_…`, for refreshing.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires.
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
}

impl std::fmt::Debug for OfflineToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfflineToken")
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// Shopify refused the session token (`invalid_subject_token`): treat as an invalid session.
    #[error("Shopify refused the session token")]
    InvalidSubjectToken,
    /// Anything else: network, 5xx, an unexpected body.
    #[error("token exchange failed: {0}")]
    Failed(String),
}

/// Exchanges a session token for an expiring offline access token.
pub async fn exchange_offline(
    http: &reqwest::Client,
    config: &Config,
    shop: &ShopDomain,
    session_token: &str,
) -> Result<OfflineToken, ExchangeError> {
    let form = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", session_token),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:id_token",
        ),
        (
            "requested_token_type",
            "urn:shopify:params:oauth:token-type:offline-access-token",
        ),
        ("expiring", "1"),
    ];
    match post_access_token(http, config, shop, &form).await? {
        AccessTokenReply::Token(t) => Ok(t),
        AccessTokenReply::Refused { status: 400, body }
            if body.contains("invalid_subject_token") =>
        {
            Err(ExchangeError::InvalidSubjectToken)
        }
        AccessTokenReply::Refused { status, .. } => {
            Err(ExchangeError::Failed(format!("HTTP {status}")))
        }
    }
}

/// What the access-token endpoint answered. `T` is the success body's shape: an offline token
/// by default, or another view of the same body (the online exchange reads `associated_user`).
pub enum AccessTokenReply<T = OfflineToken> {
    /// A token.
    Token(T),
    /// A 4xx, with its body (Shopify's `error` codes live there).
    Refused {
        /// The HTTP status.
        status: u16,
        /// The body, for the caller to read Shopify's error code from.
        body: String,
    },
}

/// `POST {shop}/admin/oauth/access_token` with the app's credentials and `grant` (token
/// exchange, authorization code, refresh): one place for the endpoint, headers and parsing.
/// 5xx, network failures and unreadable bodies are `ExchangeError::Failed`.
pub async fn post_access_token(
    http: &reqwest::Client,
    config: &Config,
    shop: &ShopDomain,
    grant: &[(&str, &str)],
) -> Result<AccessTokenReply, ExchangeError> {
    post_access_token_as(http, config, shop, grant).await
}

/// [`post_access_token`] with the success body read as `T`.
pub async fn post_access_token_as<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    config: &Config,
    shop: &ShopDomain,
    grant: &[(&str, &str)],
) -> Result<AccessTokenReply<T>, ExchangeError> {
    let url = format!("{}/admin/oauth/access_token", config.shop_base(shop));
    let mut form = vec![
        ("client_id", config.api_key.as_str()),
        ("client_secret", config.api_secret.expose()),
    ];
    form.extend_from_slice(grant);
    let failed = |e: reqwest::Error| ExchangeError::Failed(e.without_url().to_string());
    let res = http
        .post(&url)
        .header("Accept", "application/json")
        .form(&form)
        .send()
        .await
        .map_err(failed)?;
    let status = res.status();
    let body = res.text().await.map_err(failed)?;
    if status.is_success() {
        let token = serde_json::from_str(&body)
            .map_err(|_| ExchangeError::Failed("unexpected response body".into()))?;
        return Ok(AccessTokenReply::Token(token));
    }
    if status.is_client_error() {
        return Ok(AccessTokenReply::Refused {
            status: status.as_u16(),
            body,
        });
    }
    Err(ExchangeError::Failed(format!("HTTP {status}")))
}
