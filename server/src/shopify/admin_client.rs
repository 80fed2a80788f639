//! The Admin GraphQL client. The same code talks to real Shopify and to the simulator; only
//! `SHOPIFY_SHOP_BASE_URL` differs. The API version is pinned in `shared::SHOPIFY_API_VERSION`.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::ShopDomain;

use super::API_VERSION;

/// Every operation the app sends to Shopify, so a test can validate each against Shopify's schema.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("shop_profile", SHOP_PROFILE),
    ("granted_scopes", GRANTED_SCOPES),
    ("webhook_subscriptions", WEBHOOK_SUBSCRIPTIONS),
    ("webhook_subscription_create", WEBHOOK_SUBSCRIPTION_CREATE),
    ("app_subscription_create", APP_SUBSCRIPTION_CREATE),
    ("app_subscriptions", APP_SUBSCRIPTIONS),
    ("app_usage_record_create", APP_USAGE_RECORD_CREATE),
];

/// Reads the shop's name, contact, currency and time zone.
pub const SHOP_PROFILE: &str = include_str!("operations/shop_profile.graphql");

/// Reads the scopes the shop has granted the app.
pub const GRANTED_SCOPES: &str = include_str!("operations/granted_scopes.graphql");

/// Lists the shop-scoped webhook subscriptions of the app (never the TOML-declared ones).
pub const WEBHOOK_SUBSCRIPTIONS: &str = include_str!("operations/webhook_subscriptions.graphql");

/// Creates a recurring + usage subscription for a plan (Billing API, SHOPIFY.md §8.2).
pub const APP_SUBSCRIPTION_CREATE: &str =
    include_str!("operations/app_subscription_create.graphql");

/// Every subscription of the installation, newest first, with its status.
pub const APP_SUBSCRIPTIONS: &str = include_str!("operations/app_subscriptions.graphql");

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
}

/// The query cost Shopify reports, used to pace calls before the bucket runs dry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
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
}

impl AdminClient {
    /// A client for shops under `shop_base_template` (`https://{shop}` for real Shopify).
    pub fn new(http: reqwest::Client, shop_base_template: impl Into<String>) -> Self {
        Self {
            http,
            shop_base_template: shop_base_template.into(),
        }
    }

    /// The GraphQL endpoint for a shop.
    pub fn endpoint(&self, shop: &ShopDomain) -> String {
        format!(
            "{}/admin/api/{API_VERSION}/graphql.json",
            self.shop_base_template.replace("{shop}", shop.as_str())
        )
    }

    /// Runs one operation.
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        shop: &ShopDomain,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<AdminResponse<T>, ShopifyError> {
        let res = self
            .http
            .post(self.endpoint(shop))
            .header("X-Shopify-Access-Token", token)
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| ShopifyError::Network(e.without_url().to_string()))?;
        match res.status().as_u16() {
            200 => {}
            401 | 403 => return Err(ShopifyError::Unauthorized),
            429 => return Err(ShopifyError::Throttled),
            other => return Err(ShopifyError::Http(other)),
        }
        let env: Envelope<T> = res
            .json()
            .await
            .map_err(|e| ShopifyError::Network(e.without_url().to_string()))?;
        if let Some(errors) = env.errors.as_ref().and_then(|e| e.as_array()) {
            let throttled = errors.iter().any(|e| {
                e.pointer("/extensions/code").and_then(|c| c.as_str()) == Some("THROTTLED")
            });
            if throttled {
                return Err(ShopifyError::Throttled);
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
            return Err(ShopifyError::Graphql(messages));
        }
        let throttle = env
            .extensions
            .and_then(|e| e.cost)
            .and_then(|c| c.throttle_status);
        let data = env
            .data
            .ok_or_else(|| ShopifyError::Graphql(vec!["response had no data".into()]))?;
        Ok(AdminResponse { data, throttle })
    }
}
