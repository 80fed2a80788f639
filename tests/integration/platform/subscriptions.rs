//! Live events reach a shop's GraphQL subscription over `/graphql/ws` (graphql-transport-ws),
//! and only that shop's.

use std::time::Duration;

use ecomcrm::events::DomainEvent;
use ecomcrm_tests::test_app::TestApp;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, token: &str) -> Ws {
    let mut req = format!("{}/graphql/ws", app.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    ws.send(Message::text(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})
            .to_string(),
    ))
    .await
    .unwrap();
    ws
}

async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .ok()??
        {
            Ok(Message::Text(t)) => return serde_json::from_str(&t).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

#[tokio::test]
async fn a_shop_subscription_receives_its_own_events_only() {
    let app = TestApp::spawn().await;
    let a = app.add_shop("live-a", "Live A").await;
    let b = app.add_shop("live-b", "Live B").await;
    app.graphql(&a, "{ shop { name } }", json!({})).await;
    app.graphql(&b, "{ shop { name } }", json!({})).await;
    let (id_a, id_b) = (app.shop_id(&a).await.get(), app.shop_id(&b).await.get());
    let mut ws = connect(&app, &app.session_token(&a)).await;
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "connection_ack");
    ws.send(Message::text(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { shopEvents { kind payload } }"}}).to_string())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let now = chrono::Utc::now();
    app.state
        .events
        .publish(DomainEvent::new(
            id_b,
            "shop_updated",
            json!({"name": "Live B"}),
            now,
        ))
        .await
        .unwrap();
    app.state
        .events
        .publish(DomainEvent::new(
            id_a,
            "shop_updated",
            json!({"name": "Live A"}),
            now,
        ))
        .await
        .unwrap();

    let msg = next_json(&mut ws).await.expect("an event");
    assert_eq!(msg["type"], "next", "{msg}");
    assert_eq!(
        msg["payload"]["data"]["shopEvents"]["payload"]["name"], "Live A",
        "shop B's event never arrives first: {msg}"
    );
}

#[tokio::test]
async fn a_websocket_with_a_bad_token_is_refused() {
    let app = TestApp::spawn().await;
    let a = app.add_shop("ws-bad", "WS Bad").await;
    let forged = ecomcrm_tests::signing::mint_session_token(
        &app.api_key,
        "wrong-secret",
        &a,
        None,
        chrono::Utc::now().timestamp(),
    );

    let mut ws = connect(&app, &forged).await;

    let first = next_json(&mut ws).await;
    assert!(
        first.as_ref().is_none_or(|m| m["type"] != "connection_ack"),
        "no ack for a forged token: {first:?}"
    );
}
