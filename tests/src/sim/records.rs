//! The shop's records as the Admin API serves them for sync: the immutable generated
//! [`DemoStore`] plus an [`Overlay`] of records created or changed through the control API
//! (`changes.rs`), and the Admin GraphQL objects (`Customer`, `Order`, `Product`,
//! `AbandonedCheckout`, with `__typename`) built from either. Paginated queries
//! (`connections.rs`) and bulk operations (`bulk.rs`) both read through [`Records`], so a change
//! shows in both.
//!
//! A [`Records`] value is a cheap snapshot (three `Arc`s): queries and bulk streams take one under
//! the shop lock and read outside it. Overlay writes are copy-on-write (`Arc::make_mut`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value as Json, json};

use super::demo::{
    AbandonedCheckout, CancelReason, Currency, Customer, CustomerState, DemoStore,
    EmailMarketingState, FinancialStatus, FulfillmentStatus, LineItem, OptInLevel, Order,
    OrderSource, Product, ProductStatus, Refund, SmsMarketingState, Variant,
};

/// The record kinds that sync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Customer,
    Order,
    Product,
    Checkout,
}

/// What a connection is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortField {
    Id,
    UpdatedAt,
    CreatedAt,
}

/// An order created or changed through the control API, with its own children.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayOrder {
    pub order: Order,
    pub customer_id: Option<i64>,
    pub lines: Vec<LineItem>,
    pub refunds: Vec<Refund>,
}

/// An abandoned checkout created or changed through the control API.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayCheckout {
    pub checkout: AbandonedCheckout,
    pub customer_id: Option<i64>,
    pub lines: Vec<LineItem>,
}

/// Records created or changed after generation, by id; they replace generated ones of the same id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    pub customers: BTreeMap<i64, Customer>,
    pub orders: BTreeMap<i64, OverlayOrder>,
    pub checkouts: BTreeMap<i64, OverlayCheckout>,
    /// Ids of deleted customers (generated or created): gone from queries, `node`, bulk files and
    /// counts; their orders stay, with a null customer.
    pub deleted_customers: BTreeSet<i64>,
}

/// Positions of generated records in one sort order.
type Positions = Arc<Vec<u32>>;

/// Generated records' positions sorted by `(key, id)`, built once per kind and key on first use.
#[derive(Debug, Default)]
pub struct SortIndex {
    cache: Mutex<HashMap<(Kind, SortField), Positions>>,
}

/// A snapshot of a shop's records.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub store: Arc<DemoStore>,
    pub index: Arc<SortIndex>,
    pub overlay: Arc<Overlay>,
}

/// One order with its children, generated or from the overlay.
#[derive(Debug, Clone, Copy)]
pub struct OrderView<'a> {
    pub order: &'a Order,
    pub customer_id: Option<i64>,
    pub lines: &'a [LineItem],
    pub refunds: &'a [Refund],
}

/// One abandoned checkout with its lines.
#[derive(Debug, Clone, Copy)]
pub struct CheckoutView<'a> {
    pub checkout: &'a AbandonedCheckout,
    pub customer_id: Option<i64>,
    pub lines: &'a [LineItem],
}

/// A position in the merged record sequence: a generated record (its index) or an overlay one (its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    Base(u32),
    Over(i64),
}

/// Which nested page sizes to build: `None` means every child (bulk operations).
#[derive(Debug, Clone, Copy, Default)]
pub struct Nested {
    pub line_items: Option<usize>,
    pub variants: Option<usize>,
    pub images: Option<usize>,
    pub refunds: Option<usize>,
}

pub fn iso(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn gid(kind: &str, id: i64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// The type name in gids of a kind.
pub fn gid_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Customer => "Customer",
        Kind::Order => "Order",
        Kind::Product => "Product",
        Kind::Checkout => "AbandonedCheckout",
    }
}

impl Records {
    /// A snapshot of a freshly generated store.
    pub fn new(store: Arc<DemoStore>) -> Self {
        Self {
            store,
            index: Arc::default(),
            overlay: Arc::default(),
        }
    }

    pub fn currency(&self) -> Currency {
        self.store.currency
    }

    /// How many generated records of a kind exist.
    pub fn base_len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Customer => self.store.customers.len(),
            Kind::Order => self.store.orders.len(),
            Kind::Product => self.store.products.len(),
            Kind::Checkout => self.store.abandoned_checkouts.len(),
        }
    }

    /// `(id, updated_at, created_at)` of a generated record.
    pub fn base_keys(&self, kind: Kind, i: usize) -> (i64, i64, i64) {
        match kind {
            Kind::Customer => {
                let c = &self.store.customers[i];
                (c.id, c.updated_at, c.created_at)
            }
            Kind::Order => {
                let o = &self.store.orders[i];
                (o.id, o.updated_at, o.created_at)
            }
            Kind::Product => {
                let p = &self.store.products[i];
                (p.id, p.updated_at, p.created_at)
            }
            Kind::Checkout => {
                let c = &self.store.abandoned_checkouts[i];
                (c.id, c.updated_at, c.created_at)
            }
        }
    }

    /// `(id, updated_at, created_at)` of every overlay record of a kind.
    pub fn overlay_keys(&self, kind: Kind) -> Vec<(i64, i64, i64)> {
        let o = &self.overlay;
        match kind {
            Kind::Customer => o
                .customers
                .values()
                .map(|c| (c.id, c.updated_at, c.created_at))
                .collect(),
            Kind::Order => o
                .orders
                .values()
                .map(|x| (x.order.id, x.order.updated_at, x.order.created_at))
                .collect(),
            Kind::Product => Vec::new(),
            Kind::Checkout => o
                .checkouts
                .values()
                .map(|x| (x.checkout.id, x.checkout.updated_at, x.checkout.created_at))
                .collect(),
        }
    }

    /// Whether the overlay replaces (or deletes) the record with this id.
    pub fn overridden(&self, kind: Kind, id: i64) -> bool {
        let o = &self.overlay;
        match kind {
            Kind::Customer => o.customers.contains_key(&id) || o.deleted_customers.contains(&id),
            Kind::Order => o.orders.contains_key(&id),
            Kind::Product => false,
            Kind::Checkout => o.checkouts.contains_key(&id),
        }
    }

    /// How many records of a kind queries see: generated ones, plus those the overlay created,
    /// less deleted customers (`customersCount`, `ordersCount`, `abandonedCheckoutsCount`).
    pub fn count(&self, kind: Kind) -> usize {
        let is_base = |id: i64| {
            let n = self.base_len(kind);
            let i = self.sorted_by_id_position(kind, id, n);
            i < n && self.base_keys(kind, i).0 == id
        };
        let created = self
            .overlay_keys(kind)
            .iter()
            .filter(|(id, _, _)| !is_base(*id))
            .count();
        let deleted = match kind {
            Kind::Customer => self
                .overlay
                .deleted_customers
                .iter()
                .filter(|id| is_base(**id))
                .count(),
            _ => 0,
        };
        self.base_len(kind) + created - deleted
    }

    /// Where `id` is or would be among the generated records of a kind (they are in id order).
    fn sorted_by_id_position(&self, kind: Kind, id: i64, len: usize) -> usize {
        let (mut low, mut high) = (0, len);
        while low < high {
            let mid = (low + high) / 2;
            if self.base_keys(kind, mid).0 < id {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    /// Generated records' positions sorted by `(field, id)` (cached).
    pub fn sorted(&self, kind: Kind, field: SortField) -> Arc<Vec<u32>> {
        let mut cache = self
            .index
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(cache.entry((kind, field)).or_insert_with(|| {
            let n = self.base_len(kind);
            let mut order: Vec<u32> = (0..n as u32).collect();
            if field != SortField::Id {
                // Generated vectors are in id order already.
                order.sort_by_key(|&i| {
                    let (id, updated, created) = self.base_keys(kind, i as usize);
                    (sort_value(field, id, updated, created), id)
                });
            }
            Arc::new(order)
        }))
    }

    /// A customer by id, overlay first; `None` once deleted.
    pub fn customer(&self, id: i64) -> Option<&Customer> {
        if self.overlay.deleted_customers.contains(&id) {
            return None;
        }
        if let Some(c) = self.overlay.customers.get(&id) {
            return Some(c);
        }
        let list = &self.store.customers;
        list.binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &list[i])
    }

    /// An order by id, overlay first.
    pub fn order(&self, id: i64) -> Option<OrderView<'_>> {
        if let Some(o) = self.overlay.orders.get(&id) {
            return Some(self.overlay_order(o));
        }
        let i = self.store.orders.binary_search_by_key(&id, |o| o.id).ok()?;
        Some(self.base_order(i))
    }

    pub fn base_order(&self, i: usize) -> OrderView<'_> {
        let order = &self.store.orders[i];
        OrderView {
            order,
            customer_id: order.customer.map(|c| self.store.customers[c as usize].id),
            lines: self.store.order_lines(order),
            refunds: self.store.order_refunds(order),
        }
    }

    pub fn overlay_order<'a>(&self, o: &'a OverlayOrder) -> OrderView<'a> {
        OrderView {
            order: &o.order,
            customer_id: o.customer_id,
            lines: &o.lines,
            refunds: &o.refunds,
        }
    }

    pub fn base_checkout(&self, i: usize) -> CheckoutView<'_> {
        let checkout = &self.store.abandoned_checkouts[i];
        CheckoutView {
            checkout,
            customer_id: checkout
                .customer
                .map(|c| self.store.customers[c as usize].id),
            lines: &self.store.checkout_items[checkout.line_items.range()],
        }
    }

    /// A checkout by id, overlay first.
    pub fn checkout(&self, id: i64) -> Option<CheckoutView<'_>> {
        if let Some(c) = self.overlay.checkouts.get(&id) {
            return Some(CheckoutView {
                checkout: &c.checkout,
                customer_id: c.customer_id,
                lines: &c.lines,
            });
        }
        let i = self
            .store
            .abandoned_checkouts
            .binary_search_by_key(&id, |c| c.id)
            .ok()?;
        Some(self.base_checkout(i))
    }

    /// A checkout by its token (32 hex digits), overlay first.
    pub fn checkout_by_token(&self, token_hex: &str) -> Option<CheckoutView<'_>> {
        let token: [u8; 16] = hex::decode(token_hex.trim()).ok()?.try_into().ok()?;
        if let Some(c) = self
            .overlay
            .checkouts
            .values()
            .find(|c| c.checkout.token == token)
        {
            return self.checkout(c.checkout.id);
        }
        let i = self
            .store
            .abandoned_checkouts
            .iter()
            .position(|c| c.token == token)?;
        self.checkout(self.store.abandoned_checkouts[i].id)
    }

    /// A product by id.
    pub fn product(&self, id: i64) -> Option<&Product> {
        let list = &self.store.products;
        list.binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|i| &list[i])
    }

    /// The Admin GraphQL object of a record in the merged sequence.
    pub fn node(&self, kind: Kind, src: Src, nested: Nested) -> Json {
        match (kind, src) {
            (Kind::Customer, Src::Base(i)) => self.customer_json(&self.store.customers[i as usize]),
            (Kind::Customer, Src::Over(id)) => self
                .overlay
                .customers
                .get(&id)
                .map_or(Json::Null, |c| self.customer_json(c)),
            (Kind::Order, Src::Base(i)) => self.order_json(self.base_order(i as usize), nested),
            (Kind::Order, Src::Over(id)) => self.overlay.orders.get(&id).map_or(Json::Null, |o| {
                self.order_json(self.overlay_order(o), nested)
            }),
            (Kind::Product, Src::Base(i)) => {
                self.product_json(&self.store.products[i as usize], nested)
            }
            (Kind::Product, Src::Over(_)) => Json::Null,
            (Kind::Checkout, Src::Base(i)) => {
                self.checkout_json(self.base_checkout(i as usize), nested)
            }
            (Kind::Checkout, Src::Over(id)) => self
                .checkout(id)
                .map_or(Json::Null, |c| self.checkout_json(c, nested)),
        }
    }

    /// The object behind a gid, for `node(id:)`.
    pub fn find_gid(&self, id: &str) -> Option<Json> {
        let rest = id.strip_prefix("gid://shopify/")?;
        let (ty, number) = rest.split_once('/')?;
        let number: i64 = number.parse().ok()?;
        let nested = Nested {
            line_items: Some(0),
            variants: Some(0),
            images: Some(0),
            refunds: None,
        };
        // A kind the sim serves but an id it does not know (or a deleted customer) is `null`, as
        // on Shopify, rather than the sim's not-implemented error.
        let found = match ty {
            "Customer" => self.customer(number).map(|c| self.customer_json(c)),
            "Order" => self.order(number).map(|o| self.order_json(o, nested)),
            "Product" => self.product(number).map(|p| self.product_json(p, nested)),
            "AbandonedCheckout" => self.checkout(number).map(|c| self.checkout_json(c, nested)),
            _ => return None,
        };
        Some(found.unwrap_or(Json::Null))
    }

    fn money(&self, amount: i64) -> Json {
        let currency = self.currency();
        json!({"__typename": "MoneyV2", "amount": currency.format(amount), "currencyCode": currency.code()})
    }

    fn bag(&self, amount: i64, presentment: Currency) -> Json {
        let shop = self.currency();
        let shown = shop.convert(amount, presentment);
        json!({
            "__typename": "MoneyBag",
            "shopMoney": self.money(amount),
            "presentmentMoney": {"__typename": "MoneyV2", "amount": presentment.format(shown), "currencyCode": presentment.code()},
        })
    }

    pub fn customer_json(&self, c: &Customer) -> Json {
        let id = gid("Customer", c.id);
        let address = c.address.map(|a| {
            json!({
                "__typename": "MailingAddress",
                "id": format!("gid://shopify/MailingAddress/{}?model_name=CustomerAddress", c.id + 1),
                "firstName": c.first_name,
                "lastName": c.last_name,
                "name": format!("{} {}", c.first_name, c.last_name),
                "company": Json::Null,
                "address1": a.address1(),
                "address2": Json::Null,
                "city": a.city.name,
                "province": a.city.province,
                "provinceCode": a.city.province_code,
                "country": a.city.country,
                "countryCodeV2": a.city.country_code,
                "zip": a.zip(),
                "phone": c.phone.as_deref(),
                "formatted": [a.address1(), a.city.name.to_string(), a.city.country.to_string()],
            })
        });
        let email_consent = json!({
            "__typename": "CustomerEmailMarketingConsentState",
            "marketingState": email_state(c.email_consent.state),
            "marketingOptInLevel": opt_in(c.email_consent.opt_in_level),
            "consentUpdatedAt": c.email_consent.updated_at.map(iso),
        });
        let sms_consent = c.sms_consent.map(|s| {
            json!({
                "__typename": "CustomerSmsMarketingConsentState",
                "marketingState": sms_state(s.state),
                "marketingOptInLevel": opt_in(s.opt_in_level),
                "consentUpdatedAt": s.updated_at.map(iso),
                "consentCollectedFrom": "OTHER",
            })
        });
        let last_order = c
            .last_order
            .and_then(|id| self.order(id))
            .map(|o| json!({"__typename": "Order", "id": gid("Order", o.order.id), "name": o.order.name()}));
        json!({
            "__typename": "Customer",
            "id": id,
            "legacyResourceId": c.id.to_string(),
            "firstName": c.first_name,
            "lastName": c.last_name,
            "displayName": format!("{} {}", c.first_name, c.last_name),
            "email": c.email.as_deref(),
            "phone": c.phone.as_deref(),
            "state": match c.state {
                CustomerState::Disabled => "DISABLED",
                CustomerState::Invited => "INVITED",
                CustomerState::Enabled => "ENABLED",
                CustomerState::Declined => "DECLINED",
            },
            "verifiedEmail": c.verified_email,
            "validEmailAddress": c.email.is_some(),
            "tags": c.tags.names(),
            "locale": c.locale,
            "note": Json::Null,
            "taxExempt": false,
            "createdAt": iso(c.created_at),
            "updatedAt": iso(c.updated_at),
            "numberOfOrders": c.orders_count.to_string(),
            "amountSpent": self.money(c.amount_spent),
            "defaultAddress": address.clone(),
            "addresses": address.into_iter().collect::<Vec<_>>(),
            "emailMarketingConsent": email_consent,
            "smsMarketingConsent": sms_consent,
            "lastOrder": last_order,
        })
    }

    fn variant_json(&self, v: &Variant, product: &Product) -> Json {
        json!({
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", v.id),
            "legacyResourceId": v.id.to_string(),
            "title": v.title,
            "displayName": format!("{} - {}", product.title, v.title),
            "sku": v.sku,
            "price": self.currency().format(v.price),
            "compareAtPrice": v.compare_at_price.map(|p| self.currency().format(p)),
            "inventoryQuantity": v.inventory_quantity,
            "availableForSale": v.inventory_quantity > 0,
            "createdAt": iso(product.created_at),
            "updatedAt": iso(product.updated_at),
            "product": {"__typename": "Product", "id": gid("Product", product.id), "title": product.title, "handle": product.handle},
        })
    }

    fn images(&self, p: &Product) -> Vec<Json> {
        let count = 1 + (p.id % 2);
        (0..count)
            .map(|k| {
                let id = p.id * 10 + k;
                json!({
                    "__typename": "Image",
                    "id": gid("ProductImage", id),
                    "url": format!("https://cdn.shopify.com/s/files/1/sim/products/{}-{}.jpg", p.handle, k + 1),
                    "altText": p.title,
                    "width": 1024,
                    "height": 1024,
                })
            })
            .collect()
    }

    pub fn product_json(&self, p: &Product, nested: Nested) -> Json {
        let variants = &self.store.variants[p.variants.range()];
        let variant_nodes: Vec<Json> = variants
            .iter()
            .take(nested.variants.unwrap_or(usize::MAX))
            .map(|v| self.variant_json(v, p))
            .collect();
        let images = self.images(p);
        let image_nodes: Vec<Json> = images
            .iter()
            .take(nested.images.unwrap_or(usize::MAX))
            .cloned()
            .collect();
        json!({
            "__typename": "Product",
            "id": gid("Product", p.id),
            "legacyResourceId": p.id.to_string(),
            "title": p.title,
            "handle": p.handle,
            "productType": p.product_type,
            "vendor": p.vendor,
            "tags": p.tags,
            "status": match p.status {
                ProductStatus::Active => "ACTIVE",
                ProductStatus::Draft => "DRAFT",
                ProductStatus::Archived => "ARCHIVED",
            },
            "description": "",
            "descriptionHtml": "",
            "createdAt": iso(p.created_at),
            "updatedAt": iso(p.updated_at),
            "publishedAt": (p.status == ProductStatus::Active).then(|| iso(p.created_at)),
            "totalInventory": variants.iter().map(|v| i64::from(v.inventory_quantity)).sum::<i64>(),
            "hasOnlyDefaultVariant": variants.len() == 1,
            "featuredImage": images.first().cloned(),
            "variants": child_connection(variant_nodes, variants.len()),
            "images": child_connection(image_nodes, images.len()),
            "variantsCount": {"__typename": "Count", "count": variants.len(), "precision": "EXACT"},
        })
    }

    fn line_json(&self, line: &LineItem, presentment: Currency) -> Json {
        let variant = self.store.variants.get(line.variant as usize);
        let product = variant.and_then(|v| self.store.products.get(v.product as usize));
        let title = product.map_or("", |p| p.title.as_str());
        let variant_title = variant.map_or("", |v| v.title.as_str());
        let quantity = i64::from(line.quantity);
        json!({
            "__typename": "LineItem",
            "id": gid("LineItem", line.id),
            "title": title,
            "name": if variant_title == "Default Title" { title.to_string() } else { format!("{title} - {variant_title}") },
            "variantTitle": variant_title,
            "quantity": line.quantity,
            "currentQuantity": line.quantity,
            "sku": variant.map(|v| v.sku.as_str()),
            "vendor": product.map(|p| p.vendor),
            "variant": match (variant, product) {
                (Some(v), Some(p)) => self.variant_json(v, p),
                _ => Json::Null,
            },
            "product": product.map(|p| json!({"__typename": "Product", "id": gid("Product", p.id), "title": p.title, "handle": p.handle})),
            "originalUnitPriceSet": self.bag(line.unit_price, presentment),
            "discountedUnitPriceSet": self.bag(line.unit_price, presentment),
            "originalTotalSet": self.bag(line.unit_price * quantity, presentment),
            "discountedTotalSet": self.bag(line.unit_price * quantity, presentment),
            "originalTotalPriceSet": self.bag(line.unit_price * quantity, presentment),
            "discountedTotalPriceSet": self.bag(line.unit_price * quantity, presentment),
        })
    }

    fn customer_ref(&self, id: Option<i64>) -> Json {
        id.and_then(|id| self.customer(id))
            .map_or(Json::Null, |c| self.customer_json(c))
    }

    pub fn order_json(&self, view: OrderView<'_>, nested: Nested) -> Json {
        let o = view.order;
        let p = o.presentment_currency;
        let customer = view.customer_id.and_then(|id| self.customer(id));
        let lines: Vec<Json> = view
            .lines
            .iter()
            .take(nested.line_items.unwrap_or(usize::MAX))
            .map(|l| self.line_json(l, p))
            .collect();
        let refunded: i64 = view.refunds.iter().map(|r| r.amount).sum();
        let refunds: Vec<Json> = view
            .refunds
            .iter()
            .take(nested.refunds.unwrap_or(usize::MAX))
            .map(|r| {
                json!({
                    "__typename": "Refund",
                    "id": gid("Refund", r.id),
                    "legacyResourceId": r.id.to_string(),
                    "createdAt": iso(r.created_at),
                    "updatedAt": iso(r.created_at),
                    "note": r.note,
                    "totalRefundedSet": self.bag(r.amount, p),
                })
            })
            .collect();
        let total = o.total_price();
        json!({
            "__typename": "Order",
            "id": gid("Order", o.id),
            "legacyResourceId": o.id.to_string(),
            "name": o.name(),
            "number": o.number,
            "email": customer.and_then(|c| c.email.as_deref()),
            "phone": Json::Null,
            "customer": self.customer_ref(view.customer_id),
            "createdAt": iso(o.created_at),
            "processedAt": iso(o.created_at),
            "updatedAt": iso(o.updated_at),
            "cancelledAt": o.cancelled_at.map(iso),
            "cancelReason": o.cancel_reason.map(|r| match r {
                CancelReason::Customer => "CUSTOMER",
                CancelReason::Declined => "DECLINED",
                CancelReason::Fraud => "FRAUD",
                CancelReason::Inventory => "INVENTORY",
                CancelReason::Staff => "STAFF",
                CancelReason::Other => "OTHER",
            }),
            "closed": o.cancelled_at.is_some(),
            "test": false,
            "confirmed": true,
            "displayFinancialStatus": match o.financial_status {
                FinancialStatus::Pending => "PENDING",
                FinancialStatus::Authorized => "AUTHORIZED",
                FinancialStatus::Paid => "PAID",
                FinancialStatus::PartiallyRefunded => "PARTIALLY_REFUNDED",
                FinancialStatus::Refunded => "REFUNDED",
                FinancialStatus::Voided => "VOIDED",
            },
            "displayFulfillmentStatus": match o.fulfillment_status {
                FulfillmentStatus::Unfulfilled => "UNFULFILLED",
                FulfillmentStatus::PartiallyFulfilled => "PARTIALLY_FULFILLED",
                FulfillmentStatus::Fulfilled => "FULFILLED",
                FulfillmentStatus::Restocked => "RESTOCKED",
            },
            "currencyCode": self.currency().code(),
            "presentmentCurrencyCode": p.code(),
            "totalPriceSet": self.bag(total, p),
            "currentTotalPriceSet": self.bag(total - refunded, p),
            "subtotalPriceSet": self.bag(o.subtotal, p),
            "currentSubtotalPriceSet": self.bag(o.subtotal, p),
            "totalDiscountsSet": self.bag(o.total_discounts, p),
            "totalShippingPriceSet": self.bag(o.shipping, p),
            "totalTaxSet": self.bag(o.tax, p),
            "totalRefundedSet": self.bag(refunded, p),
            "discountCode": o.discount_code,
            "discountCodes": o.discount_code.into_iter().collect::<Vec<_>>(),
            "sourceName": match o.source {
                OrderSource::Web => "web",
                OrderSource::ShopifyDraftOrder => "shopify_draft_order",
                OrderSource::Pos => "pos",
                OrderSource::ShopApp => "shop",
            },
            "tags": [],
            "note": Json::Null,
            "lineItems": child_connection(lines, view.lines.len()),
            "refunds": refunds,
        })
    }

    pub fn checkout_json(&self, view: CheckoutView<'_>, nested: Nested) -> Json {
        let c = view.checkout;
        let p = c.presentment_currency;
        let lines: Vec<Json> = view
            .lines
            .iter()
            .take(nested.line_items.unwrap_or(usize::MAX))
            .map(|l| {
                let mut line = self.line_json(l, p);
                line["__typename"] = json!("AbandonedCheckoutLineItem");
                line["id"] = json!(gid("AbandonedCheckoutLineItem", l.id));
                line
            })
            .collect();
        json!({
            "__typename": "AbandonedCheckout",
            "id": gid("AbandonedCheckout", c.id),
            "name": checkout_name(c),
            "abandonedCheckoutUrl": checkout_url(c),
            "createdAt": iso(c.created_at),
            "updatedAt": iso(c.updated_at),
            "completedAt": c.completed_at.map(iso),
            "customer": self.customer_ref(view.customer_id),
            "note": Json::Null,
            "taxesIncluded": false,
            "discountCodes": [],
            "subtotalPriceSet": self.bag(c.subtotal, p),
            "totalLineItemsPriceSet": self.bag(c.subtotal, p),
            "totalPriceSet": self.bag(c.subtotal, p),
            "totalDiscountSet": self.bag(0, p),
            "totalTaxSet": self.bag(0, p),
            "lineItems": child_connection(lines, view.lines.len()),
        })
    }
}

/// `abandonedCheckoutUrl` (REST `abandoned_checkout_url`): the token is the path segment before
/// `/recover`. The shop's domain and id only shape the link; the token makes it unique.
pub fn checkout_url(c: &AbandonedCheckout) -> String {
    c.recovery_url("checkout.sim", c.id % 1_000_000_007)
}

/// The checkout's `name` (`#` and digits of its id).
pub fn checkout_name(c: &AbandonedCheckout) -> String {
    format!("#{}", c.id % 1_000_000)
}

/// The sort value of a record for a field.
pub fn sort_value(field: SortField, id: i64, updated: i64, created: i64) -> i64 {
    match field {
        SortField::Id => id,
        SortField::UpdatedAt => updated,
        SortField::CreatedAt => created,
    }
}

/// A nested connection holding the first children (their cursors are their positions).
fn child_connection(nodes: Vec<Json>, total: usize) -> Json {
    let shown = nodes.len();
    let edges: Vec<Json> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| json!({"__typename": "Edge", "cursor": child_cursor(i), "node": node}))
        .collect();
    json!({
        "__typename": "Connection",
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": shown < total,
            "hasPreviousPage": false,
            "startCursor": (shown > 0).then(|| child_cursor(0)),
            "endCursor": shown.checked_sub(1).map(child_cursor),
        },
    })
}

fn child_cursor(i: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"position\":{i}}}"))
}

fn email_state(s: EmailMarketingState) -> &'static str {
    match s {
        EmailMarketingState::NotSubscribed => "NOT_SUBSCRIBED",
        EmailMarketingState::Pending => "PENDING",
        EmailMarketingState::Subscribed => "SUBSCRIBED",
        EmailMarketingState::Unsubscribed => "UNSUBSCRIBED",
        EmailMarketingState::Redacted => "REDACTED",
        EmailMarketingState::Invalid => "INVALID",
    }
}

fn sms_state(s: SmsMarketingState) -> &'static str {
    match s {
        SmsMarketingState::NotSubscribed => "NOT_SUBSCRIBED",
        SmsMarketingState::Pending => "PENDING",
        SmsMarketingState::Subscribed => "SUBSCRIBED",
        SmsMarketingState::Unsubscribed => "UNSUBSCRIBED",
        SmsMarketingState::Redacted => "REDACTED",
    }
}

fn opt_in(level: OptInLevel) -> &'static str {
    match level {
        OptInLevel::SingleOptIn => "SINGLE_OPT_IN",
        OptInLevel::ConfirmedOptIn => "CONFIRMED_OPT_IN",
        OptInLevel::Unknown => "UNKNOWN",
    }
}
