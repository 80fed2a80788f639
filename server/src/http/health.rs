//! `GET /healthz`: the server is up and its database answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::HttpState;

/// Reports status, database engine and version; 503 when the database does not answer.
pub async fn healthz(State(s): State<HttpState>) -> (StatusCode, Json<shared::Health>) {
    let ok = s.app.db.ping().await.is_ok();
    let body = shared::Health {
        status: if ok { "ok" } else { "unavailable" }.into(),
        database: s.app.db.backend().name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}
