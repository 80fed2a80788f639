//! Shopify's signatures, made and checked the way Shopify does (SHOPIFY.md §1.4, §3, §5):
//! session tokens (HS256 JWTs), webhook HMACs (base64) and admin query HMACs (hex).
//! Used by the simulator and by integration tests that stand in for Shopify or App Bridge.
//! The app's own verification lives in the server; nothing here is shared with it on purpose, so a
//! bug in one cannot hide the same bug in the other.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How long App Bridge's session tokens live (SHOPIFY.md §3.1).
pub const SESSION_TOKEN_LIFETIME_SECS: i64 = 60;
/// Clock tolerance the official libraries allow on `exp` and `nbf` (SHOPIFY.md §3.2).
pub const SESSION_TOKEN_LEEWAY_SECS: i64 = 10;

/// The claims of a Shopify session token, in the order Shopify's docs print them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTokenClaims {
    /// Shop admin URL, `https://{shop}/admin`.
    pub iss: String,
    /// Shop URL, `https://{shop}`; the shop is its host.
    pub dest: String,
    /// The app's client id (API key).
    pub aud: String,
    /// Staff user id as a string; absent outside admin contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Expiry, unix seconds.
    pub exp: i64,
    /// Not before, unix seconds.
    pub nbf: i64,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Random token id.
    pub jti: String,
    /// Session id, stable per user and app.
    pub sid: String,
}

impl SessionTokenClaims {
    /// Claims as App Bridge would issue them for `shop` at `now` (unix seconds), with a fresh `jti`.
    pub fn new(api_key: &str, shop: &str, sub: Option<&str>, now: i64) -> Self {
        let iat = now;
        // `sid` identifies the user's session with this app; a hash keeps it stable across tokens.
        let sid = hex::encode(Sha256::digest(
            format!("{shop}:{}:{api_key}", sub.unwrap_or("")).as_bytes(),
        ));
        Self {
            iss: format!("https://{shop}/admin"),
            dest: format!("https://{shop}"),
            aud: api_key.to_string(),
            sub: sub.map(str::to_string),
            exp: iat + SESSION_TOKEN_LIFETIME_SECS,
            nbf: iat,
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
            sid,
        }
    }

    /// The shop domain: the host of `dest`.
    pub fn shop(&self) -> Option<&str> {
        let host = self.dest.strip_prefix("https://")?;
        let host = host.trim_end_matches('/');
        (!host.is_empty() && !host.contains('/')).then_some(host)
    }
}

/// Mints a session token like App Bridge's `shopify.idToken()`: HS256 over the claims with the
/// app secret, valid for 60 s from `now` (unix seconds, the unit of the JWT claims).
pub fn mint_session_token(
    api_key: &str,
    secret: &str,
    shop: &str,
    sub: Option<&str>,
    now: i64,
) -> String {
    encode_session_token(secret, &SessionTokenClaims::new(api_key, shop, sub, now))
}

/// Signs the given claims as an HS256 JWT with header `{"alg":"HS256","typ":"JWT"}`.
pub fn encode_session_token(secret: &str, claims: &SessionTokenClaims) -> String {
    // Field order of the header matters for byte-exact tokens, so it is written by hand.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    // Serialising a plain struct of strings and integers cannot fail.
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature =
        URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Why a session token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionTokenError {
    /// Not three base64url parts, or the JSON inside is not a token.
    Malformed,
    /// The header names an algorithm other than HS256 (`none` included).
    Algorithm(String),
    /// The signature does not match the secret.
    Signature,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `aud` is not this app's API key.
    Audience,
    /// `dest` is not an `https://` shop URL.
    Destination,
}

impl std::fmt::Display for SessionTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed token"),
            Self::Algorithm(alg) => write!(f, "algorithm {alg} is not allowed"),
            Self::Signature => f.write_str("signature does not verify"),
            Self::Expired => f.write_str("token expired"),
            Self::NotYetValid => f.write_str("token not yet valid"),
            Self::Audience => f.write_str("aud is not the API key"),
            Self::Destination => f.write_str("dest is not a shop URL"),
        }
    }
}

impl std::error::Error for SessionTokenError {}

/// Verifies a session token the way the official libraries do: HS256 only, signature with the
/// secret, `exp`/`nbf` with 10 s leeway around `now` (unix seconds), `aud` equal to the API key
/// (SHOPIFY.md §3.2).
pub fn verify_session_token(
    token: &str,
    api_key: &str,
    secret: &str,
    now: i64,
) -> Result<SessionTokenClaims, SessionTokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionTokenError::Malformed);
    };
    let header: serde_json::Value = decode_json_part(header)?;
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("none");
    if alg != "HS256" {
        return Err(SessionTokenError::Algorithm(alg.to_string()));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| SessionTokenError::Malformed)?;
    let mut mac = new_mac(secret.as_bytes());
    mac.update(&token.as_bytes()[..header_payload_len(token)]);
    mac.verify_slice(&signature)
        .map_err(|_| SessionTokenError::Signature)?;
    let claims: SessionTokenClaims = decode_json_part(payload)?;
    if now > claims.exp + SESSION_TOKEN_LEEWAY_SECS {
        return Err(SessionTokenError::Expired);
    }
    if now < claims.nbf - SESSION_TOKEN_LEEWAY_SECS {
        return Err(SessionTokenError::NotYetValid);
    }
    if claims.aud != api_key {
        return Err(SessionTokenError::Audience);
    }
    if claims.shop().is_none() {
        return Err(SessionTokenError::Destination);
    }
    Ok(claims)
}

fn header_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

fn decode_json_part<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, SessionTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| SessionTokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| SessionTokenError::Malformed)
}

/// `X-Shopify-Hmac-Sha256` for a webhook: base64 of HMAC-SHA256 over the raw body bytes.
pub fn sign_webhook(secret: &str, body: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(secret.as_bytes(), body))
}

/// The `hmac` of an admin query string (install, OAuth callback, embedded load): drop `hmac` and
/// `signature`, sort by key, join `key=value` with `&` (form-encoded, space as `%20`), hex HMAC.
pub fn oauth_query_hmac(secret: &str, params: &[(&str, &str)]) -> String {
    hex::encode(hmac_sha256(
        secret.as_bytes(),
        canonical_admin_query(params).as_bytes(),
    ))
}

/// The message signed by [`oauth_query_hmac`].
pub fn canonical_admin_query(params: &[(&str, &str)]) -> String {
    let mut kept: Vec<&(&str, &str)> = params
        .iter()
        .filter(|(k, _)| *k != "hmac" && *k != "signature")
        .collect();
    // Stable sort: repeated keys keep their order, as URLSearchParams.sort() does.
    kept.sort_by(|a, b| a.0.cmp(b.0));
    kept.iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// application/x-www-form-urlencoded as WHATWG defines it, with space as `%20` like the Node library.
pub fn form_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = new_mac(key);
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests;
