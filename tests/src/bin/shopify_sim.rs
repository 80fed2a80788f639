//! `shopify-sim`: runs the Shopify simulator as a process for `cargo xtask dev` and browser tests,
//! with one demo shop. Prints `shopify-sim listening on http://127.0.0.1:PORT` once the shop is
//! ready, then serves until interrupted. Everything it does lives in `ecomcrm_tests::sim`.

use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use ecomcrm_tests::sim::state::build_shop;
use ecomcrm_tests::sim::{ShopSpec, SimConfig, SimState, serve};

/// Stand-in for Shopify: OAuth, token exchange, Admin GraphQL, webhooks, a generated demo store.
#[derive(Debug, Parser)]
#[command(name = "shopify-sim", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The app's client id.
    #[arg(long, env = "SHOPIFY_API_KEY")]
    api_key: String,
    /// The app's client secret (signs webhooks and OAuth redirects, verifies session tokens).
    #[arg(long, env = "SHOPIFY_API_SECRET", hide_env_values = true)]
    api_secret: String,
    /// Where the app runs: webhooks go to {app-url}/webhooks, redirects must stay under it.
    #[arg(long, env = "SHOPIFY_APP_URL", default_value = "http://localhost:8080")]
    app_url: String,
    /// The demo shop to create; empty for none.
    #[arg(long, default_value = "demo-store.myshopify.com")]
    shop: String,
    /// Seed of the demo data (same seed, same store).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Orders in the demo shop.
    #[arg(long, default_value_t = 20_000)]
    orders: u32,
    /// Customers in the demo shop.
    #[arg(long, default_value_t = 5_000)]
    customers: u32,
    /// Shop currency (USD, EUR, GBP, CAD, AUD, NZD, JPY, CHF, SEK, DKK).
    #[arg(long, default_value = "USD")]
    currency: String,
    /// Shop time zone (IANA).
    #[arg(long, default_value = "America/New_York")]
    timezone: String,
    /// Extra presentment currencies, comma-separated (multi-currency); none by default.
    #[arg(long, value_delimiter = ',')]
    presentment_currencies: Vec<String>,
    /// Rate-limit bucket size in cost points.
    #[arg(long, default_value_t = 1000.0)]
    bucket_size: f64,
    /// Cost points restored per second.
    #[arg(long, default_value_t = 50.0)]
    restore_rate: f64,
    /// Serve unknown shops as empty ones instead of 404.
    #[arg(long)]
    auto_create_shops: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = SimConfig::new(&args.api_key, &args.api_secret, &args.app_url);
    config.bucket_maximum = args.bucket_size;
    config.restore_rate = args.restore_rate;
    config.auto_create_shops = args.auto_create_shops;
    let state = SimState::new(config);
    if !args.shop.is_empty() {
        let spec = ShopSpec {
            domain: args.shop.clone(),
            seed: args.seed,
            customers: args.customers,
            orders: args.orders,
            currency: args.currency.clone(),
            timezone: args.timezone.clone(),
            presentment_currencies: args.presentment_currencies.clone(),
            ..ShopSpec::default()
        };
        let (config, now) = (state.config.clone(), state.now());
        let shop = tokio::task::spawn_blocking(move || build_shop(&spec, &config, now))
            .await?
            .map_err(|e| anyhow::anyhow!("shopify-sim cannot create {}: {e}", args.shop))?;
        state.insert_shop(shop);
    }
    // Listen only once the demo shop exists: dev tooling installs the app as soon as /healthz answers.
    let addr = SocketAddr::new(args.host, args.port);
    let sim = serve(state, addr)
        .await
        .map_err(|e| anyhow::anyhow!("shopify-sim cannot listen on {addr}: {e}"))?;
    println!("shopify-sim listening on {}", sim.base_url);
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
