//! The Admin GraphQL client. The same code talks to real Shopify and to the simulator; only
//! `SHOPIFY_SHOP_BASE_URL` differs. The API version is pinned in `shared::SHOPIFY_API_VERSION`.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::ShopDomain;

use super::API_VERSION;
use super::pacing::{self, Pacer};

/// Every operation the app sends to Shopify, so a test can validate each against Shopify's schema.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("shop_profile", SHOP_PROFILE),
    ("granted_scopes", GRANTED_SCOPES),
    ("webhook_subscriptions", WEBHOOK_SUBSCRIPTIONS),
    ("webhook_subscription_create", WEBHOOK_SUBSCRIPTION_CREATE),
    ("app_subscription_create", APP_SUBSCRIPTION_CREATE),
    ("app_subscriptions", APP_SUBSCRIPTIONS),
    ("app_usage_record_create", APP_USAGE_RECORD_CREATE),
    ("bulk_operation_run_query", BULK_OPERATION_RUN_QUERY),
    ("bulk_operation", BULK_OPERATION),
    ("store_counts", STORE_COUNTS),
    ("bulk_customers", BULK_CUSTOMERS),
    ("bulk_orders", BULK_ORDERS),
    ("bulk_products", BULK_PRODUCTS),
    ("bulk_checkouts", BULK_CHECKOUTS),
    ("delta_customers", DELTA_CUSTOMERS),
    ("delta_orders", DELTA_ORDERS),
    ("delta_products", DELTA_PRODUCTS),
    ("delta_checkouts", DELTA_CHECKOUTS),
];

/// Starts a bulk query (store sync's full import).
pub const BULK_OPERATION_RUN_QUERY: &str =
    include_str!("operations/bulk_operation_run_query.graphql");

/// Reads a bulk operation's state and result URL.
pub const BULK_OPERATION: &str = include_str!("operations/bulk_operation.graphql");

/// Counts the store's customers, orders, products and abandoned checkouts.
pub const STORE_COUNTS: &str = include_str!("operations/store_counts.graphql");

/// Sync's field selections, shared by bulk queries and delta pages.
macro_rules! with_fragment {
    ($file:literal, $($fragment:literal),+) => {
        concat!(include_str!($file), $("\n", include_str!($fragment)),+)
    };
}

/// Every customer (bulk).
pub const BULK_CUSTOMERS: &str = with_fragment!(
    "operations/bulk_customers.graphql",
    "operations/customer_fields_fragment.graphql"
);

/// Every order with its lines (bulk).
pub const BULK_ORDERS: &str = with_fragment!(
    "operations/bulk_orders.graphql",
    "operations/order_fields_fragment.graphql",
    "operations/line_item_fields_fragment.graphql"
);

/// Every product with its variants and images (bulk).
pub const BULK_PRODUCTS: &str = with_fragment!(
    "operations/bulk_products.graphql",
    "operations/product_fields_fragment.graphql",
    "operations/variant_fields_fragment.graphql"
);

/// Every abandoned checkout with its lines (bulk).
pub const BULK_CHECKOUTS: &str = with_fragment!(
    "operations/bulk_checkouts.graphql",
    "operations/checkout_fields_fragment.graphql",
    "operations/checkout_line_fields_fragment.graphql"
);

/// Customers changed since a time, a page at a time.
pub const DELTA_CUSTOMERS: &str = with_fragment!(
    "operations/delta_customers.graphql",
    "operations/customer_fields_fragment.graphql"
);

/// Orders changed since a time, a page at a time.
pub const DELTA_ORDERS: &str = with_fragment!(
    "operations/delta_orders.graphql",
    "operations/order_fields_fragment.graphql",
    "operations/line_item_fields_fragment.graphql"
);

/// Products changed since a time, a page at a time.
pub const DELTA_PRODUCTS: &str = with_fragment!(
    "operations/delta_products.graphql",
    "operations/product_fields_fragment.graphql",
    "operations/variant_fields_fragment.graphql"
);

/// Abandoned checkouts changed since a time, a page at a time.
pub const DELTA_CHECKOUTS: &str = with_fragment!(
    "operations/delta_checkouts.graphql",
    "operations/checkout_fields_fragment.graphql",
    "operations/checkout_line_fields_fragment.graphql"
);

/// Reads the shop's name, contact, currency and time zone.
pub const SHOP_PROFILE: &str = include_str!("operations/shop_profile.graphql");

/// Reads the scopes the shop has granted the app.
pub const GRANTED_SCOPES: &str = include_str!("operations/granted_scopes.graphql");

/// Lists the shop-scoped webhook subscriptions of the app (never the TOML-declared ones).
pub const WEBHOOK_SUBSCRIPTIONS: &str = include_str!("operations/webhook_subscriptions.graphql");

/// Creates a recurring + usage subscription for a plan (Billing API, SHOPIFY.md §8.2).
pub const APP_SUBSCRIPTION_CREATE: &str = concat!(
    include_str!("operations/app_subscription_create.graphql"),
    "\n",
    include_str!("operations/billing_subscription_fragment.graphql")
);

/// Every subscription of the installation, newest first, with its status.
pub const APP_SUBSCRIPTIONS: &str = concat!(
    include_str!("operations/app_subscriptions.graphql"),
    "\n",
    include_str!("operations/billing_subscription_fragment.graphql")
);

/// Charges overage on a usage line item, idempotently (SHOPIFY.md §8.4).
pub const APP_USAGE_RECORD_CREATE: &str =
    include_str!("operations/app_usage_record_create.graphql");

/// Subscribes the shop to one topic.
pub const WEBHOOK_SUBSCRIPTION_CREATE: &str =
    include_str!("operations/webhook_subscription_create.graphql");

/// Talks to one shop's Admin API.
#[derive(Clone, Debug)]
pub struct AdminClient {
    http: reqwest::Client,
    shop_base_template: String,
    pacer: std::sync::Arc<Pacer>,
}

/// The query cost Shopify reports, used to pace calls before the bucket runs dry.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points left.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// A successful response with its cost.
#[derive(Debug)]
pub struct AdminResponse<T> {
    /// The `data` object.
    pub data: T,
    /// `extensions.cost.throttleStatus`, when Shopify sent it.
    pub throttle: Option<ThrottleStatus>,
}

/// Shopify's failure channels, kept apart so callers can react to each.
#[derive(Debug, thiserror::Error)]
pub enum ShopifyError {
    /// The token is missing, expired or revoked (HTTP 401).
    #[error("Shopify refused the access token")]
    Unauthorized,
    /// The bucket is empty (HTTP 429 or a `THROTTLED` error).
    #[error("Shopify throttled the request")]
    Throttled,
    /// Top-level GraphQL `errors`.
    #[error("Shopify GraphQL errors: {0:?}")]
    Graphql(Vec<String>),
    /// Another HTTP status.
    #[error("Shopify answered HTTP {0}")]
    Http(u16),
    /// Network failure or an unreadable body.
    #[error("could not reach Shopify: {0}")]
    Network(String),
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    throttle_status: Option<ThrottleStatus>,
    requested_query_cost: Option<f64>,
}

/// Attempts per call: the first plus retries of throttled, 5xx and network failures.
const ATTEMPTS: u32 = 5;

/// One attempt's failure, with what the retry loop needs to know about it.
struct Failed {
    error: ShopifyError,
    /// The bucket Shopify reported with a `THROTTLED` answer.
    throttle: Option<ThrottleStatus>,
    requested: Option<f64>,
}

impl From<ShopifyError> for Failed {
    fn from(error: ShopifyError) -> Self {
        Failed {
            error,
            throttle: None,
            requested: None,
        }
    }
}

impl AdminClient {
    /// A client for shops under `shop_base_template` (`https://{shop}` for real Shopify).
    pub fn new(http: reqwest::Client, shop_base_template: impl Into<String>) -> Self {
        Self {
            http,
            shop_base_template: shop_base_template.into(),
            pacer: std::sync::Arc::default(),
        }
    }

    /// The GraphQL endpoint for a shop.
    pub fn endpoint(&self, shop: &ShopDomain) -> String {
        format!(
            "{}/admin/api/{API_VERSION}/graphql.json",
            self.shop_base_template.replace("{shop}", shop.as_str())
        )
    }

    /// Runs one operation, paced so the shop's bucket covers it, retrying `THROTTLED`/429 after
    /// the bucket refills and 5xx and network failures with jittered backoff. A 401 is returned
    /// at once (the caller refreshes the token); so are GraphQL errors, which a retry would not
    /// fix. A wait longer than [`pacing::MAX_WAIT`] gives up as `Throttled`, so the caller's job
    /// is retried later instead of holding a worker while other shops wait.
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        shop: &ShopDomain,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<AdminResponse<T>, ShopifyError> {
        let mut attempt = 0;
        loop {
            let wait = self.pacer.wait_before(shop.as_str(), query);
            if wait > pacing::MAX_WAIT {
                return Err(ShopifyError::Throttled);
            }
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let failed = match self.send_once::<T>(shop, token, query, &variables).await {
                Ok(response) => return Ok(response),
                Err(failed) => failed,
            };
            attempt += 1;
            let pause = match &failed.error {
                ShopifyError::Throttled => match failed.throttle {
                    Some(status) => {
                        let cost = failed.requested.unwrap_or(status.maximum_available / 10.0);
                        self.pacer
                            .observe(shop.as_str(), query, status, failed.requested);
                        pacing::wait_for(status, std::time::Duration::ZERO, cost)
                    }
                    // HTTP 429 without a body: Shopify's own client waits a second.
                    None => std::time::Duration::from_secs(1),
                },
                ShopifyError::Http(status) if *status >= 500 => pacing::backoff(attempt),
                ShopifyError::Network(_) => pacing::backoff(attempt),
                _ => return Err(failed.error),
            };
            if attempt >= ATTEMPTS || pause > pacing::MAX_WAIT {
                return Err(failed.error);
            }
            tracing::info!(shop = %shop, attempt, error = %failed.error, wait_ms = pause.as_millis() as u64, "Admin API call retried");
            tokio::time::sleep(pause).await;
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        shop: &ShopDomain,
        token: &str,
        query: &str,
        variables: &serde_json::Value,
    ) -> Result<AdminResponse<T>, Failed> {
        let res = self
            .http
            .post(self.endpoint(shop))
            .header("X-Shopify-Access-Token", token)
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| Failed::from(ShopifyError::Network(e.without_url().to_string())))?;
        match res.status().as_u16() {
            200 => {}
            401 | 403 => return Err(ShopifyError::Unauthorized.into()),
            429 => return Err(ShopifyError::Throttled.into()),
            other => return Err(ShopifyError::Http(other).into()),
        }
        let env: Envelope<T> = res
            .json()
            .await
            .map_err(|e| Failed::from(ShopifyError::Network(e.without_url().to_string())))?;
        let cost = env.extensions.and_then(|e| e.cost);
        let (throttle, requested) = cost
            .map(|c| (c.throttle_status, c.requested_query_cost))
            .unwrap_or((None, None));
        if let Some(status) = throttle {
            self.pacer.observe(shop.as_str(), query, status, requested);
        }
        if let Some(errors) = env.errors.as_ref().and_then(|e| e.as_array()) {
            let throttled = errors.iter().any(|e| {
                e.pointer("/extensions/code").and_then(|c| c.as_str()) == Some("THROTTLED")
            });
            if throttled {
                return Err(Failed {
                    error: ShopifyError::Throttled,
                    throttle,
                    requested,
                });
            }
            let messages = errors
                .iter()
                .map(|e| {
                    e.get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or("unknown error")
                        .to_string()
                })
                .collect();
            return Err(ShopifyError::Graphql(messages).into());
        }
        let data = env
            .data
            .ok_or_else(|| ShopifyError::Graphql(vec!["response had no data".into()]))?;
        Ok(AdminResponse { data, throttle })
    }
}
