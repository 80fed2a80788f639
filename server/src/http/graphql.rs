//! `/graphql` over HTTP and `/graphql/ws` (graphql-transport-ws), both authenticated by the
//! Shopify session token; the shop comes from the token's `dest`, never from a parameter.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensions as _};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Extension;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use std::sync::Arc;

use super::rate_limit::{RateLimits, graphql_limited};
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
        loaders: std::sync::Arc::new(crate::crm::schema::loaders_for(&authed.db)),
        db: authed.db,
        shop: authed.session.shop.clone(),
        staff_user_id: authed.session.claims.sub.clone(),
        app: s.app.clone(),
    })
}

/// `POST /graphql`. The rate limit is per verified shop, so it is checked after the token: an
/// unverified caller cannot drain another shop's bucket.
pub async fn graphql_http(
    State(s): State<HttpState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let rc = match request_ctx(&s, bearer_token(&headers)).await {
        Ok(rc) => rc,
        Err(e) => return e.into_response(),
    };
    if let Err(secs) = limits.graphql.check(&rc.db.shop_id()) {
        tracing::info!(shop = %rc.shop, "graphql rate limited");
        return graphql_limited(secs);
    }
    let resp = s.schema.execute(req.into_inner().data(rc)).await;
    GraphQLResponse::from(with_codes(resp)).into_response()
}

/// Gives every error a `code`. Errors raised through [`AppError`] have one already; a resolver
/// error without one came from a `?` on some other error type, whose text may hold SQL or
/// internals, so it is logged and replaced. Errors without a path (parse, validation) and
/// argument coercion failures describe the client's own query and keep their message.
fn with_codes(mut resp: async_graphql::Response) -> async_graphql::Response {
    for e in &mut resp.errors {
        if e.extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some())
        {
            continue;
        }
        let code = if e.path.is_empty() || e.message.starts_with("Failed to parse") {
            "BAD_REQUEST"
        } else {
            tracing::error!(error = %e.message, "resolver error without a code");
            e.message = "internal error".into();
            "INTERNAL"
        };
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    resp
}

/// `GET /graphql/ws`: the token arrives in `connection_init` as `{"Authorization": "Bearer …"}`
/// (or `{"token": "…"}`), because browsers cannot set headers on a WebSocket.
pub async fn graphql_ws(
    State(s): State<HttpState>,
    Extension(limits): Extension<Arc<RateLimits>>,
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
                    // A connection outlives many operations: its loaders batch but never cache.
                    rc.loaders.enable_all_cache(false);
                    // A connection counts as one request against the shop's GraphQL limit.
                    if let Err(secs) = limits.graphql.check(&rc.db.shop_id()) {
                        return Err(async_graphql::Error::new(format!(
                            "Too many requests; retry in {secs} s"
                        ))
                        .extend_with(|_, e| {
                            e.set("code", "RATE_LIMITED");
                            e.set("retryAfter", secs);
                        }));
                    }
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
