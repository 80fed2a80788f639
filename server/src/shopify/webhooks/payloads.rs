//! Typed payloads of the topics handled here (shapes from SHOPIFY.md §6–7 and the official
//! examples in tests/fixtures/shopify). Ids are `i64`: Shopify ids exceed 2^53 (§5.8).
//! Only the fields the app uses are declared; unknown fields are ignored so payload additions
//! in newer API versions do not break parsing.

use serde::Deserialize;

/// `app/uninstalled`: the Shop object.
#[derive(Debug, Deserialize)]
pub struct AppUninstalled {
    /// Shopify's shop id; required so a payload of another shape fails loudly.
    pub id: i64,
}

/// The customer a compliance request is about. Records may carry only an email, so every
/// field is optional (§6).
#[derive(Debug, Deserialize)]
pub struct ComplianceCustomer {
    /// Shopify's customer id.
    pub id: Option<i64>,
}

/// `customers/data_request`.
#[derive(Debug, Deserialize)]
pub struct CustomersDataRequest {
    /// Shopify's shop id.
    pub shop_id: i64,
    /// The customer concerned.
    pub customer: ComplianceCustomer,
    /// Orders whose data is requested.
    #[serde(default)]
    pub orders_requested: Vec<i64>,
    /// The request's own id.
    pub data_request: DataRequest,
}

/// `data_request` of a [`CustomersDataRequest`].
#[derive(Debug, Deserialize)]
pub struct DataRequest {
    /// Its id.
    pub id: i64,
}

/// `customers/redact`.
#[derive(Debug, Deserialize)]
pub struct CustomersRedact {
    /// Shopify's shop id.
    pub shop_id: i64,
    /// The customer to erase.
    pub customer: ComplianceCustomer,
    /// Orders to erase.
    #[serde(default)]
    pub orders_to_redact: Vec<i64>,
}

/// `shop/redact`.
#[derive(Debug, Deserialize)]
pub struct ShopRedact {
    /// Shopify's shop id.
    pub shop_id: i64,
}

/// `shop/update`: the Shop object. Only its presence is checked; the profile itself is re-read
/// from the Admin API, which is current whatever order deliveries arrive in.
#[derive(Debug, Deserialize)]
pub struct ShopUpdate {
    /// Shopify's shop id.
    pub id: i64,
}

/// `app/scopes_update` (SHOPIFY.md §7). The granted scopes are re-read from the Admin API
/// rather than taken from `current`, for the same ordering reason.
#[derive(Debug, Deserialize)]
pub struct ScopesUpdate {
    /// Scopes granted after the change.
    pub current: Vec<String>,
}
