//! The simulator's shared state: shops (info, generated data, tokens, rate-limit bucket, queued
//! faults), the request log and the simulated clock, behind one lock. Generated data sits in an
//! `Arc`, so big reads happen outside the lock. HTTP handlers live in the other `sim` modules.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use shared::ShopDomain;

use super::SimConfig;
use super::billing::Billing;
use super::bulk::BulkOp;
use super::cost::{LeakyBucket, ThrottleStatus};
use super::demo::{self, Currency, DemoConfig, DemoCounts, DemoStore};
use super::records::Records;
use super::subscriptions::SimWebhookSubscription;
use super::tokens::{AssociatedUser, TokenStore};
use super::webhooks::WebhookDelivery;

/// How many requests the log keeps.
const REQUEST_LOG_SIZE: usize = 2_000;
/// The furthest tests may move the simulated clock: about a hundred years.
const MAX_CLOCK_SHIFT_MS: i64 = 100 * 366 * 86_400 * 1000;
/// Generated histories must end between 1970 and 2100.
const LATEST_END_AT: i64 = 4_102_444_800;

/// What to create: `POST /_sim/shops` takes this as JSON; fields other than `domain` are optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopSpec {
    pub domain: String,
    pub name: Option<String>,
    pub seed: u64,
    pub customers: u32,
    pub orders: u32,
    pub currency: String,
    pub timezone: String,
    /// Currencies buyers may see; empty (the default) turns multi-currency off.
    pub presentment_currencies: Vec<String>,
    pub abandoned_checkouts: Option<u32>,
    /// `displayName` of the plan; `Development` (a partner development store) by default.
    pub plan: String,
    /// End of the generated history (unix seconds); defaults to the start of the current UTC day.
    pub end_at: Option<i64>,
}

impl Default for ShopSpec {
    fn default() -> Self {
        Self {
            domain: String::new(),
            name: None,
            seed: 42,
            customers: 0,
            orders: 0,
            currency: "USD".into(),
            timezone: "America/New_York".into(),
            presentment_currencies: Vec::new(),
            abandoned_checkouts: None,
            plan: "Development".into(),
            end_at: None,
        }
    }
}

impl ShopSpec {
    /// An empty shop (no customers, orders or products).
    pub fn empty(domain: &str) -> Self {
        Self {
            domain: domain.to_string(),
            ..Self::default()
        }
    }

    /// A demo shop with generated data.
    pub fn demo(domain: &str, seed: u64, customers: u32, orders: u32) -> Self {
        Self {
            domain: domain.to_string(),
            seed,
            customers,
            orders,
            ..Self::default()
        }
    }
}

/// A shop's identity and settings as the Admin API reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopInfo {
    pub id: i64,
    pub domain: ShopDomain,
    pub name: String,
    pub email: String,
    pub currency: Currency,
    pub presentment_currencies: Vec<Currency>,
    pub timezone: String,
    pub plan: String,
    pub created_at: DateTime<Utc>,
    /// The account owner: the staff member of OAuth online tokens.
    pub owner: AssociatedUser,
}

/// One simulated shop.
#[derive(Debug)]
pub struct SimShop {
    pub info: ShopInfo,
    pub data: Arc<DemoStore>,
    pub tokens: TokenStore,
    pub bucket: LeakyBucket,
    /// HTTP statuses the next Admin API calls answer with, for failure tests.
    pub faults: VecDeque<u16>,
    /// Online token exchanges answer 500 while set, for tests that staff lookups never fail a
    /// request.
    pub refuse_online_exchange: bool,
    /// Subscriptions the app created through `webhookSubscriptionCreate`, oldest first.
    pub webhook_subscriptions: Vec<SimWebhookSubscription>,
    /// App subscriptions and usage records (Billing API, `billing.rs`).
    pub billing: Billing,
    /// `data` plus the records created or changed through the control API (`changes.rs`).
    pub records: Records,
    /// Bulk operations, oldest first (`bulk.rs`).
    pub bulk: Vec<BulkOp>,
    /// Record-change webhooks held back by the `reorder` delivery mode (`changes.rs`).
    pub held_webhooks: Vec<WebhookDelivery>,
    /// The latest `updated_at` given by a control-API change, so changes stay strictly ordered.
    pub last_change_at: i64,
}

/// What `GET /_sim/shops/{shop}` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopSummary {
    pub domain: String,
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub timezone: String,
    pub plan: String,
    pub counts: DemoCounts,
    pub active_tokens: usize,
    pub throttle_status: ThrottleStatus,
}

/// One request the simulator answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    /// The query string with secrets replaced by `[redacted]`.
    pub query: Option<String>,
    pub shop: Option<String>,
    pub status: u16,
    /// What the handler noted: the GraphQL operation, the grant type, the webhook topic, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Default)]
struct Inner {
    shops: BTreeMap<String, SimShop>,
    requests: VecDeque<RequestRecord>,
    next_request: u64,
    clock_offset_ms: i64,
}

/// Shared, cloneable handle on the simulator's state.
#[derive(Debug, Clone)]
pub struct SimState {
    pub config: Arc<SimConfig>,
    /// Client for webhook deliveries, with Shopify's timeouts.
    pub http: reqwest::Client,
    /// The next number for gids the sim mints (`gid://shopify/WebhookSubscription/N`, ...).
    /// Atomic rather than in `Inner`, so resolvers can draw numbers while holding the shop lock.
    pub ids: Arc<AtomicU64>,
    inner: Arc<Mutex<Inner>>,
}

impl SimState {
    /// Empty state for a configuration.
    pub fn new(config: SimConfig) -> Self {
        Self {
            config: Arc::new(config),
            http: super::webhooks::delivery_client(),
            ids: Arc::new(AtomicU64::new(1)),
            inner: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving rather than cascade.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The simulated time: the wall clock plus whatever tests advanced it by.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::milliseconds(self.lock().clock_offset_ms)
    }

    /// Moves the simulated clock forward (token expiry, bucket refill) without waiting. The total
    /// shift is capped at a century so time arithmetic can never overflow.
    pub fn advance_clock(&self, seconds: i64) -> DateTime<Utc> {
        {
            let mut inner = self.lock();
            let shifted = inner
                .clock_offset_ms
                .saturating_add(seconds.max(0).saturating_mul(1000));
            inner.clock_offset_ms = shifted.min(MAX_CLOCK_SHIFT_MS);
        }
        self.now()
    }

    /// Runs `f` on a shop under the lock; `None` if there is no such shop.
    pub fn with_shop<R>(&self, domain: &str, f: impl FnOnce(&mut SimShop) -> R) -> Option<R> {
        self.lock()
            .shops
            .get_mut(&domain.to_ascii_lowercase())
            .map(f)
    }

    /// Adds or replaces a shop (replacing drops its tokens, like a reinstall).
    pub fn insert_shop(&self, shop: SimShop) -> ShopSummary {
        let now_ms = self.now().timestamp_millis();
        let summary = summarize(&shop, now_ms / 1000);
        self.lock().shops.insert(shop.info.domain.to_string(), shop);
        summary
    }

    /// If the configuration allows it, creates an empty shop the first time a domain is seen.
    pub fn ensure_shop(&self, domain: &ShopDomain) {
        if !self.config.auto_create_shops || self.with_shop(domain.as_str(), |_| ()).is_some() {
            return;
        }
        if let Ok(shop) = build_shop(&ShopSpec::empty(domain.as_str()), &self.config, self.now()) {
            self.insert_shop(shop);
        }
    }

    /// Counts and settings of a shop.
    pub fn summary(&self, domain: &str) -> Option<ShopSummary> {
        let now = self.now().timestamp();
        self.with_shop(domain, |shop| summarize(shop, now))
    }

    /// Domains of all shops.
    pub fn shop_domains(&self) -> Vec<String> {
        self.lock().shops.keys().cloned().collect()
    }

    /// Appends to the request log, dropping the oldest entry when full.
    pub fn record_request(&self, mut record: RequestRecord) {
        let mut inner = self.lock();
        inner.next_request += 1;
        record.id = inner.next_request;
        if inner.requests.len() == REQUEST_LOG_SIZE {
            inner.requests.pop_front();
        }
        inner.requests.push_back(record);
    }

    /// Recent requests, oldest first, optionally for one shop only.
    pub fn requests(&self, shop: Option<&str>) -> Vec<RequestRecord> {
        self.lock()
            .requests
            .iter()
            .filter(|r| shop.is_none_or(|s| r.shop.as_deref() == Some(s)))
            .cloned()
            .collect()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }
}

fn summarize(shop: &SimShop, now: i64) -> ShopSummary {
    ShopSummary {
        domain: shop.info.domain.to_string(),
        id: shop.info.id,
        name: shop.info.name.clone(),
        currency: shop.info.currency.code().to_string(),
        timezone: shop.info.timezone.clone(),
        plan: shop.info.plan.clone(),
        counts: shop.data.counts(),
        active_tokens: shop.tokens.active_count(now),
        throttle_status: shop.bucket.status(),
    }
}

/// A stable number from a string (FNV-1a), so a domain always gets the same shop id.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Builds a shop from a spec, generating its demo data (CPU-bound: call from a blocking task).
pub fn build_shop(
    spec: &ShopSpec,
    config: &SimConfig,
    now: DateTime<Utc>,
) -> Result<SimShop, String> {
    let domain = ShopDomain::parse(&spec.domain).map_err(|e| e.to_string())?;
    let currency = Currency::parse(&spec.currency).ok_or_else(|| {
        format!(
            "currency `{}` is not one of {}",
            spec.currency,
            Currency::supported().join(", ")
        )
    })?;
    let presentment = spec
        .presentment_currencies
        .iter()
        .map(|c| {
            Currency::parse(c).ok_or_else(|| format!("presentment currency `{c}` is not supported"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if spec.orders > demo::MAX_ORDERS || spec.customers > demo::MAX_ORDERS {
        return Err(format!(
            "at most {} orders and customers per shop",
            demo::MAX_ORDERS
        ));
    }
    // Orders without any customers would all be guest checkouts; give them a plausible customer base.
    let customers = if spec.customers == 0 && spec.orders > 0 {
        (spec.orders / 4).max(1)
    } else {
        spec.customers
    };
    let end_at = spec
        .end_at
        .unwrap_or_else(|| now.timestamp().div_euclid(86_400) * 86_400);
    if !(0..=LATEST_END_AT).contains(&end_at) {
        return Err(format!(
            "end_at must be a unix time between 0 and {LATEST_END_AT}"
        ));
    }
    let mut demo_config = DemoConfig::new(spec.seed, customers, spec.orders, end_at);
    demo_config.currency = currency;
    demo_config.presentment_currencies = presentment.clone();
    demo_config.timezone = spec.timezone.clone();
    demo_config.abandoned_checkouts = spec.abandoned_checkouts;
    let data = if spec.orders == 0 && customers == 0 {
        DemoStore {
            currency,
            ..DemoStore::default()
        }
    } else {
        demo::generate(&demo_config)
    };
    let hash = stable_hash(domain.as_str());
    let id = 60_000_000_000 + (hash % 9_000_000_000) as i64;
    let handle = domain.handle().to_string();
    let name = spec.name.clone().unwrap_or_else(|| title_case(&handle));
    let owner = AssociatedUser {
        id: 70_000_000 + (hash >> 40) as i64 % 900_000_000,
        first_name: "Alex".into(),
        last_name: "Morgan".into(),
        email: format!("owner@{handle}.example"),
        email_verified: true,
        account_owner: true,
        locale: "en".into(),
        collaborator: false,
    };
    let history_start = end_at - 730 * 86_400;
    let info = ShopInfo {
        id,
        email: format!("hello@{handle}.example"),
        domain,
        name,
        currency,
        presentment_currencies: presentment,
        timezone: spec.timezone.clone(),
        plan: spec.plan.clone(),
        created_at: DateTime::from_timestamp(history_start - 30 * 86_400, 0).unwrap_or(now),
        owner,
    };
    let bucket = LeakyBucket::new(
        config.bucket_maximum,
        config.restore_rate,
        now.timestamp_millis(),
    );
    let data = Arc::new(data);
    Ok(SimShop {
        info,
        records: Records::new(Arc::clone(&data)),
        bulk: Vec::new(),
        held_webhooks: Vec::new(),
        last_change_at: 0,
        data,
        tokens: TokenStore::default(),
        bucket,
        faults: VecDeque::new(),
        refuse_online_exchange: false,
        webhook_subscriptions: Vec::new(),
        billing: Billing::default(),
    })
}

fn title_case(handle: &str) -> String {
    handle
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}
