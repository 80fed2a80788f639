//! The store records sync writes, whichever way they arrived (bulk file, delta page or webhook):
//! Shopify ids as `i64`, money as integer minor units, times in UTC.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The record kinds synced, in the order a full import starts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Products,
    Customers,
    Orders,
    Checkouts,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Products,
        Resource::Customers,
        Resource::Orders,
        Resource::Checkouts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Products => "products",
            Resource::Customers => "customers",
            Resource::Orders => "orders",
            Resource::Checkouts => "checkouts",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerRecord {
    pub id: i64,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// `CustomerState`, upper-case.
    pub state: String,
    pub tags: Vec<String>,
    pub locale: Option<String>,
    pub verified_email: bool,
    pub email_consent: Consent,
    pub sms_consent: Consent,
    pub default_address: Option<serde_json::Value>,
    /// Shopify's own `numberOfOrders` and `amountSpent` (minor units), when it sent them.
    pub shopify_orders_count: Option<i64>,
    pub shopify_amount_spent: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A marketing consent (email or SMS), upper-case like the Admin API.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consent {
    pub state: Option<String>,
    pub opt_in_level: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One line of an order or checkout, as stored in its JSON column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    /// Absent on checkout webhooks, which key lines by a text `key` only.
    pub id: Option<i64>,
    pub product_id: Option<i64>,
    pub variant_id: Option<i64>,
    pub title: String,
    pub variant_title: Option<String>,
    pub sku: Option<String>,
    pub quantity: i64,
    /// Unit price before discounts, minor units of the shop currency.
    pub unit_price: i64,
    /// Line total after discounts, minor units of the shop currency.
    pub total: i64,
}

/// An order with its refunds.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub id: i64,
    pub name: String,
    pub customer_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub currency: String,
    pub presentment_currency: String,
    pub subtotal_price: i64,
    pub total_discounts: i64,
    pub total_shipping: i64,
    pub total_tax: i64,
    pub total_price: i64,
    /// Upper-case display statuses, e.g. `PAID`, `FULFILLED`.
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub discount_codes: Vec<String>,
    pub tags: Vec<String>,
    pub line_items: Vec<LineItem>,
    pub source_name: Option<String>,
    pub test: bool,
    pub created_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub refunds: Vec<RefundRecord>,
}

/// A refund of (part of) an order.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRecord {
    pub id: i64,
    pub order_id: i64,
    /// Minor units of `currency` (the shop currency).
    pub amount: i64,
    pub currency: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A product image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub id: Option<i64>,
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// A product with its variants and images.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub id: i64,
    pub title: String,
    pub handle: String,
    pub product_type: Option<String>,
    pub vendor: Option<String>,
    pub status: String,
    pub tags: Vec<String>,
    pub images: Vec<Image>,
    pub variants: Vec<VariantRecord>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A product variant; prices in minor units of the shop currency.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRecord {
    pub id: i64,
    pub product_id: i64,
    pub title: String,
    pub sku: Option<String>,
    pub price: i64,
    pub compare_at_price: Option<i64>,
    pub inventory_quantity: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

/// An abandoned checkout, keyed by its token.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRecord {
    pub token: String,
    pub shopify_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub email: Option<String>,
    pub currency: String,
    pub presentment_currency: Option<String>,
    pub subtotal_price: i64,
    pub total_price: i64,
    pub line_items: Vec<LineItem>,
    pub recovery_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// The number at the end of a Shopify gid (`gid://shopify/Order/5123?x=y` → 5123).
pub fn gid_number(gid: &str) -> Option<i64> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    let (_, tail) = rest.split_once('/')?;
    let number = tail.split(['?', '/']).next()?;
    number.parse().ok()
}

/// The type name in a gid (`gid://shopify/Order/5` → `Order`).
pub fn gid_type(gid: &str) -> Option<&str> {
    gid.strip_prefix("gid://shopify/")?.split('/').next()
}

/// The checkout token in a recovery URL (`…/checkouts/[ac/]{token}/recover?key=…`).
pub fn token_from_recovery_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let mut segments = path.rsplit('/');
    if segments.next()? != "recover" {
        return None;
    }
    let token = segments.next()?;
    (!token.is_empty()).then(|| token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gids_give_their_number_and_type() {
        assert_eq!(
            gid_number("gid://shopify/Order/9007199254740993"),
            Some(9_007_199_254_740_993)
        );
        assert_eq!(
            gid_number("gid://shopify/MailingAddress/7?model_name=CustomerAddress"),
            Some(7)
        );
        assert_eq!(gid_number("gid://shopify/Order/x"), None);
        assert_eq!(gid_number("Order/5"), None);
        assert_eq!(gid_type("gid://shopify/LineItem/5"), Some("LineItem"));
    }

    #[test]
    fn recovery_urls_give_the_checkout_token() {
        assert_eq!(
            token_from_recovery_url("https://s.myshopify.com/1/checkouts/ac/abc123/recover?key=k")
                .as_deref(),
            Some("abc123")
        );
        assert_eq!(
            token_from_recovery_url("https://checkout.local/5/checkouts/123123123/recover?key=x")
                .as_deref(),
            Some("123123123")
        );
        assert_eq!(token_from_recovery_url("https://x/checkouts/abc"), None);
    }
}
