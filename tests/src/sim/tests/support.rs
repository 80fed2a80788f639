//! Helpers for the simulator's HTTP tests: a fake app that checks webhook HMACs, a started
//! simulator with one demo shop, and one function per endpoint.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value as Json, json};

use crate::signing::sign_webhook;
use crate::sim::{ShopSpec, SimConfig, SimHandle, start};

pub const SHOP: &str = "demo-store.myshopify.com";
pub const KEY: &str = "test-key";
pub const SECRET: &str = "hush";
pub const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

pub type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A stand-in for the app: `POST /webhooks` answers 200 when the HMAC verifies, else 401.
pub async fn fake_app() -> (String, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/webhooks",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let valid = headers
                    .get("x-shopify-hmac-sha256")
                    .and_then(|v| v.to_str().ok())
                    == Some(sign_webhook(SECRET, &body).as_str());
                sink.lock().expect("lock").push((headers, body));
                if valid {
                    StatusCode::OK
                } else {
                    StatusCode::UNAUTHORIZED
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, received)
}

pub async fn sim_with(configure: impl FnOnce(&mut SimConfig)) -> (SimHandle, Received) {
    let (app_url, received) = fake_app().await;
    let mut config = SimConfig::new(KEY, SECRET, &app_url);
    configure(&mut config);
    let sim = start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim starts");
    sim.create_demo_shop(ShopSpec::demo(SHOP, 42, 50, 200))
        .await
        .expect("shop");
    (sim, received)
}

pub async fn sim() -> (SimHandle, Received) {
    sim_with(|_| {}).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub async fn token_request(sim: &SimHandle, body: Json) -> (u16, Json) {
    let url = format!("{}/admin/oauth/access_token", sim.shop_base_url(SHOP));
    let response = client()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Json::Null))
}

pub async fn exchange(sim: &SimHandle, token: &str, extra: Json) -> (u16, Json) {
    let mut body = json!({"client_id": KEY, "client_secret": SECRET, "grant_type": EXCHANGE,
        "subject_token": token, "subject_token_type": ID_TOKEN});
    if let (Some(map), Json::Object(more)) = (body.as_object_mut(), extra) {
        map.extend(more);
    }
    token_request(sim, body).await
}

pub async fn graphql(sim: &SimHandle, token: &str, query: &str) -> (u16, Json) {
    let url = format!("{}/admin/api/2026-10/graphql.json", sim.shop_base_url(SHOP));
    let response = client()
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query}))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Json::Null))
}

pub async fn offline_token(sim: &SimHandle) -> String {
    let (status, body) = exchange(sim, &sim.session_token(SHOP, Some("42")), json!({})).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_string()
}
