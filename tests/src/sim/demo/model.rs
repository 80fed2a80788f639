//! The simulator's model of a shop's Shopify data: customers, products and variants, orders with
//! line items and refunds, abandoned checkouts. Plain compact structs (ids as `i64`, money as `i64`
//! minor units, times as unix seconds UTC); serving them as GraphQL or webhook payloads is done
//! elsewhere.

use super::currency::Currency;
use super::words::{CUSTOMER_TAGS, City};

/// Money in minor units of a currency (cents for USD, yen for JPY).
pub type Minor = i64;

/// A slice of one of the store's flat arenas (`line_items`, `refunds`, ...). Keeping children in
/// arenas instead of one `Vec` per order saves an allocation and 16 bytes per order, which is what
/// makes a million orders cheap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First index in the arena.
    pub start: u32,
    /// Number of items.
    pub len: u16,
}

impl Span {
    /// The indices this span covers.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// `CustomerEmailMarketingState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailMarketingState {
    NotSubscribed,
    Pending,
    Subscribed,
    Unsubscribed,
    Redacted,
    Invalid,
}

/// `CustomerSmsMarketingState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsMarketingState {
    NotSubscribed,
    Pending,
    Subscribed,
    Unsubscribed,
    Redacted,
}

/// `CustomerMarketingOptInLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptInLevel {
    SingleOptIn,
    ConfirmedOptIn,
    Unknown,
}

/// A marketing consent: state, how it was given and when it last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Consent<S> {
    pub state: S,
    pub opt_in_level: OptInLevel,
    pub updated_at: Option<i64>,
}

/// `CustomerState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerState {
    Disabled,
    Invited,
    Enabled,
    Declined,
}

/// A bit set over [`CUSTOMER_TAGS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TagSet(pub u16);

impl TagSet {
    /// The tag names, in list order.
    pub fn names(self) -> Vec<&'static str> {
        CUSTOMER_TAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, t)| *t)
            .collect()
    }
}

/// A postal address built from the word lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address {
    pub number: u16,
    pub street: &'static str,
    pub city: &'static City,
    /// Numeric part of the postcode; [`Address::zip`] formats it for the country.
    pub zip_seed: u32,
}

impl Address {
    /// First address line, e.g. `12 Maple Street`.
    pub fn address1(&self) -> String {
        format!("{} {}", self.number, self.street)
    }

    /// The postcode in the country's shape.
    pub fn zip(&self) -> String {
        self.city.zip(self.zip_seed)
    }
}

/// A customer (`Customer` in the Admin API).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Customer {
    pub id: i64,
    pub first_name: &'static str,
    pub last_name: &'static str,
    /// Absent for a few phone-only customers, as in real shops.
    pub email: Option<Box<str>>,
    /// E.164; fictional 555 numbers.
    pub phone: Option<Box<str>>,
    pub created_at: i64,
    pub updated_at: i64,
    pub state: CustomerState,
    pub verified_email: bool,
    pub tags: TagSet,
    pub email_consent: Consent<EmailMarketingState>,
    /// Only customers with a phone have an SMS consent.
    pub sms_consent: Option<Consent<SmsMarketingState>>,
    pub address: Option<Address>,
    pub locale: &'static str,
    /// Orders placed, cancelled ones included (`numberOfOrders`).
    pub orders_count: u32,
    /// Net of refunds, cancelled orders excluded (`amountSpent`), in the shop currency.
    pub amount_spent: Minor,
    /// Id of the customer's latest order (generated, or created through the simulator's control
    /// API).
    pub last_order: Option<i64>,
}

/// `ProductStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductStatus {
    Active,
    Draft,
    Archived,
}

/// A product; its variants are a span of [`super::DemoStore::variants`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub handle: String,
    pub product_type: &'static str,
    pub vendor: &'static str,
    pub tags: Vec<&'static str>,
    pub status: ProductStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub variants: Span,
}

/// A product variant with its price in the shop currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    pub id: i64,
    /// Index of the product in [`super::DemoStore::products`].
    pub product: u32,
    /// `Default Title` for single-variant products, otherwise e.g. `Black / M`.
    pub title: String,
    pub sku: String,
    pub price: Minor,
    pub compare_at_price: Option<Minor>,
    pub inventory_quantity: i32,
}

/// `OrderDisplayFinancialStatus` (REST `financial_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinancialStatus {
    Pending,
    Authorized,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

/// `OrderDisplayFulfillmentStatus` (REST `fulfillment_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FulfillmentStatus {
    Unfulfilled,
    PartiallyFulfilled,
    Fulfilled,
    Restocked,
}

/// `OrderCancelReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelReason {
    Customer,
    Declined,
    Fraud,
    Inventory,
    Staff,
    Other,
}

/// Where the order was placed (`sourceName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderSource {
    Web,
    ShopifyDraftOrder,
    Pos,
    ShopApp,
}

/// One line of an order or abandoned checkout; prices in the shop currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineItem {
    pub id: i64,
    /// Index into [`super::DemoStore::variants`].
    pub variant: u32,
    pub quantity: u16,
    pub unit_price: Minor,
}

/// A refund of part or all of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Refund {
    pub id: i64,
    /// Index into [`super::DemoStore::orders`].
    pub order: u32,
    pub created_at: i64,
    /// Amount refunded in the shop currency.
    pub amount: Minor,
    /// Index into [`super::DemoStore::line_items`] when a line was returned.
    pub line_item: Option<u32>,
    pub quantity: u16,
    pub restock: bool,
    pub note: &'static str,
}

/// An order. Money is in the shop currency; `presentment_currency` is what the buyer saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Order {
    pub id: i64,
    /// The order number; its name is `#{number}`.
    pub number: u32,
    /// Index into [`super::DemoStore::customers`]; `None` for guest checkouts.
    pub customer: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<CancelReason>,
    pub financial_status: FinancialStatus,
    pub fulfillment_status: FulfillmentStatus,
    pub presentment_currency: Currency,
    pub subtotal: Minor,
    pub total_discounts: Minor,
    pub shipping: Minor,
    pub tax: Minor,
    pub discount_code: Option<&'static str>,
    pub source: OrderSource,
    pub line_items: Span,
    pub refunds: Span,
}

impl Order {
    /// `totalPrice`: subtotal less discounts plus shipping and tax.
    pub fn total_price(&self) -> Minor {
        self.subtotal - self.total_discounts + self.shipping + self.tax
    }

    /// The order name shown in the admin, e.g. `#1001`.
    pub fn name(&self) -> String {
        format!("#{}", self.number)
    }
}

/// A checkout the buyer left before paying. Shopify keys these by `token` in webhooks since 2026-04.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AbandonedCheckout {
    pub id: i64,
    pub token: [u8; 16],
    /// Index into [`super::DemoStore::customers`]; `None` when only an email was entered.
    pub customer: Option<u32>,
    /// The email typed at checkout when there is no customer record.
    pub email: Option<Box<str>>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Set when the buyer came back through the recovery link and paid.
    pub completed_at: Option<i64>,
    pub presentment_currency: Currency,
    pub subtotal: Minor,
    /// A span of [`super::DemoStore::checkout_items`].
    pub line_items: Span,
}

impl AbandonedCheckout {
    /// The token as Shopify prints it (32 hex digits).
    pub fn token_hex(&self) -> String {
        hex::encode(self.token)
    }

    /// `abandonedCheckoutUrl`: the recovery link sent in abandoned-cart emails.
    pub fn recovery_url(&self, shop_domain: &str, shop_id: i64) -> String {
        // The key is derived from the token so the URL is stable without storing another field.
        let key: String = self
            .token
            .iter()
            .rev()
            .map(|b| format!("{:02x}", b ^ 0x5a))
            .collect();
        format!(
            "https://{shop_domain}/{shop_id}/checkouts/ac/{}/recover?key={key}",
            self.token_hex()
        )
    }
}
