//! Webhook payloads (REST shapes: snake_case, lower-case enums, decimal strings, numeric ids)
//! turned into [`super::records`], matching what the Admin GraphQL path produces for the same
//! record, so a webhook and a later delta page store the same row.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::admin_json::BadRecord;
use super::money::minor_units;
use super::records::{
    CheckoutRecord, Consent, CustomerRecord, LineItem, OrderRecord, RefundRecord,
    token_from_recovery_url,
};

fn upper(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
        .map(|t| t.to_ascii_uppercase())
}

/// REST `tags` is one comma-separated string.
fn tag_list(tags: Option<String>) -> Vec<String> {
    tags.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn amount(
    kind: &'static str,
    id: i64,
    text: Option<&str>,
    currency: &str,
) -> Result<i64, BadRecord> {
    match text {
        None => Ok(0),
        Some(t) => minor_units(t, currency).map_err(|source| BadRecord::Amount {
            kind,
            id: id.to_string(),
            source,
        }),
    }
}

#[derive(Deserialize)]
struct ConsentJson {
    state: Option<String>,
    opt_in_level: Option<String>,
    consent_updated_at: Option<DateTime<Utc>>,
}

fn consent(c: Option<ConsentJson>) -> Consent {
    c.map_or_else(Consent::default, |c| Consent {
        state: upper(c.state),
        opt_in_level: upper(c.opt_in_level),
        updated_at: c.consent_updated_at,
    })
}

#[derive(Deserialize)]
struct AddressJson {
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    province: Option<String>,
    province_code: Option<String>,
    country: Option<String>,
    country_code: Option<String>,
    zip: Option<String>,
    phone: Option<String>,
}

impl AddressJson {
    /// The same keys as the Admin GraphQL `MailingAddress` selection.
    fn into_json(self) -> serde_json::Value {
        serde_json::json!({
            "address1": self.address1, "address2": self.address2, "city": self.city,
            "province": self.province, "provinceCode": self.province_code,
            "country": self.country, "countryCodeV2": self.country_code, "zip": self.zip,
            "phone": self.phone,
        })
    }
}

/// `customers/create`, `customers/update` (and an order's `customer`). Since API 2025-01 these
/// carry no tags and no marketing consent; any sent are ignored (see `write::customer_from_webhook`).
#[derive(Deserialize)]
pub struct CustomerJson {
    pub id: i64,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    state: Option<String>,
    tags: Option<String>,
    locale: Option<String>,
    #[serde(default)]
    verified_email: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    default_address: Option<AddressJson>,
    email_marketing_consent: Option<ConsentJson>,
    sms_marketing_consent: Option<ConsentJson>,
}

impl CustomerJson {
    pub fn into_record(self) -> CustomerRecord {
        CustomerRecord {
            id: self.id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            state: upper(self.state).unwrap_or_else(|| "DISABLED".into()),
            tags: tag_list(self.tags),
            locale: self.locale,
            verified_email: self.verified_email,
            email_consent: consent(self.email_marketing_consent),
            sms_consent: consent(self.sms_marketing_consent),
            default_address: self.default_address.map(AddressJson::into_json),
            shopify_orders_count: None,
            shopify_amount_spent: None,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `customers/delete`: only the id matters.
#[derive(Deserialize)]
pub struct DeletedJson {
    pub id: i64,
}

#[derive(Deserialize)]
struct IdOnly {
    id: i64,
}

#[derive(Deserialize)]
struct MoneyJson {
    amount: String,
}

#[derive(Deserialize)]
struct MoneySetJson {
    shop_money: MoneyJson,
}

#[derive(Deserialize)]
struct LineJson {
    id: Option<i64>,
    product_id: Option<i64>,
    variant_id: Option<i64>,
    #[serde(default)]
    title: String,
    variant_title: Option<String>,
    sku: Option<String>,
    #[serde(default)]
    quantity: i64,
    price: Option<String>,
    price_set: Option<MoneySetJson>,
    total_discount: Option<String>,
}

impl LineJson {
    fn into_line(self, currency: &str) -> Result<LineItem, BadRecord> {
        let id = self.id.unwrap_or(0);
        let price = self
            .price_set
            .as_ref()
            .map(|s| s.shop_money.amount.as_str())
            .or(self.price.as_deref());
        let unit_price = amount("line item", id, price, currency)?;
        let discount = amount("line item", id, self.total_discount.as_deref(), currency)?;
        Ok(LineItem {
            id: self.id,
            product_id: self.product_id,
            variant_id: self.variant_id,
            title: self.title,
            variant_title: self.variant_title.filter(|t| !t.is_empty()),
            sku: self.sku.filter(|s| !s.is_empty()),
            quantity: self.quantity,
            unit_price,
            total: unit_price * self.quantity - discount,
        })
    }
}

#[derive(Deserialize)]
struct TransactionJson {
    kind: Option<String>,
    status: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
}

/// `refunds/create` (and each of an order's `refunds`).
#[derive(Deserialize)]
pub struct RefundJson {
    id: i64,
    order_id: i64,
    created_at: DateTime<Utc>,
    note: Option<String>,
    #[serde(default)]
    transactions: Vec<TransactionJson>,
}

impl RefundJson {
    /// The refund; its amount is the sum of its successful refund transactions.
    pub fn into_record(self, shop_currency: &str) -> Result<RefundRecord, BadRecord> {
        let mut total = 0;
        let mut currency = shop_currency.to_string();
        for t in &self.transactions {
            let ok = t.kind.as_deref() == Some("refund")
                && t.status.as_deref().is_none_or(|s| s == "success");
            if !ok {
                continue;
            }
            if let Some(c) = &t.currency {
                currency.clone_from(c);
            }
            total += amount("refund", self.id, t.amount.as_deref(), &currency)?;
        }
        Ok(RefundRecord {
            id: self.id,
            order_id: self.order_id,
            amount: total,
            currency,
            note: self.note.filter(|n| !n.is_empty()),
            created_at: self.created_at,
        })
    }

    /// The order it belongs to.
    pub fn order_id(&self) -> i64 {
        self.order_id
    }
}

#[derive(Deserialize)]
struct DiscountCodeJson {
    code: String,
}

/// `orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`, `orders/fulfilled`.
#[derive(Deserialize)]
pub struct OrderJson {
    id: i64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    processed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: Option<String>,
    financial_status: Option<String>,
    fulfillment_status: Option<String>,
    currency: String,
    presentment_currency: Option<String>,
    subtotal_price: Option<String>,
    total_discounts: Option<String>,
    total_tax: Option<String>,
    total_price: Option<String>,
    total_shipping_price_set: Option<MoneySetJson>,
    #[serde(default)]
    discount_codes: Vec<DiscountCodeJson>,
    tags: Option<String>,
    source_name: Option<String>,
    #[serde(default)]
    test: bool,
    customer: Option<IdOnly>,
    #[serde(default)]
    line_items: Vec<LineJson>,
    #[serde(default)]
    refunds: Vec<RefundJson>,
}

/// REST fulfilment statuses in the Admin API's display names.
fn fulfillment(status: Option<String>) -> String {
    match status.as_deref() {
        None | Some("") | Some("null") => "UNFULFILLED".into(),
        Some("partial") => "PARTIALLY_FULFILLED".into(),
        Some(other) => other.to_ascii_uppercase(),
    }
}

impl OrderJson {
    pub fn into_record(self) -> Result<OrderRecord, BadRecord> {
        let c = self.currency.as_str();
        let id = self.id;
        let money = |text: Option<&str>| amount("order", id, text, c);
        let shipping = self
            .total_shipping_price_set
            .as_ref()
            .map(|s| s.shop_money.amount.as_str());
        let line_items = self
            .line_items
            .into_iter()
            .map(|l| l.into_line(c))
            .collect::<Result<_, _>>()?;
        let refunds = self
            .refunds
            .into_iter()
            .map(|r| r.into_record(c))
            .collect::<Result<_, _>>()?;
        Ok(OrderRecord {
            id,
            name: self.name,
            customer_id: self.customer.map(|c| c.id),
            email: self.email.filter(|e| !e.is_empty()),
            phone: self.phone,
            presentment_currency: self
                .presentment_currency
                .unwrap_or_else(|| self.currency.clone()),
            subtotal_price: money(self.subtotal_price.as_deref())?,
            total_discounts: money(self.total_discounts.as_deref())?,
            total_shipping: money(shipping)?,
            total_tax: money(self.total_tax.as_deref())?,
            total_price: money(self.total_price.as_deref())?,
            financial_status: upper(self.financial_status),
            fulfillment_status: Some(fulfillment(self.fulfillment_status)),
            cancel_reason: upper(self.cancel_reason),
            cancelled_at: self.cancelled_at,
            discount_codes: self.discount_codes.into_iter().map(|d| d.code).collect(),
            tags: tag_list(self.tags),
            line_items,
            source_name: self.source_name,
            test: self.test,
            processed_at: self.processed_at.unwrap_or(self.created_at),
            created_at: self.created_at,
            updated_at: self.updated_at,
            currency: self.currency,
            refunds,
        })
    }
}

#[derive(Deserialize)]
struct CheckoutCustomerJson {
    id: i64,
    email: Option<String>,
}

/// `checkouts/create`, `checkouts/update` (keyed by `token`).
#[derive(Deserialize)]
pub struct CheckoutJson {
    token: String,
    id: Option<i64>,
    email: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    currency: String,
    presentment_currency: Option<String>,
    subtotal_price: Option<String>,
    total_price: Option<String>,
    abandoned_checkout_url: Option<String>,
    customer: Option<CheckoutCustomerJson>,
    #[serde(default)]
    line_items: Vec<LineJson>,
}

impl CheckoutJson {
    pub fn into_record(self) -> Result<CheckoutRecord, BadRecord> {
        let c = self.currency.as_str();
        // The Admin API path keys a checkout by the token in its recovery URL; use the same
        // token here when the URL carries one, so both paths write one row.
        let token = self
            .abandoned_checkout_url
            .as_deref()
            .and_then(token_from_recovery_url)
            .unwrap_or(self.token);
        let id = self.id.unwrap_or(0);
        let line_items = self
            .line_items
            .into_iter()
            .map(|l| l.into_line(c))
            .collect::<Result<_, _>>()?;
        Ok(CheckoutRecord {
            token,
            shopify_id: self.id,
            email: self
                .email
                .or_else(|| self.customer.as_ref().and_then(|c| c.email.clone())),
            customer_id: self.customer.map(|c| c.id),
            subtotal_price: amount("checkout", id, self.subtotal_price.as_deref(), c)?,
            total_price: amount("checkout", id, self.total_price.as_deref(), c)?,
            currency: self.currency,
            presentment_currency: self.presentment_currency,
            line_items,
            recovery_url: self.abandoned_checkout_url,
            created_at: self.created_at,
            updated_at: self.updated_at,
            completed_at: self.completed_at,
        })
    }
}
