//! The HTTP surface: health, GraphQL (HTTP and WebSocket), dev helpers and the app bundle.

mod app_load;
mod assets;
mod auth;
mod dev;
mod export;
mod graphql;
mod health;
pub mod rate_limit;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use axum::{Extension, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::graphql::AppSchema;
use crate::state::AppState;

pub use auth::bearer_token;

/// State the HTTP handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// Application services.
    pub app: AppState,
    /// The GraphQL schema.
    pub schema: AppSchema,
}

const REQUEST_ID: &str = "x-request-id";
/// The largest GraphQL request body accepted (1 MiB); larger ones get 413.
const MAX_GRAPHQL_BODY: usize = 1024 * 1024;

/// Builds the router with request ids, tracing, panic safety and timeouts.
pub fn router(state: HttpState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    let limits = rate_limit::RateLimits::new(state.app.clock.clone());
    // Unauthenticated routes are limited per client address; `/webhooks` and `/healthz` never.
    let per_address = middleware::from_fn_with_state(limits.clone(), rate_limit::per_address);
    let mut r = Router::new()
        .route("/healthz", get(health::healthz))
        // GraphQL bodies are read whole before the token is checked: cap them.
        .route(
            "/graphql",
            axum::routing::post(graphql::graphql_http)
                .layer(RequestBodyLimitLayer::new(MAX_GRAPHQL_BODY)),
        )
        .route("/graphql/ws", get(graphql::graphql_ws))
        .route("/webhooks", crate::shopify::webhooks::route())
        .route(
            crate::crm::schema::EXPORT_PATH,
            get(export::customers_csv).layer(per_address.clone()),
        )
        .route("/auth", get(app_load::auth).layer(per_address.clone()))
        .route(
            "/auth/callback",
            get(app_load::callback).layer(per_address.clone()),
        )
        .route(
            app_load::BOUNCE_PATH,
            get(app_load::bounce).layer(per_address.clone()),
        );
    if state.app.config.dev_sessions_enabled() {
        r = r
            .route("/graphiql", get(graphql::graphiql))
            .route("/dev/session", get(dev::session).layer(per_address));
    }
    r.fallback(assets::serve)
        .with_state(state)
        // `/graphql` limits per verified shop, so the check runs in the handler after auth.
        .layer(Extension(limits))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(assets::panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
