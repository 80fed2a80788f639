//! What every request and job can reach: configuration, the database, the clock and clients.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::events::EventBus;
use crate::shopify::admin_client::AdminClient;
use crate::shopify::crypto::Cipher;

/// Shared application state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// The unscoped database (tenant code receives a `ShopDb` instead).
    pub db: Db,
    /// Time.
    pub clock: Clock,
    /// Outbound HTTP (Shopify).
    pub http: reqwest::Client,
    /// Shopify Admin GraphQL.
    pub admin: AdminClient,
    /// Encrypts tokens at rest.
    pub cipher: Cipher,
    /// Domain events for live views (LISTEN/NOTIFY across processes on PostgreSQL).
    pub events: EventBus,
    /// Webhook intake with group commit.
    pub intake: crate::shopify::webhooks::intake::Intake,
}

impl AppState {
    /// Builds the state from configuration and an open database, starting the event bus.
    pub async fn new(config: Config, db: Db, clock: Clock) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("EcomCRM/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(60))
            .build()?;
        let admin = AdminClient::new(http.clone(), config.shop_base_url.clone());
        let cipher = Cipher::new(&config.encryption_key);
        let events = EventBus::start(db.clone()).await?;
        let intake = crate::shopify::webhooks::intake::Intake::start(db.clone());
        Ok(Self {
            events,
            intake,
            config: Arc::new(config),
            db,
            clock,
            http,
            admin,
            cipher,
        })
    }
}
