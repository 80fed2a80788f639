//! The admin query HMAC (SHOPIFY.md §1.4): the hex HMAC-SHA256 Shopify puts on the install
//! request, the OAuth callback and every embedded app load. Pure: no IO, `now` is a parameter.
//! <https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant>

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `timestamp` may be from now, in seconds (the Node library's window, SHOPIFY.md §1.4).
pub const TIMESTAMP_WINDOW_SECS: i64 = 90;

/// Why a signed admin query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryHmacError {
    /// No `hmac` parameter.
    #[error("the request is not signed (no hmac parameter)")]
    Missing,
    /// The `hmac` does not match the query.
    #[error("the request signature (hmac) is invalid")]
    Invalid,
    /// No usable `timestamp`, or one outside the window: a replayed or stale link.
    #[error(
        "the request is too old or its timestamp is invalid; open the app again from the Shopify admin"
    )]
    Stale,
}

/// Verifies `hmac` over the other parameters with the client secret, in constant time, and the
/// timestamp window around `now` (unix seconds). `params` are decoded pairs in query order.
pub fn verify(params: &[(String, String)], secret: &str, now: i64) -> Result<(), QueryHmacError> {
    let given = params
        .iter()
        .find(|(k, _)| k == "hmac")
        .map(|(_, v)| v.as_str())
        .ok_or(QueryHmacError::Missing)?;
    let given = decode_hex(given).ok_or(QueryHmacError::Invalid)?;
    let mut mac = new_mac(secret);
    mac.update(canonical(params).as_bytes());
    // `verify_slice` compares in constant time, so the signature cannot be guessed byte by byte.
    mac.verify_slice(&given)
        .map_err(|_| QueryHmacError::Invalid)?;
    // The signature is checked first: only a signed timestamp is worth reading.
    let ts: i64 = params
        .iter()
        .find(|(k, _)| k == "timestamp")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or(QueryHmacError::Stale)?;
    if now.abs_diff(ts) > TIMESTAMP_WINDOW_SECS.unsigned_abs() {
        return Err(QueryHmacError::Stale);
    }
    Ok(())
}

/// The hex HMAC of a query as Shopify computes it (used by unit tests and nowhere that trusts it).
pub fn sign(params: &[(String, String)], secret: &str) -> String {
    let mut mac = new_mac(secret);
    mac.update(canonical(params).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The signed message: drop `hmac` and `signature` (§15.10 — forgetting `signature` is a classic
/// bug), sort by key in byte order (stable, so repeated keys keep their order), form-encode,
/// join `key=value` with `&`.
pub fn canonical(params: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "hmac" && k != "signature")
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    kept.iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// WHATWG application/x-www-form-urlencoded with space as `%20`, as the Node library signs.
fn form_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn new_mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length; the error branch cannot happen.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // SHOPIFY.md §1.4 / §14: the docs' OAuth vectors, secret `hush`.
    #[test]
    fn docs_oauth_vector_with_state() {
        let q = pairs(
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173",
        );
        assert_eq!(
            sign(&q, "hush"),
            "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
        );
    }

    #[test]
    fn docs_oauth_vector_without_state() {
        let q = pairs(
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173",
        );
        assert_eq!(
            sign(&q, "hush"),
            "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
        );
    }

    // §14 embedded load vector, given unsorted and with hmac present to prove both are handled.
    fn embedded_load() -> Vec<(String, String)> {
        pairs(
            "timestamp=1591764998&shop=exampleshop.myshopify.com&hmac=c48b5c930373f4aae4e9dabce05f1cdd75c85b37451e4ad06bfd498b6ea29af5&locale=en&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZXhhbXBsZXNob3A&embedded=1",
        )
    }

    #[test]
    fn embedded_load_vector_verifies_inside_the_window() {
        let q = embedded_load();
        assert_eq!(
            sign(&q, "hush"),
            "c48b5c930373f4aae4e9dabce05f1cdd75c85b37451e4ad06bfd498b6ea29af5"
        );
        assert_eq!(verify(&q, "hush", 1591764998 + 90), Ok(()));
        assert_eq!(verify(&q, "hush", 1591764998 - 90), Ok(()));
    }

    #[test]
    fn signature_param_is_ignored_too() {
        let mut q = embedded_load();
        q.push(("signature".into(), "whatever".into()));
        assert_eq!(verify(&q, "hush", 1591764998), Ok(()));
    }

    #[test]
    fn stale_wrong_and_missing_are_refused() {
        let q = embedded_load();
        assert_eq!(
            verify(&q, "hush", 1591764998 + 91),
            Err(QueryHmacError::Stale)
        );
        assert_eq!(
            verify(&q, "other", 1591764998),
            Err(QueryHmacError::Invalid)
        );
        let mut tampered = q.clone();
        tampered[1].1 = "evil.myshopify.com".into();
        assert_eq!(
            verify(&tampered, "hush", 1591764998),
            Err(QueryHmacError::Invalid)
        );
        let unsigned: Vec<_> = q.into_iter().filter(|(k, _)| k != "hmac").collect();
        assert_eq!(
            verify(&unsigned, "hush", 1591764998),
            Err(QueryHmacError::Missing)
        );
    }

    #[test]
    fn odd_or_non_hex_hmac_is_invalid_not_a_panic() {
        for bad in ["abc", "zz", "é1"] {
            let q = vec![("hmac".to_string(), bad.to_string())];
            assert_eq!(verify(&q, "hush", 0), Err(QueryHmacError::Invalid));
        }
    }
}
