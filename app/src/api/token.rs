//! Where the Bearer token for `/graphql` comes from. Embedded: a fresh App Bridge token for every
//! request (they live about a minute). Standalone dev mode: `GET /dev/session?shop=…`, kept in memory
//! until shortly before it expires. Never in localStorage or cookies: the admin iframe forbids
//! relying on them, and a token at rest is a token to steal.

use std::cell::RefCell;

use gloo_net::http::Request;
use serde::Deserialize;

use super::{ApiError, jwt};
use crate::{bridge, location};

/// Refresh this long before `exp`, so a token cannot expire between fetch and use.
const EXPIRY_MARGIN_SECS: f64 = 30.0;

/// What `GET /dev/session` answers.
#[derive(Deserialize)]
struct DevSession {
    token: String,
}

struct CachedToken {
    token: String,
    /// Unix seconds after which the token must not be sent.
    use_until: f64,
}

thread_local! {
    static DEV_TOKEN: RefCell<Option<CachedToken>> = const { RefCell::new(None) };
}

/// A token for the next request.
pub async fn session_token() -> Result<String, ApiError> {
    if bridge::is_embedded() {
        return bridge::id_token().await.ok_or(ApiError::Unauthorized);
    }
    dev_session_token().await
}

/// Drops the cached dev token, after the server refused it.
pub fn forget() {
    DEV_TOKEN.with(|cached| cached.borrow_mut().take());
}

fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

async fn dev_session_token() -> Result<String, ApiError> {
    let cached = DEV_TOKEN.with(|cached| {
        cached
            .borrow()
            .as_ref()
            .filter(|c| c.use_until > now_secs())
            .map(|c| c.token.clone())
    });
    if let Some(token) = cached {
        return Ok(token);
    }

    // Without a shop there is nobody to sign in as; outside the admin that is a missing session.
    let shop = location::shop().ok_or(ApiError::Unauthorized)?;
    let response = Request::get("/dev/session")
        .query([("shop", shop.as_str())])
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(format!("GET /dev/session failed: {e}")))?;
    match response.status() {
        200..=299 => {}
        // A production server has no dev route (404); a dev server may refuse an unknown shop.
        401 | 403 | 404 => return Err(ApiError::Unauthorized),
        status => {
            return Err(ApiError::network(format!(
                "GET /dev/session answered HTTP {status}"
            )));
        }
    }
    let session: DevSession = response
        .json()
        .await
        .map_err(|e| ApiError::network(format!("unreadable /dev/session reply: {e}")))?;

    // A token without `exp` is used once and not cached: we cannot tell when it goes stale.
    if let Some(exp) = jwt::expiry(&session.token) {
        DEV_TOKEN.with(|cached| {
            *cached.borrow_mut() = Some(CachedToken {
                token: session.token.clone(),
                use_until: exp - EXPIRY_MARGIN_SECS,
            });
        });
    }
    Ok(session.token)
}
