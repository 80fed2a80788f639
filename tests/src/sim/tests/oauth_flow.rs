//! OAuth over HTTP: the signed grant redirect, single-use codes, online grants, token exchange
//! success and refusal, refresh rotation and expiry.

use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::support::*;
use crate::signing::{mint_session_token, oauth_query_hmac};
use crate::sim::web::parse_form;

#[tokio::test]
async fn authorize_redirects_signed_and_codes_are_single_use() {
    let (sim, _) = sim().await;
    let callback = format!("{}/auth/callback", sim.state.config.app_url);
    let url = format!("{}/admin/oauth/authorize", sim.shop_base_url(SHOP));
    let query = [
        ("client_id", KEY),
        ("scope", "read_orders,read_customers"),
        ("redirect_uri", &callback),
        ("state", "nonce-1"),
        ("grant_options[]", ""),
    ];
    let response = client()
        .get(&url)
        .query(&query)
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let (base, query) = location.split_once('?').expect("query");
    assert_eq!(base, callback);
    let params = parse_form(query);
    let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["code", "hmac", "host", "shop", "state", "timestamp"]);
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .expect("param")
    };
    assert_eq!(get("hmac"), oauth_query_hmac(SECRET, &pairs));
    let host = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(get("host"))
        .expect("base64");
    assert_eq!(host, b"admin.shopify.com/store/demo-store");
    assert_eq!((get("shop"), get("state")), (SHOP, "nonce-1"));

    let form = [
        ("client_id", KEY),
        ("client_secret", SECRET),
        ("code", get("code")),
    ];
    let token_url = format!("{}/admin/oauth/access_token", sim.shop_base_url(SHOP));
    let first = client()
        .post(&token_url)
        .form(&form)
        .send()
        .await
        .expect("exchange");
    assert_eq!(first.status(), 200);
    let body: Json = first.json().await.expect("json");
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("shpat_"))
    );
    assert_eq!(body["scope"], "read_orders,read_customers");
    assert!(
        body.get("expires_in").is_none(),
        "non-expiring offline token"
    );
    let again = client()
        .post(&token_url)
        .form(&form)
        .send()
        .await
        .expect("exchange");
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Json>().await.expect("json"),
        json!({"error": "invalid_request",
        "error_description": "The authorization code was not found or was already used"})
    );

    let bad_client = client()
        .get(&url)
        .query(&[("client_id", "other"), ("redirect_uri", &callback)])
        .send()
        .await
        .expect("authorize");
    assert_eq!(bad_client.status(), 400);
    assert!(
        bad_client
            .text()
            .await
            .expect("text")
            .contains("application_cannot_be_found")
    );
    let bad_redirect = client()
        .get(&url)
        .query(&[
            ("client_id", KEY),
            ("redirect_uri", "https://evil.example/cb"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(bad_redirect.status(), 400);
    let header_injection = format!("{callback}\r\nX-Evil: 1");
    let injected = client()
        .get(&url)
        .query(&[
            ("client_id", KEY),
            ("redirect_uri", header_injection.as_str()),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(injected.status(), 400);
    let unknown_shop = client()
        .get(format!(
            "{}/admin/oauth/authorize",
            sim.shop_base_url("nope.myshopify.com")
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(unknown_shop.status(), 404);
}

#[tokio::test]
async fn per_user_grants_return_online_tokens_with_the_user() {
    let (sim, _) = sim().await;
    let callback = format!("{}/auth/callback", sim.state.config.app_url);
    let url = format!("{}/admin/oauth/authorize", sim.shop_base_url(SHOP));
    let response = client()
        .get(&url)
        .query(&[
            ("client_id", KEY),
            ("redirect_uri", callback.as_str()),
            ("grant_options[]", "per-user"),
        ])
        .send()
        .await
        .expect("authorize");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let params = parse_form(location.split_once('?').expect("query").1);
    let code = params
        .iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.clone())
        .expect("code");
    let (status, body) = token_request(
        &sim,
        json!({"client_id": KEY, "client_secret": SECRET, "code": code, "expiring": "1"}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("shpua_"))
    );
    assert_eq!(body["expires_in"], 86_399);
    assert_eq!(body["associated_user"]["account_owner"], true);
    assert!(body["associated_user_scope"].is_string());
}

#[tokio::test]
async fn token_exchange_issues_tokens_and_refuses_bad_session_tokens() {
    let (sim, _) = sim().await;
    let good = sim.session_token(SHOP, Some("42"));
    let (status, offline) = exchange(&sim, &good, json!({})).await;
    assert_eq!(status, 200, "{offline}");
    assert!(
        offline["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("shpat_"))
    );
    let (_, expiring) = exchange(&sim, &good, json!({"expiring": 1})).await;
    assert_eq!(
        (
            expiring["expires_in"].as_i64(),
            expiring["refresh_token_expires_in"].as_i64()
        ),
        (Some(3_600), Some(7_776_000))
    );
    assert!(
        expiring["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("shprt_"))
    );
    let online_type = "urn:shopify:params:oauth:token-type:online-access-token";
    let (_, online) = exchange(&sim, &good, json!({"requested_token_type": online_type})).await;
    assert_eq!(online["associated_user"]["id"], 42);
    assert!(
        online["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("shpua_"))
    );

    let now = sim.state.now().timestamp();
    let refused = json!({"error": "invalid_subject_token", "error_description": "Token exchange cannot be performed due to an invalid subject token."});
    let expired = mint_session_token(KEY, SECRET, SHOP, Some("42"), now - 120);
    let other_shop = mint_session_token(KEY, SECRET, "other.myshopify.com", Some("42"), now);
    let wrong_secret = mint_session_token(KEY, "not-hush", SHOP, Some("42"), now);
    let wrong_audience = mint_session_token("other-app", SECRET, SHOP, Some("42"), now);
    for bad in [
        expired.as_str(),
        &other_shop,
        &wrong_secret,
        &wrong_audience,
        "garbage",
    ] {
        assert_eq!(
            exchange(&sim, bad, json!({})).await,
            (400, refused.clone()),
            "{bad}"
        );
    }
    let (status, body) = token_request(&sim, json!({"client_id": KEY, "client_secret": "wrong", "grant_type": EXCHANGE, "subject_token": good})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn refresh_rotates_and_expired_tokens_get_401() {
    let (sim, _) = sim().await;
    let (_, first) = exchange(
        &sim,
        &sim.session_token(SHOP, None),
        json!({"expiring": "1"}),
    )
    .await;
    let refresh = first["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let body = json!({"client_id": KEY, "client_secret": SECRET, "grant_type": "refresh_token", "refresh_token": refresh});
    let (status, second) = token_request(&sim, body.clone()).await;
    assert_eq!(status, 200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let (status, reused) = token_request(&sim, body).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let old = first["access_token"].as_str().expect("token");
    assert_eq!(
        graphql(&sim, old, "{ shop { name } }").await.0,
        200,
        "old access token lives until its expiry"
    );
    sim.advance_clock(3_601);
    let (status, body) = graphql(&sim, old, "{ shop { name } }").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    );
    assert_eq!(
        graphql(&sim, "shpat_unknown", "{ shop { name } }").await.0,
        401
    );
}
