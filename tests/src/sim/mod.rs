//! The Shopify simulator: a stand-in for Shopify in dev (`cargo xtask dev`) and in integration and
//! browser tests. Every per-shop endpoint lives under `/shops/{shop}/...`, so the app reaches it by
//! setting `SHOPIFY_SHOP_BASE_URL=http://127.0.0.1:PORT/shops/{shop}`. This module wires the
//! router and the in-process entry point; the endpoints live in the submodules.
//!
//! Routes:
//! - `GET  /shops/{shop}/admin/oauth/authorize` — auto-approving grant screen (302 back, signed)
//! - `POST /shops/{shop}/admin/oauth/access_token` — code, token exchange, refresh, migration
//! - `POST /shops/{shop}/admin/api/{version}/graphql.json` — Admin GraphQL, validated and rate limited
//! - `GET  /healthz`
//! - `POST /_sim/shops`, `GET /_sim/shops`, `GET /_sim/shops/{shop}` — create and inspect shops
//! - `POST /_sim/shops/{shop}/faults`, `POST /_sim/shops/{shop}/uninstall` — failures, revocation
//! - `GET  /_sim/shops/{shop}/webhook_subscriptions` — subscriptions the app created via GraphQL
//! - `GET  /shops/{shop}/admin/charges/{N}/confirm` (+ `POST .../confirm/approve|decline`) — the
//!   merchant's approve-charge page for Billing API subscriptions (`billing_page.rs`)
//! - `GET  /_sim/shops/{shop}/billing`, `POST /_sim/shops/{shop}/billing/{N}/status` — app
//!   subscriptions and usage records; drive a subscription's status (sends the webhook)
//! - `GET|DELETE /_sim/requests` — the request log
//! - `POST /_sim/webhooks` — send one signed webhook to the app
//! - `POST /_sim/clock` — move the simulated clock forward
//! - `POST /_sim/shops/{shop}/customers`, `POST /_sim/shops/{shop}/orders`,
//!   `POST /_sim/shops/{shop}/checkouts` — create, change or delete records and send the matching
//!   webhooks (normal, dropped, duplicated or reordered); `POST /_sim/shops/{shop}/webhooks/flush`
//!   sends held-back ones (`changes.rs`, `changes_customers.rs`, `changes_orders.rs`,
//!   `changes_checkouts.rs`; REST payloads in `rest.rs`)
//! - `GET  /shops/{shop}/bulk_operations/{N}/result.jsonl` — a completed bulk operation's JSONL,
//!   streamed (`bulk.rs`); `GET /_sim/shops/{shop}/bulk_operations` lists them and
//!   `POST /_sim/shops/{shop}/bulk_operations/{N}/fail` fails a running one

pub mod admin_api;
pub mod admin_frame;
pub mod admin_schema;
pub mod billing;
pub mod billing_page;
pub mod bulk;
pub mod changes;
pub mod changes_checkouts;
pub mod changes_customers;
pub mod changes_orders;
pub mod connections;
pub mod control;
pub mod cost;
pub mod cost_actual;
pub mod demo;
pub mod introspection;
pub mod mutate;
pub mod oauth;
pub mod records;
pub mod resolve;
pub mod rest;
pub mod state;
pub mod subscriptions;
pub mod tokens;
pub mod validate;
pub mod validate_fields;
pub mod validate_fragments;
pub mod validate_values;
pub mod web;
pub mod webhooks;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use tokio::sync::oneshot;

pub use admin_schema::validate_admin_operation;
pub use state::{RequestRecord, ShopSpec, ShopSummary, SimState};
pub use webhooks::{HmacMode, WebhookDelivery, WebhookOutcome};

/// How the simulator behaves; [`SimConfig::new`] gives Shopify's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// The app's client id.
    pub api_key: String,
    /// The app's client secret: signs HMACs, session tokens are checked with it.
    pub api_secret: String,
    /// The app's base URL, where webhooks and OAuth redirects go.
    pub app_url: String,
    /// Path on the app that receives every webhook topic.
    pub webhook_path: String,
    /// Scopes granted by token exchange and by authorize requests without `scope`.
    pub scopes: String,
    /// Allowed `redirect_uri`s; empty allows any URL under `app_url`.
    pub redirect_urls: Vec<String>,
    /// Leaky bucket size in cost points per shop.
    pub bucket_maximum: f64,
    /// Points restored per second.
    pub restore_rate: f64,
    /// The most one query may cost.
    pub max_query_cost: u64,
    /// Serve unknown shops as empty ones instead of 404 (handy for ad-hoc dev).
    pub auto_create_shops: bool,
    /// `X-Shopify-API-Version` of webhook deliveries.
    pub webhook_api_version: String,
    /// The app's name, as the billing confirmation page shows it.
    pub app_name: String,
    /// The least time a bulk operation stays RUNNING before it completes (its result file is
    /// produced in the background either way); 0, the default, completes as soon as it is written.
    pub bulk_operation_delay_ms: u64,
}

impl SimConfig {
    /// Shopify's defaults: a 1000-point bucket refilling 50 points/s, 1000 max per query.
    pub fn new(api_key: &str, api_secret: &str, app_url: &str) -> Self {
        Self {
            api_key: api_key.to_string(),
            api_secret: api_secret.to_string(),
            app_url: app_url.trim_end_matches('/').to_string(),
            webhook_path: "/webhooks".into(),
            scopes: "read_customers,write_customers,read_orders,read_products,read_checkouts,write_discounts".into(),
            redirect_urls: Vec::new(),
            bucket_maximum: 1000.0,
            restore_rate: 50.0,
            max_query_cost: 1000,
            auto_create_shops: false,
            webhook_api_version: shared::SHOPIFY_API_VERSION.to_string(),
            app_name: "EcomCRM".into(),
            bulk_operation_delay_ms: 0,
        }
    }

    /// Where deliveries go: `app_url` + `webhook_path`.
    pub fn webhook_url(&self) -> String {
        format!(
            "{}{}",
            self.app_url.trim_end_matches('/'),
            self.webhook_path
        )
    }

    /// Whether the grant screen may send the merchant back to `uri`.
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        if self.redirect_urls.is_empty() {
            let base = self.app_url.trim_end_matches('/');
            uri == base || uri.starts_with(&format!("{base}/"))
        } else {
            self.redirect_urls.iter().any(|allowed| allowed == uri)
        }
    }
}

/// The simulator's routes on a state.
pub fn router(state: SimState) -> Router {
    Router::new()
        .route("/healthz", get(control::healthz))
        .route("/shops/{shop}/admin/oauth/authorize", get(oauth::authorize))
        .route(
            "/shops/{shop}/admin/oauth/access_token",
            post(oauth::access_token),
        )
        .route(
            "/shops/{shop}/admin/api/{version}/graphql.json",
            post(admin_api::graphql),
        )
        .route(
            "/_sim/shops",
            post(control::create_shop).get(control::list_shops),
        )
        .route("/_sim/shops/{shop}", get(control::get_shop))
        .route("/_sim/shops/{shop}/faults", post(control::queue_faults))
        .route("/_sim/shops/{shop}/uninstall", post(control::uninstall))
        .route(
            "/_sim/shops/{shop}/webhook_subscriptions",
            get(control::list_webhook_subscriptions),
        )
        .route(
            "/shops/{shop}/admin/charges/{number}/confirm",
            get(billing_page::confirm),
        )
        .route(
            "/shops/{shop}/admin/charges/{number}/confirm/approve",
            post(billing_page::approve),
        )
        .route(
            "/shops/{shop}/admin/charges/{number}/confirm/decline",
            post(billing_page::decline),
        )
        .route(
            "/_sim/shops/{shop}/billing",
            get(control::get_billing).post(control::managed_subscribe),
        )
        .route(
            "/_sim/shops/{shop}/billing/{number}/status",
            post(control::set_billing_status),
        )
        .route(
            "/_sim/requests",
            get(control::list_requests).delete(control::clear_requests),
        )
        .route(
            "/shops/{shop}/bulk_operations/{number}/result.jsonl",
            get(bulk::result_file),
        )
        .route("/_sim/shops/{shop}/bulk_operations", get(bulk::list))
        .route(
            "/_sim/shops/{shop}/bulk_operations/{number}/fail",
            post(bulk::fail),
        )
        .route(
            "/_sim/shops/{shop}/customers",
            post(changes_customers::post_customer),
        )
        .route(
            "/_sim/shops/{shop}/orders",
            post(changes_orders::post_order),
        )
        .route(
            "/_sim/shops/{shop}/checkouts",
            post(changes_checkouts::post_checkout),
        )
        .route(
            "/_sim/shops/{shop}/webhooks/flush",
            post(changes::flush_held),
        )
        .route("/_sim/webhooks", post(control::post_webhook))
        .route("/_sim/clock", post(control::advance_clock))
        .route("/admin/app-bridge.js", get(admin_frame::app_bridge))
        .route("/_sim/session-token", get(admin_frame::session_token))
        .fallback(|| async { web::not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::log_requests,
        ))
        .with_state(state)
}

/// A running simulator; dropping it stops the server.
#[derive(Debug)]
pub struct SimHandle {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The live state, for direct inspection.
    pub state: SimState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Binds `addr` (port 0 picks a free port) and serves the simulator in the background.
pub async fn start(config: SimConfig, addr: SocketAddr) -> anyhow::Result<SimHandle> {
    serve(SimState::new(config), addr).await
}

/// Serves an already prepared state (e.g. with shops created), so nothing answers before they exist.
pub async fn serve(state: SimState, addr: SocketAddr) -> anyhow::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // Parse the 11 MB schema off the async threads now, rather than inside the first request.
    tokio::task::spawn_blocking(|| {
        if let Err(e) = admin_schema::admin_schema() {
            tracing::error!("shopify-sim cannot load the Admin schema: {e}");
        }
    });
    let app = router(state.clone());
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("shopify-sim stopped: {e}");
        }
    });
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        local.ip().to_string()
    };
    Ok(SimHandle {
        base_url: format!("http://{host}:{}", local.port()),
        state,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

impl SimHandle {
    /// The value for the app's `SHOPIFY_SHOP_BASE_URL`: `http://127.0.0.1:PORT/shops/{shop}`.
    pub fn shop_base_url_template(&self) -> String {
        format!("{}/shops/{{shop}}", self.base_url)
    }

    /// The base URL of one shop, e.g. for building an Admin API URL in a test.
    pub fn shop_base_url(&self, shop: &str) -> String {
        format!("{}/shops/{shop}", self.base_url)
    }

    /// Creates (or replaces) a shop and generates its demo data off the async runtime.
    pub async fn create_demo_shop(&self, spec: ShopSpec) -> anyhow::Result<ShopSummary> {
        let config = self.state.config.clone();
        let now = self.state.now();
        let shop = tokio::task::spawn_blocking(move || state::build_shop(&spec, &config, now))
            .await?
            .map_err(|e| anyhow::anyhow!(e))?;
        Ok(self.state.insert_shop(shop))
    }

    /// Creates an empty shop.
    pub async fn create_shop(&self, domain: &str) -> anyhow::Result<ShopSummary> {
        self.create_demo_shop(ShopSpec::empty(domain)).await
    }

    /// Sends one signed webhook to the app's webhook URL.
    pub async fn send_webhook(
        &self,
        shop: &str,
        topic: &str,
        payload: &serde_json::Value,
    ) -> anyhow::Result<WebhookOutcome> {
        let config = &self.state.config;
        let delivery = WebhookDelivery::new(
            shop,
            topic,
            payload.to_string(),
            &config.webhook_api_version,
            self.state.now(),
        );
        self.deliver(&delivery).await
    }

    /// Sends a prepared delivery (custom body bytes, bad HMAC, subscription name, ...).
    pub async fn deliver(&self, delivery: &WebhookDelivery) -> anyhow::Result<WebhookOutcome> {
        let config = &self.state.config;
        webhooks::send_webhook(
            &self.state.http,
            &config.webhook_url(),
            &config.api_secret,
            delivery,
        )
        .await
    }

    /// A session token for `shop` as App Bridge would mint it now (simulated clock).
    pub fn session_token(&self, shop: &str, user_id: Option<&str>) -> String {
        let config = &self.state.config;
        crate::signing::mint_session_token(
            &config.api_key,
            &config.api_secret,
            shop,
            user_id,
            self.state.now().timestamp(),
        )
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.requests(None)
    }

    /// Moves the simulated clock forward.
    pub fn advance_clock(&self, seconds: i64) {
        self.state.advance_clock(seconds);
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests;
