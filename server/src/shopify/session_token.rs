//! Verifying App Bridge session tokens (ID tokens).
//! <https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens>

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use shared::ShopDomain;

/// The claims we use from a verified session token.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionClaims {
    /// `https://{shop}/admin`.
    pub iss: String,
    /// `https://{shop}`: the shop comes from here, never from a request parameter.
    pub dest: String,
    /// The staff member's user id, when the token was issued in the admin.
    #[serde(default)]
    pub sub: Option<String>,
    /// Expiry, unix seconds.
    pub exp: i64,
    /// Not valid before, unix seconds.
    pub nbf: i64,
}

/// A token that verified, with its shop. `Debug` leaves the raw token out.
#[derive(Clone)]
pub struct VerifiedSession {
    /// The shop the token was issued for.
    pub shop: ShopDomain,
    /// The claims.
    pub claims: SessionClaims,
    /// The raw token, kept for token exchange.
    pub raw: String,
}

impl std::fmt::Debug for VerifiedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedSession")
            .field("shop", &self.shop)
            .field("sub", &self.claims.sub)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused. Never shown to the client in detail.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Bad signature, algorithm, audience or a missing claim.
    #[error("invalid session token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// Expired, or not yet valid, beyond the leeway.
    #[error("session token is outside its validity window")]
    Expired,
    /// `dest` is not a shop domain, or `iss` names another shop.
    #[error("session token names no valid shop")]
    BadShop,
}

/// Seconds of clock skew tolerated on `exp` and `nbf` (the official libraries' tolerance).
pub const LEEWAY_SECS: i64 = 10;

/// Verifies a session token: HS256 only, signed with the client secret, `aud` = API key,
/// `exp`/`nbf` against `now` (the app's clock) with 10 s leeway, and `iss` and `dest` naming
/// the same shop (the docs' checklist).
pub fn verify(
    token: &str,
    api_key: &str,
    api_secret: &str,
    now: i64,
) -> Result<VerifiedSession, SessionError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.algorithms = vec![Algorithm::HS256];
    // Times are checked below against the injected clock, not the library's wall clock.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.set_audience(&[api_key]);
    v.set_required_spec_claims(&["exp", "nbf", "aud", "iss"]);
    let data = jsonwebtoken::decode::<SessionClaims>(
        token,
        &DecodingKey::from_secret(api_secret.as_bytes()),
        &v,
    )?;
    let c = &data.claims;
    if now > c.exp + LEEWAY_SECS || now + LEEWAY_SECS < c.nbf {
        return Err(SessionError::Expired);
    }
    let shop = ShopDomain::from_dest(&c.dest).map_err(|_| SessionError::BadShop)?;
    if c.iss.trim_end_matches('/') != format!("https://{shop}/admin") {
        return Err(SessionError::BadShop);
    }
    Ok(VerifiedSession {
        shop,
        claims: data.claims,
        raw: token.to_string(),
    })
}

/// Mints a session token as Shopify would. Used by `/dev/session` in dev only, where no admin
/// exists to issue one; the server never accepts anything it would not accept from Shopify.
pub fn mint_dev_token(shop: &ShopDomain, api_key: &str, api_secret: &str, now: i64) -> String {
    let claims = serde_json::json!({
        "iss": format!("https://{shop}/admin"),
        "dest": format!("https://{shop}"),
        "aud": api_key,
        "sub": "1",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "sid": format!("dev-{}", shop.handle()),
    });
    let key = jsonwebtoken::EncodingKey::from_secret(api_secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::HS256), &claims, &key)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> ShopDomain {
        ShopDomain::parse("demo.myshopify.com").unwrap()
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn a_token_signed_with_the_secret_verifies_and_names_its_shop() {
        let t = mint_dev_token(&shop(), "key", "secret", now());
        let v = verify(&t, "key", "secret", now()).unwrap();
        assert_eq!(v.shop, shop());
        assert_eq!(v.claims.sub.as_deref(), Some("1"));
    }

    #[test]
    fn wrong_secret_audience_or_expired_tokens_are_refused() {
        let t = mint_dev_token(&shop(), "key", "secret", now());
        assert!(verify(&t, "key", "other", now()).is_err());
        assert!(verify(&t, "other-key", "secret", now()).is_err());
        let old = mint_dev_token(&shop(), "key", "secret", now() - 120);
        assert!(verify(&old, "key", "secret", now()).is_err());
    }

    #[test]
    fn a_token_just_past_expiry_passes_within_the_leeway() {
        let t = mint_dev_token(&shop(), "key", "secret", now() - 65);
        assert!(verify(&t, "key", "secret", now()).is_ok());
    }

    #[test]
    fn times_are_checked_against_the_given_clock() {
        let t = mint_dev_token(&shop(), "key", "secret", 1_000_000);
        assert!(verify(&t, "key", "secret", 1_000_000 + 60 + LEEWAY_SECS).is_ok());
        assert!(matches!(
            verify(&t, "key", "secret", 1_000_000 + 61 + LEEWAY_SECS),
            Err(SessionError::Expired)
        ));
        assert!(matches!(
            verify(&t, "key", "secret", 1_000_000 - 11),
            Err(SessionError::Expired)
        ));
    }

    #[test]
    fn alg_none_and_hs512_are_refused() {
        let claims = serde_json::json!({"iss":"https://demo.myshopify.com/admin","dest":"https://demo.myshopify.com","aud":"key","exp":now()+60,"nbf":now()});
        let hs512 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS512),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"secret"),
        )
        .unwrap();
        assert!(verify(&hs512, "key", "secret", now()).is_err());
        use base64::Engine;
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b.encode(claims.to_string())
        );
        assert!(verify(&none, "key", "secret", now()).is_err());
    }
}
