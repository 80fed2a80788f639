//! Webhook authenticity and headers (SHOPIFY.md §5.1–5.2, §15.1–2): base64 HMAC-SHA256 of the
//! raw body bytes with the app secret, compared in constant time, then the required headers.
//!
//! The signature is checked before anything else, so a caller without the secret learns nothing
//! about which headers are missing, and a missing signature answers 401 like a wrong one: the
//! App Store review sends unsigned compliance webhooks and requires 401, never 400.

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::ShopDomain;

/// A delivery whose signature and headers checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedWebhook {
    /// `X-Shopify-Topic`, e.g. `orders/create`.
    pub topic: String,
    /// `X-Shopify-Shop-Domain`.
    pub shop: ShopDomain,
    /// `X-Shopify-API-Version`: the version that serialised the payload.
    pub api_version: String,
    /// `X-Shopify-Webhook-Id`: unique per delivery, the dedupe key.
    pub webhook_id: String,
    /// `X-Shopify-Triggered-At`, when present and well formed (it is optional).
    pub triggered_at: Option<DateTime<Utc>>,
    /// `X-Shopify-Event-Id`, when present (it is optional): shared by every delivery of one
    /// merchant action, so the same event reaching two subscriptions is stored once.
    pub event_id: Option<String>,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Missing or wrong signature: 401.
    Unauthorized,
    /// A required header missing or malformed, or no body: 400 with this (safe) reason.
    BadRequest(&'static str),
}

/// Longest topic, webhook id, event id or API version accepted; real ones are far shorter, and
/// these strings are stored.
const MAX_HEADER_LEN: usize = 255;

/// Verifies the signature of `body`, then parses the required headers.
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &str) -> Result<VerifiedWebhook, Rejected> {
    let signature = header(headers, "x-shopify-hmac-sha256").ok_or(Rejected::Unauthorized)?;
    if !signature_matches(secret, body, signature) {
        return Err(Rejected::Unauthorized);
    }
    if body.is_empty() {
        return Err(Rejected::BadRequest("empty body"));
    }
    let required = |name: &'static str, missing: &'static str| {
        header(headers, name)
            .filter(|v| v.len() <= MAX_HEADER_LEN)
            .ok_or(Rejected::BadRequest(missing))
    };
    let topic = required("x-shopify-topic", "missing or malformed X-Shopify-Topic")?;
    if !topic
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/_.".contains(&b))
    {
        return Err(Rejected::BadRequest("malformed X-Shopify-Topic"));
    }
    let shop = required("x-shopify-shop-domain", "missing X-Shopify-Shop-Domain")?;
    let shop = ShopDomain::parse(shop)
        .map_err(|_| Rejected::BadRequest("malformed X-Shopify-Shop-Domain"))?;
    let api_version = required("x-shopify-api-version", "missing X-Shopify-API-Version")?;
    let webhook_id = required("x-shopify-webhook-id", "missing X-Shopify-Webhook-Id")?;
    // Optional: a malformed value only loses ordering information, so it is not a reason to
    // refuse (and lose) a signed delivery.
    let triggered_at = header(headers, "x-shopify-triggered-at")
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc));
    // Optional too. Over-long values are ignored like absent ones, as with the triggered-at
    // above: the delivery then dedupes on its webhook id alone, which costs at most one more
    // (idempotent) run of its job, while refusing it would lose a signed delivery. Shopify's
    // are UUIDs.
    let event_id = header(headers, "x-shopify-event-id")
        .filter(|v| v.len() <= MAX_HEADER_LEN)
        .map(str::to_string);
    Ok(VerifiedWebhook {
        topic: topic.to_string(),
        shop,
        api_version: api_version.to_string(),
        webhook_id: webhook_id.to_string(),
        triggered_at,
        event_id,
    })
}

/// A header's trimmed value; `None` when absent, empty or not visible ASCII.
/// `HeaderMap` lookups are case-insensitive, as HTTP/2's lowercased names require.
fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    (!v.is_empty()).then_some(v)
}

/// Constant-time comparison of the decoded signature (`verify_slice`), over the raw bytes:
/// re-serialised JSON would not match what Shopify signed.
fn signature_matches(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    /// SHOPIFY.md §14: the handbook's vector, secret `hush`.
    const BODY: &[u8] = br#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}"#;
    const SIGNATURE: &str = "1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o=";

    fn headers(signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("X-Shopify-Hmac-Sha256", signature),
            ("X-Shopify-Topic", "shop/redact"),
            ("X-Shopify-Shop-Domain", "demo.myshopify.com"),
            ("X-Shopify-API-Version", "2026-10"),
            (
                "X-Shopify-Webhook-Id",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            ),
            ("X-Shopify-Triggered-At", "2026-11-20T10:00:00.123Z"),
            ("X-Shopify-Event-Id", "8d2f3c41-6a0e-4b7e-9a55-0c7b1f4e2d10"),
        ] {
            h.insert(name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn the_handbook_vector_verifies() {
        let hook = verify(&headers(SIGNATURE), BODY, "hush").unwrap();
        assert_eq!(hook.topic, "shop/redact");
        assert_eq!(hook.shop.as_str(), "demo.myshopify.com");
        assert!(hook.triggered_at.is_some());
    }

    #[test]
    fn a_wrong_secret_body_or_encoding_is_unauthorized() {
        let h = headers(SIGNATURE);
        assert_eq!(verify(&h, BODY, "other"), Err(Rejected::Unauthorized));
        assert_eq!(verify(&h, b"{}", "hush"), Err(Rejected::Unauthorized));
        let hex = "d5991 6b";
        assert_eq!(
            verify(&headers(hex), BODY, "hush"),
            Err(Rejected::Unauthorized)
        );
        let mut missing = headers(SIGNATURE);
        missing.remove("x-shopify-hmac-sha256");
        assert_eq!(verify(&missing, BODY, "hush"), Err(Rejected::Unauthorized));
    }

    #[test]
    fn each_required_header_is_required() {
        for name in [
            "x-shopify-topic",
            "x-shopify-shop-domain",
            "x-shopify-api-version",
            "x-shopify-webhook-id",
        ] {
            let mut h = headers(SIGNATURE);
            h.remove(name);
            assert!(
                matches!(verify(&h, BODY, "hush"), Err(Rejected::BadRequest(_))),
                "{name}"
            );
        }
        let mut h = headers(SIGNATURE);
        h.remove("x-shopify-triggered-at");
        assert!(verify(&h, BODY, "hush").is_ok(), "triggered-at is optional");
    }

    #[test]
    fn the_event_id_is_optional_and_bounded() {
        let hook = verify(&headers(SIGNATURE), BODY, "hush").unwrap();
        assert_eq!(
            hook.event_id.as_deref(),
            Some("8d2f3c41-6a0e-4b7e-9a55-0c7b1f4e2d10")
        );

        let mut h = headers(SIGNATURE);
        h.remove("x-shopify-event-id");
        assert_eq!(verify(&h, BODY, "hush").unwrap().event_id, None);
        h.insert("x-shopify-event-id", HeaderValue::from_static("  "));
        assert_eq!(verify(&h, BODY, "hush").unwrap().event_id, None, "blank");

        let longest = "e".repeat(MAX_HEADER_LEN);
        h.insert(
            "x-shopify-event-id",
            HeaderValue::from_str(&longest).unwrap(),
        );
        assert_eq!(verify(&h, BODY, "hush").unwrap().event_id, Some(longest));
        let too_long = "e".repeat(MAX_HEADER_LEN + 1);
        h.insert(
            "x-shopify-event-id",
            HeaderValue::from_str(&too_long).unwrap(),
        );
        assert_eq!(
            verify(&h, BODY, "hush").unwrap().event_id,
            None,
            "ignored, not refused"
        );
    }

    #[test]
    fn a_foreign_shop_domain_is_a_bad_request() {
        let mut h = headers(SIGNATURE);
        h.insert(
            "x-shopify-shop-domain",
            HeaderValue::from_static("evil.example.com"),
        );
        assert!(matches!(
            verify(&h, BODY, "hush"),
            Err(Rejected::BadRequest(_))
        ));
    }
}
