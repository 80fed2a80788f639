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
}

/// A token that verified, with its shop.
#[derive(Debug, Clone)]
pub struct VerifiedSession {
    /// The shop the token was issued for.
    pub shop: ShopDomain,
    /// The claims.
    pub claims: SessionClaims,
    /// The raw token, kept for token exchange.
    pub raw: String,
}

/// Why a token was refused. Never shown to the client in detail.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Bad signature, algorithm, audience or times.
    #[error("invalid session token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// `dest` is not a shop domain, or `iss` names another shop.
    #[error("session token names no valid shop")]
    BadShop,
}

/// Verifies a session token: HS256 only, signed with the client secret, `aud` = API key,
/// `exp`/`nbf` with 10 s leeway (the official libraries' tolerance).
pub fn verify(
    token: &str,
    api_key: &str,
    api_secret: &str,
) -> Result<VerifiedSession, SessionError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.algorithms = vec![Algorithm::HS256];
    v.leeway = 10;
    v.validate_nbf = true;
    v.set_audience(&[api_key]);
    v.set_required_spec_claims(&["exp", "nbf", "aud", "iss"]);
    let data = jsonwebtoken::decode::<SessionClaims>(
        token,
        &DecodingKey::from_secret(api_secret.as_bytes()),
        &v,
    )?;
    let shop = ShopDomain::from_dest(&data.claims.dest).map_err(|_| SessionError::BadShop)?;
    // The docs' checklist: `iss` and `dest` must name the same shop.
    if data.claims.iss.trim_end_matches('/') != format!("https://{shop}/admin") {
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
        let v = verify(&t, "key", "secret").unwrap();
        assert_eq!(v.shop, shop());
        assert_eq!(v.claims.sub.as_deref(), Some("1"));
    }

    #[test]
    fn wrong_secret_audience_or_expired_tokens_are_refused() {
        let t = mint_dev_token(&shop(), "key", "secret", now());
        assert!(verify(&t, "key", "other").is_err());
        assert!(verify(&t, "other-key", "secret").is_err());
        let old = mint_dev_token(&shop(), "key", "secret", now() - 120);
        assert!(verify(&old, "key", "secret").is_err());
    }

    #[test]
    fn a_token_just_past_expiry_passes_within_the_leeway() {
        let t = mint_dev_token(&shop(), "key", "secret", now() - 65);
        assert!(verify(&t, "key", "secret").is_ok());
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
        assert!(verify(&hs512, "key", "secret").is_err());
        use base64::Engine;
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b.encode(claims.to_string())
        );
        assert!(verify(&none, "key", "secret").is_err());
    }
}
