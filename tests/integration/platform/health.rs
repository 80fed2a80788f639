//! `/healthz` tells an operator the server is up and which database it runs on.

use ecomcrm::db::Backend;
use ecomcrm_tests::test_app::TestApp;
use ecomcrm_tests::testdb::backend;

#[tokio::test]
async fn an_operator_sees_status_database_and_version() {
    let app = TestApp::spawn().await;

    let res = app.get("/healthz").await;

    assert_eq!(res.status(), 200);
    let h: shared::Health = res.json().await.unwrap();
    assert_eq!(h.status, "ok");
    assert_eq!(
        h.database,
        match backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );
    assert_eq!(h.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;

    let res = app.get("/healthz").await;

    let id = res
        .headers()
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36, "a uuid: {id}");
}

#[tokio::test]
async fn the_server_stops_gracefully_when_asked() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);

    app.stop().await;
}
