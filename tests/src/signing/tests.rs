//! Signing helpers against the handbook's test vectors (SHOPIFY.md §1.4, §14) and negative cases.

use super::*;

const DOCS_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGVzaG9wLm15c2hvcGlmeS5jb20vYWRtaW4iLCJkZXN0IjoiaHR0cHM6Ly9leGFtcGxlc2hvcC5teXNob3BpZnkuY29tIiwiYXVkIjoiY2xpZW50LWlkLTEyMyIsInN1YiI6IjQyIiwiZXhwIjoxNTkxNzY1MDU4LCJuYmYiOjE1OTE3NjQ5OTgsImlhdCI6MTU5MTc2NDk5OCwianRpIjoiZjg5MTIxMjktMWFmNi00Y2FkLTljYTMtNzZiMGY3NjIxMDg3Iiwic2lkIjoiYWFlYTE4MmYyNzMyZDQ0YzIzMDU3YzBmZWE1ODQwMjFhNDQ4NWIyYmQyNWQzZWI3ZmQzNDkzMTNhZDI0YzY4NSJ9.8HhzXyurpS8bODfnFN3Yx_4KNnlhuVi5OoCnSfwImlk";

#[test]
fn webhook_vector_from_the_handbook() {
    let body = br#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}"#;
    assert_eq!(
        sign_webhook("hush", body),
        "1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o="
    );
}

#[test]
fn oauth_vectors_from_the_docs() {
    let with_state = [
        ("shop", "some-shop.myshopify.com"),
        ("code", "0907a61c0c8d55e99db179b68161bc00"),
        ("timestamp", "1337178173"),
        ("state", "0.6784241404160823"),
        ("hmac", "ignored"),
    ];
    assert_eq!(
        oauth_query_hmac("hush", &with_state),
        "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
    );
    let without_state = [
        ("code", "0907a61c0c8d55e99db179b68161bc00"),
        ("shop", "some-shop.myshopify.com"),
        ("timestamp", "1337178173"),
    ];
    assert_eq!(
        oauth_query_hmac("hush", &without_state),
        "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
    );
}

#[test]
fn embedded_load_vector_drops_signature_too() {
    let params = [
        ("signature", "x"),
        ("timestamp", "1591764998"),
        ("shop", "exampleshop.myshopify.com"),
        ("locale", "en"),
        ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZXhhbXBsZXNob3A"),
        ("embedded", "1"),
    ];
    assert_eq!(
        oauth_query_hmac("hush", &params),
        "c48b5c930373f4aae4e9dabce05f1cdd75c85b37451e4ad06bfd498b6ea29af5"
    );
}

#[test]
fn form_encoding_uses_percent_20_for_space() {
    assert_eq!(form_encode("a b+c/d*-._"), "a%20b%2Bc%2Fd*-._");
}

fn docs_claims() -> SessionTokenClaims {
    SessionTokenClaims {
        iss: "https://exampleshop.myshopify.com/admin".into(),
        dest: "https://exampleshop.myshopify.com".into(),
        aud: "client-id-123".into(),
        sub: Some("42".into()),
        exp: 1591765058,
        nbf: 1591764998,
        iat: 1591764998,
        jti: "f8912129-1af6-4cad-9ca3-76b0f7621087".into(),
        sid: "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685".into(),
    }
}

#[test]
fn session_token_vector_encodes_byte_for_byte() {
    assert_eq!(encode_session_token("hush", &docs_claims()), DOCS_TOKEN);
}

#[test]
fn session_token_vector_verifies_inside_the_window_only() {
    let claims =
        verify_session_token(DOCS_TOKEN, "client-id-123", "hush", 1591765000).expect("valid");
    assert_eq!(
        (claims.shop(), claims.sub.as_deref()),
        (Some("exampleshop.myshopify.com"), Some("42"))
    );
    assert!(verify_session_token(DOCS_TOKEN, "client-id-123", "hush", 1591764988).is_ok());
    assert!(verify_session_token(DOCS_TOKEN, "client-id-123", "hush", 1591765068).is_ok());
    assert_eq!(
        verify_session_token(DOCS_TOKEN, "client-id-123", "hush", 1591765069),
        Err(SessionTokenError::Expired)
    );
    assert_eq!(
        verify_session_token(DOCS_TOKEN, "client-id-123", "hush", 1591764987),
        Err(SessionTokenError::NotYetValid)
    );
}

#[test]
fn session_token_negatives() {
    let now = 1591765000;
    // Flip the first signature character: the last one also carries padding bits.
    let at = DOCS_TOKEN.rfind('.').expect("three parts") + 1;
    let mut flipped = DOCS_TOKEN.to_string();
    flipped.replace_range(
        at..at + 1,
        if &DOCS_TOKEN[at..at + 1] == "A" {
            "B"
        } else {
            "A"
        },
    );
    assert_eq!(
        verify_session_token(&flipped, "client-id-123", "hush", now),
        Err(SessionTokenError::Signature)
    );
    assert_eq!(
        verify_session_token(DOCS_TOKEN, "other-app", "hush", now),
        Err(SessionTokenError::Audience)
    );
    assert_eq!(
        verify_session_token(DOCS_TOKEN, "client-id-123", "wrong", now),
        Err(SessionTokenError::Signature)
    );
    let payload = DOCS_TOKEN.split('.').nth(1).expect("payload");
    for alg in ["none", "HS512"] {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        let forged = format!("{header}.{payload}.");
        assert_eq!(
            verify_session_token(&forged, "client-id-123", "hush", now),
            Err(SessionTokenError::Algorithm(alg.into()))
        );
    }
    assert_eq!(
        verify_session_token("not-a-jwt", "client-id-123", "hush", now),
        Err(SessionTokenError::Malformed)
    );
}

#[test]
fn minted_tokens_verify_and_carry_the_shop() {
    let now = chrono::Utc::now().timestamp();
    let token = mint_session_token("key", "secret", "demo.myshopify.com", Some("7"), now);
    let claims = verify_session_token(&token, "key", "secret", now).expect("valid");
    assert_eq!(claims.shop(), Some("demo.myshopify.com"));
    assert_eq!(claims.exp - claims.iat, 60);
    let anonymous = mint_session_token("key", "secret", "demo.myshopify.com", None, now);
    assert!(!anonymous.contains(".eyJzdWIi"));
    assert_eq!(
        verify_session_token(&anonymous, "key", "secret", now)
            .expect("valid")
            .sub,
        None
    );
}
