//! `TestApp`: the real server on a fresh database, talking over real HTTP to an in-process
//! Shopify simulator. Integration and browser tests act through it the way Shopify, the app
//! and a merchant would.

use std::collections::HashMap;
use std::path::PathBuf;

use ecomcrm::clock::Clock;
use ecomcrm::config::Config;
use ecomcrm::startup::Application;
use ecomcrm::state::AppState;
use tokio::sync::watch;

use crate::sim::{self, SimConfig, SimHandle};
use crate::testdb::TestDb;

/// A running app with its simulator and database.
pub struct TestApp {
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    /// The simulator standing in for Shopify.
    pub sim: SimHandle,
    /// The app's database (dropped with the app).
    pub db: TestDb,
    /// The app's client id.
    pub api_key: String,
    /// The app's client secret.
    pub api_secret: String,
    /// The server's state, for assertions that need the database or the clock.
    pub state: AppState,
    /// An HTTP client.
    pub http: reqwest::Client,
    stop: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// How to start the app.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run in `ECOMCRM_ENV=dev` (enables `/dev/session` and `/graphiql`).
    pub dev: bool,
    /// Run the job worker in the background, as `ecomcrm serve` does. Off by default so tests
    /// run jobs at a point they choose with [`TestApp::run_jobs`].
    pub worker: bool,
    /// Load App Bridge from the simulator's stand-in admin instead of Shopify's CDN, so a
    /// browser can open the app as the embedded admin does.
    pub admin_stand_in: bool,
    /// Extra or overriding environment variables.
    pub vars: HashMap<String, String>,
    /// How long the simulator keeps each bulk operation running (0: as fast as it can), so a
    /// test can watch an import in progress.
    pub bulk_operation_delay_ms: u64,
}

/// The workspace root (for `dist/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

impl TestApp {
    /// Starts the app in production mode.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    /// Starts the app with options.
    pub async fn spawn_with(opts: Options) -> TestApp {
        crate::init_test_logging();
        let db = TestDb::fresh().await.expect("test database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind app");
        let port = listener.local_addr().expect("addr").port();
        let base = format!("http://127.0.0.1:{port}");
        let api_key = format!("key{}", uuid::Uuid::new_v4().simple());
        let api_secret = format!("secret{}", uuid::Uuid::new_v4().simple());
        let mut sim_config = SimConfig::new(&api_key, &api_secret, &base);
        sim_config.bulk_operation_delay_ms = opts.bulk_operation_delay_ms;
        let sim = sim::start(sim_config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("simulator");
        let mut vars: HashMap<String, String> = [
            ("ECOMCRM_ENV", if opts.dev { "dev" } else { "production" }),
            ("SHOPIFY_API_KEY", api_key.as_str()),
            ("SHOPIFY_API_SECRET", api_secret.as_str()),
            ("SHOPIFY_APP_URL", base.as_str()),
            (
                "ECOMCRM_ENCRYPTION_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.insert("SHOPIFY_SHOP_BASE_URL".into(), sim.shop_base_url_template());
        vars.insert("DATABASE_URL".into(), db.url.clone());
        vars.insert(
            "ECOMCRM_DIST_DIR".into(),
            workspace_root().join("dist").display().to_string(),
        );
        if opts.admin_stand_in {
            vars.insert(
                "ECOMCRM_APP_BRIDGE_URL".into(),
                format!("{}/admin/app-bridge.js", sim.base_url),
            );
        }
        vars.extend(opts.vars);
        let config = Config::from_vars(&vars).expect("config");
        let app = Application::with_listener(config, db.db.clone(), Clock::System, listener)
            .await
            .expect("app");
        let state = app.state.clone();
        let (stop, rx) = watch::channel(false);
        let server = tokio::spawn(app.run(rx, opts.worker));
        TestApp {
            base,
            sim,
            db,
            api_key,
            api_secret,
            state,
            http: reqwest::Client::new(),
            stop,
            server: Some(server),
        }
    }

    /// A session token for a shop, signed as Shopify signs them.
    pub fn session_token(&self, shop: &str) -> String {
        crate::signing::mint_session_token(
            &self.api_key,
            &self.api_secret,
            shop,
            Some("1"),
            chrono::Utc::now().timestamp(),
        )
    }

    /// Posts a GraphQL operation as the shop (session token in `Authorization`).
    pub async fn graphql(
        &self,
        shop: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> reqwest::Response {
        self.graphql_with_token(&self.session_token(shop), query, variables)
            .await
    }

    /// Posts a GraphQL operation with a given bearer token (forged, expired, …).
    pub async fn graphql_with_token(
        &self,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("graphql request")
    }

    /// Creates a shop in the simulator (`{handle}.myshopify.com`, named `name`) and returns
    /// its domain. The app installs it on the shop's first authenticated request.
    pub async fn add_shop(&self, handle: &str, name: &str) -> String {
        let domain = format!("{handle}.myshopify.com");
        let spec = sim::ShopSpec {
            name: Some(name.to_string()),
            ..sim::ShopSpec::empty(&domain)
        };
        self.sim
            .create_demo_shop(spec)
            .await
            .expect("simulator shop");
        domain
    }

    /// How many offline tokens the simulator issued for a shop (token exchange, authorization
    /// code, migration). Online exchanges (staff lookups) and refreshes are counted apart.
    pub async fn sim_token_exchanges(&self, shop: &str) -> usize {
        self.sim_access_token_grants(shop)
            .iter()
            .filter(|d| d["online"] != true && d["grant_type"] != "refresh_token")
            .count()
    }

    /// The `detail` (grant type, online, expiring) of each successful
    /// `POST /admin/oauth/access_token` the simulator answered for a shop, oldest first.
    pub fn sim_access_token_grants(&self, shop: &str) -> Vec<serde_json::Value> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| {
                r.shop.as_deref() == Some(shop)
                    && r.path.ends_with("/admin/oauth/access_token")
                    && r.status == 200
            })
            .map(|r| r.detail.unwrap_or_default())
            .collect()
    }

    /// Runs every due job to completion with the server's own registry, as the worker would.
    pub async fn run_jobs(&self) -> ecomcrm::jobs::RunStats {
        let registry = ecomcrm::worker::registry(&self.state);
        let worker = ecomcrm::jobs::Worker::new(
            self.state.db.clone(),
            registry,
            self.state.clock.clone(),
            ecomcrm::jobs::WorkerOpts::default(),
        );
        worker.drain().await.expect("jobs ran")
    }

    /// The shop's key in the app's registry.
    pub async fn shop_id(&self, shop: &str) -> ecomcrm::db::ShopId {
        let domain = shared::ShopDomain::parse(shop).expect("shop domain");
        ecomcrm::shopify::shops::find_by_domain(&self.state.db, &domain)
            .await
            .expect("db")
            .expect("shop installed")
            .id
    }

    /// The URL the Shopify admin opens for an embedded app: `shop`, `host`, `embedded=1`, a
    /// fresh `id_token`, `timestamp` and the HMAC over them, as Shopify signs it.
    pub fn admin_load_url(&self, shop: &str, path: &str) -> String {
        use base64::Engine;
        let handle = shop.trim_end_matches(".myshopify.com");
        let host = base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(format!("admin.shopify.com/store/{handle}"));
        let id_token = self.session_token(shop);
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let params = [
            ("embedded", "1"),
            ("host", host.as_str()),
            ("id_token", id_token.as_str()),
            ("locale", "en"),
            ("shop", shop),
            ("timestamp", timestamp.as_str()),
        ];
        let hmac = crate::signing::oauth_query_hmac(&self.api_secret, &params);
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::signing::form_encode(v)))
            .collect();
        format!("{}{path}?{}&hmac={hmac}", self.base, query.join("&"))
    }

    /// The shop's access and refresh tokens as stored (sealed), straight from the registry.
    pub async fn sealed_tokens(&self, shop: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        self.state
            .db
            .query("select access_token_enc, refresh_token_enc from shops where domain = $1")
            .bind(shop)
            .fetch_one()
            .await
            .expect("shop row")
    }

    /// Puts an installed shop on `plan_key` as if Shopify had reported an approved, active
    /// subscription (the billing tests go through the approval page instead; this is for tests
    /// about other features behind the plan guard).
    pub async fn activate_plan(&self, shop: &str, plan_key: &str) {
        use ecomcrm::shopify::billing::store::{self, Subscription};
        let plan = self.state.config.plans.get(plan_key).expect("plan").clone();
        let domain = shared::ShopDomain::parse(shop).expect("shop domain");
        let db = ecomcrm::shopify::shops::find_by_domain(&self.state.db, &domain)
            .await
            .expect("db")
            .expect("shop installed")
            .db(&self.state.db);
        let now = self.state.clock.now();
        let subscription = Subscription {
            shopify_id: format!("gid://shopify/AppSubscription/{}", now.timestamp_micros()),
            plan_key: Some(plan.key.clone()),
            name: plan.name.clone(),
            status: "ACTIVE".into(),
            status_at: now,
            test: true,
            trial_days: i32::try_from(plan.trial_days).unwrap_or(0),
            activated_at: Some(now),
            current_period_end: Some(now + chrono::Duration::days(30)),
            usage_line_item_id: None,
            capped_amount_cents: plan.usage_cap.map(|c| c.0),
            created_at: now,
        };
        let mut tx = db.begin().await.expect("begin");
        store::apply(&mut tx, &subscription)
            .await
            .expect("plan stored");
        tx.commit().await.expect("commit");
    }

    /// `GET` a path on the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get request")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(h) = self.server.take() {
            h.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
