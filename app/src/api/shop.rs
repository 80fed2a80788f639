//! The `shop` query: who the current session belongs to.
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::{ApiError, graphql};

/// The shop the current session token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Shop {
    /// The store's name as the merchant set it in Shopify, e.g. "Acme Outdoor".
    pub name: String,
    /// The store's `*.myshopify.com` domain.
    pub domain: String,
}

#[derive(Deserialize)]
struct ShopData {
    shop: Shop,
}

/// Loads the current shop.
pub async fn shop() -> Result<Shop, ApiError> {
    let data: ShopData = graphql("query Shop { shop { name domain } }", json!({})).await?;
    Ok(data.shop)
}
