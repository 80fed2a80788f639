//! Admin GraphQL objects (bulk file lines and delta pages, selected by the `Sync*` fragments in
//! `shopify/operations/`) turned into [`super::records`]. Money is read from `shopMoney`, the
//! shop currency, so sums across orders stay in one currency.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::money::{BadAmount, minor_units};
use super::records::{
    CheckoutRecord, Consent, CustomerRecord, Image, LineItem, OrderRecord, ProductRecord,
    RefundRecord, VariantRecord, gid_number, token_from_recovery_url,
};

/// Why an object could not become a record.
#[derive(Debug, thiserror::Error)]
pub enum BadRecord {
    #[error("unreadable {kind}: {source}")]
    Json {
        kind: &'static str,
        source: serde_json::Error,
    },
    #[error("{kind} {id}: {source}")]
    Amount {
        kind: &'static str,
        id: String,
        source: BadAmount,
    },
    #[error("{kind}: `{id}` is not a Shopify id")]
    Id { kind: &'static str, id: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Money {
    amount: String,
    currency_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MoneyBag {
    shop_money: Money,
    #[serde(default)]
    presentment_money: Option<CurrencyOnly>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CurrencyOnly {
    currency_code: String,
}

#[derive(Deserialize)]
pub(super) struct Ref {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PageInfo {
    #[serde(default)]
    pub has_next_page: bool,
    #[serde(default)]
    pub end_cursor: Option<String>,
}

/// A connection as selected with `nodes` (delta pages); bulk files put children on own lines.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Nodes<T> {
    #[serde(default = "Vec::new")]
    pub nodes: Vec<T>,
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

fn id_of(kind: &'static str, gid: &str) -> Result<i64, BadRecord> {
    gid_number(gid).ok_or_else(|| BadRecord::Id {
        kind,
        id: gid.chars().take(80).collect(),
    })
}

fn money(kind: &'static str, id: &str, m: &Money) -> Result<i64, BadRecord> {
    minor_units(&m.amount, &m.currency_code).map_err(|source| BadRecord::Amount {
        kind,
        id: id.to_string(),
        source,
    })
}

fn bag(kind: &'static str, id: &str, b: Option<&MoneyBag>) -> Result<i64, BadRecord> {
    b.map_or(Ok(0), |b| money(kind, id, &b.shop_money))
}

/// Parses one object of `kind` from its JSON text.
pub fn parse<'a, T: Deserialize<'a>>(kind: &'static str, text: &'a str) -> Result<T, BadRecord> {
    serde_json::from_str(text).map_err(|source| BadRecord::Json { kind, source })
}

// ---------------------------------------------------------------------------------------------
// Customers

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsentJson {
    marketing_state: Option<String>,
    marketing_opt_in_level: Option<String>,
    consent_updated_at: Option<DateTime<Utc>>,
}

impl From<Option<ConsentJson>> for Consent {
    fn from(c: Option<ConsentJson>) -> Self {
        c.map_or_else(Consent::default, |c| Consent {
            state: c.marketing_state,
            opt_in_level: c.marketing_opt_in_level,
            updated_at: c.consent_updated_at,
        })
    }
}

/// `SyncCustomer`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerJson {
    id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    state: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    locale: Option<String>,
    #[serde(default)]
    verified_email: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    number_of_orders: Option<String>,
    amount_spent: Option<Money>,
    default_address: Option<serde_json::Value>,
    email_marketing_consent: Option<ConsentJson>,
    sms_marketing_consent: Option<ConsentJson>,
}

impl CustomerJson {
    pub fn into_record(self) -> Result<CustomerRecord, BadRecord> {
        let id = id_of("customer", &self.id)?;
        let spent = match &self.amount_spent {
            Some(m) => Some(money("customer", &self.id, m)?),
            None => None,
        };
        Ok(CustomerRecord {
            id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            state: self.state.unwrap_or_else(|| "DISABLED".into()),
            tags: self.tags,
            locale: self.locale,
            verified_email: self.verified_email,
            email_consent: self.email_marketing_consent.into(),
            sms_consent: self.sms_marketing_consent.into(),
            default_address: self.default_address.filter(|a| !a.is_null()),
            shopify_orders_count: self.number_of_orders.and_then(|n| n.parse().ok()),
            shopify_amount_spent: spent,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Orders

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundJson {
    id: String,
    created_at: DateTime<Utc>,
    note: Option<String>,
    total_refunded_set: Option<MoneyBag>,
}

/// `SyncLineItem` / `SyncCheckoutLine`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineJson {
    id: String,
    #[serde(default)]
    title: String,
    variant_title: Option<String>,
    sku: Option<String>,
    #[serde(default)]
    quantity: i64,
    product: Option<Ref>,
    variant: Option<Ref>,
    original_unit_price_set: Option<MoneyBag>,
    #[serde(alias = "discountedTotalPriceSet")]
    discounted_total_set: Option<MoneyBag>,
}

impl LineJson {
    pub fn into_line(self) -> Result<LineItem, BadRecord> {
        let unit_price = bag("line item", &self.id, self.original_unit_price_set.as_ref())?;
        let total = match &self.discounted_total_set {
            Some(b) => money("line item", &self.id, &b.shop_money)?,
            None => unit_price * self.quantity,
        };
        Ok(LineItem {
            id: Some(id_of("line item", &self.id)?),
            product_id: self.product.and_then(|p| gid_number(&p.id)),
            variant_id: self.variant.and_then(|v| gid_number(&v.id)),
            title: self.title,
            variant_title: self.variant_title,
            sku: self.sku.filter(|s| !s.is_empty()),
            quantity: self.quantity,
            unit_price,
            total,
        })
    }
}

/// `SyncOrder` (plus `lineItems` on delta pages).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderJson {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    processed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: Option<String>,
    #[serde(default)]
    test: bool,
    customer: Option<Ref>,
    display_financial_status: Option<String>,
    display_fulfillment_status: Option<String>,
    currency_code: String,
    presentment_currency_code: Option<String>,
    subtotal_price_set: Option<MoneyBag>,
    total_discounts_set: Option<MoneyBag>,
    total_shipping_price_set: Option<MoneyBag>,
    total_tax_set: Option<MoneyBag>,
    total_price_set: Option<MoneyBag>,
    #[serde(default)]
    discount_codes: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    source_name: Option<String>,
    #[serde(default)]
    refunds: Vec<RefundJson>,
    #[serde(default)]
    pub(super) line_items: Option<Nodes<LineJson>>,
}

impl OrderJson {
    /// The record's gid (child lines of a bulk file name it as their parent).
    pub fn gid(&self) -> &str {
        &self.id
    }

    /// The record, with `lines` as its line items (from the bulk file's child lines, or from
    /// `lineItems` on a delta page when `lines` is `None`).
    pub fn into_record(self, lines: Option<Vec<LineItem>>) -> Result<OrderRecord, BadRecord> {
        let gid = self.id.as_str();
        let id = id_of("order", gid)?;
        let k = "order";
        let mut refunds = Vec::with_capacity(self.refunds.len());
        for r in &self.refunds {
            let currency = r
                .total_refunded_set
                .as_ref()
                .map_or(self.currency_code.as_str(), |b| {
                    b.shop_money.currency_code.as_str()
                });
            refunds.push(RefundRecord {
                id: id_of("refund", &r.id)?,
                order_id: id,
                amount: bag("refund", &r.id, r.total_refunded_set.as_ref())?,
                currency: currency.to_string(),
                note: r.note.clone().filter(|n| !n.is_empty()),
                created_at: r.created_at,
            });
        }
        let line_items = lines_or_page(lines, self.line_items)?;
        Ok(OrderRecord {
            id,
            name: self.name,
            customer_id: self.customer.and_then(|c| gid_number(&c.id)),
            email: self.email,
            phone: self.phone,
            presentment_currency: self
                .presentment_currency_code
                .unwrap_or_else(|| self.currency_code.clone()),
            subtotal_price: bag(k, gid, self.subtotal_price_set.as_ref())?,
            total_discounts: bag(k, gid, self.total_discounts_set.as_ref())?,
            total_shipping: bag(k, gid, self.total_shipping_price_set.as_ref())?,
            total_tax: bag(k, gid, self.total_tax_set.as_ref())?,
            total_price: bag(k, gid, self.total_price_set.as_ref())?,
            currency: self.currency_code,
            financial_status: self.display_financial_status,
            fulfillment_status: self.display_fulfillment_status,
            cancel_reason: self.cancel_reason,
            cancelled_at: self.cancelled_at,
            discount_codes: self.discount_codes,
            tags: self.tags,
            line_items,
            source_name: self.source_name,
            test: self.test,
            processed_at: self.processed_at.unwrap_or(self.created_at),
            created_at: self.created_at,
            updated_at: self.updated_at,
            refunds,
        })
    }
}

/// The bulk file's child lines when given, else the `lineItems` page of a delta record.
fn lines_or_page(
    lines: Option<Vec<LineItem>>,
    page: Option<Nodes<LineJson>>,
) -> Result<Vec<LineItem>, BadRecord> {
    match lines {
        Some(lines) => Ok(lines),
        None => page
            .map(|c| c.nodes)
            .unwrap_or_default()
            .into_iter()
            .map(LineJson::into_line)
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Products

/// `SyncVariant`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantJson {
    id: String,
    #[serde(default)]
    title: String,
    sku: Option<String>,
    price: Option<String>,
    compare_at_price: Option<String>,
    inventory_quantity: Option<i64>,
    updated_at: Option<DateTime<Utc>>,
}

impl VariantJson {
    /// Variant prices are bare decimals in the shop currency.
    pub fn into_record(
        self,
        product_id: i64,
        currency: &str,
        product_updated: DateTime<Utc>,
    ) -> Result<VariantRecord, BadRecord> {
        let amount = |text: &str| {
            minor_units(text, currency).map_err(|source| BadRecord::Amount {
                kind: "variant",
                id: self.id.clone(),
                source,
            })
        };
        let price = match self.price.as_deref() {
            Some(p) => amount(p)?,
            None => 0,
        };
        let compare_at_price = match self.compare_at_price.as_deref() {
            Some(p) => Some(amount(p)?),
            None => None,
        };
        Ok(VariantRecord {
            id: id_of("variant", &self.id)?,
            product_id,
            title: self.title,
            sku: self.sku.filter(|s| !s.is_empty()),
            price,
            compare_at_price,
            inventory_quantity: self.inventory_quantity,
            updated_at: self.updated_at.unwrap_or(product_updated),
        })
    }
}

/// A product image line.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageJson {
    id: Option<String>,
    url: String,
    alt_text: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
}

impl ImageJson {
    pub fn into_image(self) -> Image {
        Image {
            id: self.id.as_deref().and_then(gid_number),
            url: self.url,
            alt_text: self.alt_text.filter(|a| !a.is_empty()),
            width: self.width,
            height: self.height,
        }
    }
}

/// `SyncProduct` (plus `variants`/`images` on delta pages).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductJson {
    id: String,
    title: String,
    handle: String,
    product_type: Option<String>,
    vendor: Option<String>,
    status: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    variants: Option<Nodes<VariantJson>>,
    #[serde(default)]
    images: Option<Nodes<ImageJson>>,
}

impl ProductJson {
    /// The record's gid (child lines of a bulk file name it as their parent).
    pub fn gid(&self) -> &str {
        &self.id
    }

    /// The product's id, for joining child lines.
    pub fn id(&self) -> Result<i64, BadRecord> {
        id_of("product", &self.id)
    }

    /// The record; `children` are the bulk file's variant and image lines (or `None` to take
    /// `variants`/`images` from a delta page).
    pub fn into_record(
        self,
        children: Option<(Vec<VariantJson>, Vec<ImageJson>)>,
        currency: &str,
    ) -> Result<ProductRecord, BadRecord> {
        let id = self.id()?;
        let (variants, images) = children.unwrap_or_else(|| {
            (
                self.variants.map(|c| c.nodes).unwrap_or_default(),
                self.images.map(|c| c.nodes).unwrap_or_default(),
            )
        });
        let updated = self.updated_at;
        Ok(ProductRecord {
            id,
            title: self.title,
            handle: self.handle,
            product_type: self.product_type.filter(|t| !t.is_empty()),
            vendor: self.vendor.filter(|v| !v.is_empty()),
            status: self.status.unwrap_or_else(|| "ACTIVE".into()),
            tags: self.tags,
            images: images.into_iter().map(ImageJson::into_image).collect(),
            variants: variants
                .into_iter()
                .map(|v| v.into_record(id, currency, updated))
                .collect::<Result<_, _>>()?,
            created_at: self.created_at,
            updated_at: updated,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Abandoned checkouts

#[derive(Deserialize)]
struct CheckoutCustomer {
    id: String,
    email: Option<String>,
}

/// `SyncCheckout` (plus `lineItems` on delta pages).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutJson {
    id: String,
    abandoned_checkout_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    customer: Option<CheckoutCustomer>,
    subtotal_price_set: Option<MoneyBag>,
    total_price_set: Option<MoneyBag>,
    #[serde(default)]
    line_items: Option<Nodes<LineJson>>,
}

impl CheckoutJson {
    /// The record's gid (child lines of a bulk file name it as their parent).
    pub fn gid(&self) -> &str {
        &self.id
    }

    pub fn into_record(self, lines: Option<Vec<LineItem>>) -> Result<CheckoutRecord, BadRecord> {
        let gid = self.id.as_str();
        let shopify_id = id_of("checkout", gid)?;
        let token = self
            .abandoned_checkout_url
            .as_deref()
            .and_then(token_from_recovery_url)
            // Without a recovery link the id is the only key; webhooks cannot match it then.
            .unwrap_or_else(|| format!("id-{shopify_id}"));
        let currency = self
            .total_price_set
            .as_ref()
            .or(self.subtotal_price_set.as_ref())
            .map(|b| b.shop_money.currency_code.clone())
            .unwrap_or_default();
        let presentment = self
            .subtotal_price_set
            .as_ref()
            .and_then(|b| b.presentment_money.as_ref())
            .map(|m| m.currency_code.clone());
        let line_items = lines_or_page(lines, self.line_items)?;
        Ok(CheckoutRecord {
            token,
            shopify_id: Some(shopify_id),
            email: self.customer.as_ref().and_then(|c| c.email.clone()),
            customer_id: self.customer.and_then(|c| gid_number(&c.id)),
            currency,
            presentment_currency: presentment,
            subtotal_price: bag("checkout", gid, self.subtotal_price_set.as_ref())?,
            total_price: bag("checkout", gid, self.total_price_set.as_ref())?,
            line_items,
            recovery_url: self.abandoned_checkout_url,
            created_at: self.created_at,
            updated_at: self.updated_at,
            completed_at: self.completed_at,
        })
    }
}
