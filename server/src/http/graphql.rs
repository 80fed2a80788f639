//! `/graphql` over HTTP and `/graphql/ws` (graphql-transport-ws), both authenticated by the
//! Shopify session token; the shop comes from the token's `dest`, never from a parameter.

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::{HttpState, bearer_token};
use crate::error::AppError;
use crate::graphql::RequestCtx;
use crate::shopify::install::{AuthError, authenticate};

async fn request_ctx(s: &HttpState, token: Option<&str>) -> Result<RequestCtx, AppError> {
    let token = token.ok_or(AppError::Unauthorized)?;
    let authed = authenticate(&s.app, token).await.map_err(|e| match e {
        AuthError::InvalidSession => AppError::Unauthorized,
        AuthError::Failed(e) => AppError::Internal(e),
    })?;
    Ok(RequestCtx {
        db: authed.db,
        shop: authed.session.shop.clone(),
        staff_user_id: authed.session.claims.sub.clone(),
        app: s.app.clone(),
    })
}

/// `POST /graphql`.
pub async fn graphql_http(
    State(s): State<HttpState>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let rc = match request_ctx(&s, bearer_token(&headers)).await {
        Ok(rc) => rc,
        Err(e) => return e.into_response(),
    };
    let resp: GraphQLResponse = s.schema.execute(req.into_inner().data(rc)).await.into();
    resp.into_response()
}

/// `GET /graphql/ws`: the token arrives in `connection_init` as `{"Authorization": "Bearer …"}`
/// (or `{"token": "…"}`), because browsers cannot set headers on a WebSocket.
pub async fn graphql_ws(
    State(s): State<HttpState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = s.schema.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(|v| v.trim_start_matches("Bearer ").trim().to_string())
                        .or_else(|| {
                            payload
                                .get("token")
                                .and_then(|v| v.as_str())
                                .map(str::to_string)
                        });
                    // `extend` logs internal failures; the client hears only "authentication
                    // required" or "internal error".
                    let rc = request_ctx(&s, token.as_deref())
                        .await
                        .map_err(|e| async_graphql::ErrorExtensions::extend(&e))?;
                    let mut data = Data::default();
                    data.insert(rc);
                    Ok(data)
                })
                .serve()
        })
        .into_response()
}

/// `GET /graphiql` (dev only): an in-browser IDE. It loads GraphiQL from a CDN, so it needs a
/// browser with internet access; the app itself never does.
pub async fn graphiql() -> Html<&'static str> {
    Html(include_str!("graphiql.html"))
}
