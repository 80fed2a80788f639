//! The demo store generator: a deterministic, realistic Shopify shop from a seed (ChaCha8, one
//! stream per part, so changing the order count leaves the catalogue alone). Sizes run from a
//! hundred to a million orders; a million take seconds and stay compact because children live in
//! flat arenas. This module builds data only; serving it is the simulator's job.

pub mod calendar;
pub mod catalog;
pub mod checkouts;
pub mod currency;
pub mod ids;
pub mod model;
pub mod orders;
pub mod people;
pub mod plan;
pub mod words;

use std::hash::{Hash, Hasher};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use currency::Currency;
pub use model::*;

/// The most orders or customers one demo shop may have; keeps a typo from eating the machine.
pub const MAX_ORDERS: u32 = 2_000_000;

/// What to generate. Same config (seed included) ⇒ identical store.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    pub seed: u64,
    pub customers: u32,
    pub orders: u32,
    /// The shop currency; all stored money is in it.
    pub currency: Currency,
    /// Other currencies buyers may see (multi-currency); empty means off, the default.
    pub presentment_currencies: Vec<Currency>,
    /// IANA zone; shapes the hour of day orders happen.
    pub timezone: String,
    /// The end of the store's history (unix seconds); fixed, so output does not depend on the clock.
    pub end_at: i64,
    pub history_days: u32,
    /// Defaults to 30% of the order count.
    pub abandoned_checkouts: Option<u32>,
    /// Defaults to a count that grows with the order count (12..=400).
    pub products: Option<u32>,
}

impl DemoConfig {
    /// A USD store in New York with two years of history ending at `end_at`.
    pub fn new(seed: u64, customers: u32, orders: u32, end_at: i64) -> Self {
        Self {
            seed,
            customers,
            orders,
            currency: Currency::Usd,
            presentment_currencies: Vec::new(),
            timezone: "America/New_York".into(),
            end_at,
            history_days: 730,
            abandoned_checkouts: None,
            products: None,
        }
    }
}

/// A generated shop's data. Children of orders and checkouts are spans into the flat vectors.
#[derive(Debug, Default)]
pub struct DemoStore {
    pub currency: Currency,
    pub customers: Vec<Customer>,
    pub products: Vec<Product>,
    pub variants: Vec<Variant>,
    pub orders: Vec<Order>,
    pub line_items: Vec<LineItem>,
    pub refunds: Vec<Refund>,
    pub abandoned_checkouts: Vec<AbandonedCheckout>,
    pub checkout_items: Vec<LineItem>,
}

/// How much of each kind a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoCounts {
    pub customers: usize,
    pub products: usize,
    pub variants: usize,
    pub orders: usize,
    pub line_items: usize,
    pub refunds: usize,
    pub abandoned_checkouts: usize,
}

impl DemoStore {
    /// Counts per kind.
    pub fn counts(&self) -> DemoCounts {
        DemoCounts {
            customers: self.customers.len(),
            products: self.products.len(),
            variants: self.variants.len(),
            orders: self.orders.len(),
            line_items: self.line_items.len(),
            refunds: self.refunds.len(),
            abandoned_checkouts: self.abandoned_checkouts.len(),
        }
    }

    /// The line items of an order.
    pub fn order_lines(&self, order: &Order) -> &[LineItem] {
        &self.line_items[order.line_items.range()]
    }

    /// The refunds of an order.
    pub fn order_refunds(&self, order: &Order) -> &[Refund] {
        &self.refunds[order.refunds.range()]
    }

    /// A hash of every generated value, for determinism checks.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.customers.hash(&mut hasher);
        self.products.hash(&mut hasher);
        self.variants.hash(&mut hasher);
        self.orders.hash(&mut hasher);
        self.line_items.hash(&mut hasher);
        self.refunds.hash(&mut hasher);
        self.abandoned_checkouts.hash(&mut hasher);
        self.checkout_items.hash(&mut hasher);
        hasher.finish()
    }
}

/// Generates a store. Counts above [`MAX_ORDERS`] are clamped.
pub fn generate(config: &DemoConfig) -> DemoStore {
    let orders = config.orders.min(MAX_ORDERS) as usize;
    let customers = config.customers.min(MAX_ORDERS) as usize;
    let end = config.end_at;
    let start = end - i64::from(config.history_days.max(1)) * calendar::DAY;
    let stream = |n: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(n);
        rng
    };
    let calendar =
        calendar::Calendar::new(start, end, calendar::utc_offset_minutes(&config.timezone));
    let product_count = config.products.map_or_else(
        || catalog::product_count(config.orders),
        |p| p.clamp(1, 5_000) as usize,
    );
    let catalog =
        catalog::Catalog::generate(&mut stream(1), config.currency, product_count, start, end);
    let mut people = people::generate(&mut stream(2), customers, start, end);
    let inputs = orders::OrderInputs {
        count: orders,
        start,
        end,
        currency: config.currency,
        presentment: &config.presentment_currencies,
        calendar: &calendar,
        catalog: &catalog,
    };
    let book = orders::generate(&mut stream(3), &inputs, &mut people);
    let checkout_count = config
        .abandoned_checkouts
        .map_or(orders * 3 / 10, |n| n.min(MAX_ORDERS) as usize);
    let checkouts = checkouts::generate(
        &mut stream(4),
        checkout_count,
        start,
        end,
        &calendar,
        &catalog,
        &people.customers,
        &config.presentment_currencies,
        config.currency,
    );
    DemoStore {
        currency: config.currency,
        customers: people.customers,
        products: catalog.products,
        variants: catalog.variants,
        orders: book.orders,
        line_items: book.line_items,
        refunds: book.refunds,
        abandoned_checkouts: checkouts.checkouts,
        checkout_items: checkouts.items,
    }
}

#[cfg(test)]
mod tests;
