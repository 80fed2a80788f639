//! `webhooks`: signed `orders/create` deliveries posted over loopback HTTP (keep-alive) to the
//! real server, in this process, on SQLite and PostgreSQL.
//!
//! Two modes per database: closed loop at concurrency 32 for a fixed count (throughput and
//! p50/p99 latency to the 200, median of the runs), then open loop at a fixed offered rate (p99
//! latency). The job worker is off, so the measured path is exactly receive → verify → store
//! → enqueue; every run then checks that each delivery was stored with its job. The shop row is
//! inserted directly (the webhook route needs nothing else), so no simulator runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::Bytes;
use ecomcrm::clock::Clock;
use ecomcrm::config::Config;
use ecomcrm::db::Backend;
use ecomcrm::startup::Application;
use ecomcrm_tests::signing::sign_webhook;
use ecomcrm_tests::testdb::TestDb;
use tokio::sync::watch;

/// Deliveries per second every database must clear (issue 3 §8).
fn floor_per_sec(backend: Backend) -> f64 {
    match backend {
        Backend::Sqlite => 1_000.0,
        Backend::Postgres => 2_000.0,
    }
}
/// The p99 latency allowed at the fixed offered rate.
const FLOOR_P99_MS: f64 = 50.0;
/// In-flight requests in the closed-loop mode (Shopify delivers in parallel like this).
const CONCURRENCY: usize = 32;
const SHOP: &str = "bench-shop.myshopify.com";
const SECRET: &str = "bench-secret-0123456789abcdef";

/// What the bench was asked to do.
pub struct Opts {
    /// Deliveries per closed-loop run.
    pub count: usize,
    /// Closed-loop runs per database (the median is reported).
    pub runs: usize,
    /// Offered deliveries per second in the open-loop mode.
    pub rate: usize,
    /// Seconds of open-loop load.
    pub seconds: u64,
    /// Only this database: sqlite or postgres.
    pub only: Option<String>,
}

/// A server on a fresh database with the bench shop, and a client to reach it.
struct Server {
    url: String,
    db: TestDb,
    client: reqwest::Client,
    body: Body,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// The payload and its signature, built once: every delivery carries the same order (only the
/// webhook id, which the app dedupes on, differs).
struct Body {
    bytes: Bytes,
    hmac: String,
}

async fn start(backend: Backend) -> anyhow::Result<Server> {
    let db = TestDb::fresh_on(backend)
        .await
        .with_context(|| format!("creating a {} database", backend.name()))?;
    let domain = shared::ShopDomain::parse(SHOP).context("shop domain")?;
    ecomcrm::shopify::shops::ensure(&db.db, &domain, chrono::Utc::now()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    let vars: HashMap<String, String> = [
        ("ECOMCRM_ENV", "production"),
        ("SHOPIFY_API_KEY", "bench-key"),
        ("SHOPIFY_API_SECRET", SECRET),
        ("SHOPIFY_APP_URL", "http://127.0.0.1"),
        (
            "ECOMCRM_ENCRYPTION_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
        ("DATABASE_URL", db.url.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = Config::from_vars(&vars).context("config")?;
    let app = Application::with_listener(config, db.db.clone(), Clock::System, listener).await?;
    let (stop, rx) = watch::channel(false);
    // `false`: no worker, so jobs stay queued and the bench measures the webhook path alone.
    let task = tokio::spawn(app.run(rx, false));
    let body = include_str!("../../fixtures/shopify/orders_create.json")
        .replace("{shop}.myshopify.com", SHOP);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * 4)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(5))
        .build()?;
    Ok(Server {
        url,
        db,
        client,
        body: Body {
            hmac: sign_webhook(SECRET, body.as_bytes()),
            bytes: Bytes::from(body),
        },
        stop,
        task,
    })
}

impl Server {
    /// Posts one delivery; returns the latency to its 200.
    async fn deliver(&self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let res = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Shop-Domain", SHOP)
            .header("X-Shopify-API-Version", shared::SHOPIFY_API_VERSION)
            .header("X-Shopify-Webhook-Id", uuid::Uuid::new_v4().to_string())
            .header("X-Shopify-Event-Id", uuid::Uuid::new_v4().to_string())
            .header("X-Shopify-Triggered-At", chrono::Utc::now().to_rfc3339())
            .header("X-Shopify-Hmac-Sha256", &self.body.hmac)
            .body(self.body.bytes.clone())
            .send()
            .await?;
        let status = res.status();
        // Read the body so the connection goes back to the pool.
        let _ = res.bytes().await?;
        anyhow::ensure!(status == 200, "delivery answered {status}");
        Ok(started.elapsed())
    }

    /// Checks every delivery was stored with its job, then stops the server.
    async fn finish(self, expected: usize) -> anyhow::Result<()> {
        for table in ["webhook_deliveries", "jobs"] {
            let (n,): (i64,) = self
                .db
                .db
                .query(&format!("select cast(count(*) as bigint) from {table}"))
                .fetch_one()
                .await?;
            anyhow::ensure!(
                n as usize == expected,
                "{table}: {n} rows, expected {expected}"
            );
        }
        let _ = self.stop.send(true);
        self.task.await??;
        Ok(())
    }
}

struct Closed {
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `CONCURRENCY` tasks post deliveries back to back until `count` are answered.
async fn closed_loop(backend: Backend, count: usize) -> anyhow::Result<Closed> {
    let server = Arc::new(start(backend).await?);
    // A few deliveries first, so connections and prepared statements exist before the clock.
    for _ in 0..CONCURRENCY {
        server.deliver().await?;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (server, next) = (server.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(count / CONCURRENCY + 1);
            while next.fetch_add(1, Ordering::Relaxed) < count {
                lat.push(server.deliver().await?);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = Vec::with_capacity(count);
    for t in tasks {
        lat.extend(t.await??);
    }
    let elapsed = started.elapsed();
    let server = Arc::into_inner(server).context("server still shared")?;
    server.finish(count + CONCURRENCY).await?;
    lat.sort();
    Ok(Closed {
        per_sec: count as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(&lat, 0.50),
        p99_ms: pct(&lat, 0.99),
    })
}

/// Deliveries started on a fixed schedule whatever the answers do (an open loop, so a slow
/// answer cannot hide queueing by slowing the offered load down); returns p50 and p99.
async fn open_loop(backend: Backend, rate: usize, seconds: u64) -> anyhow::Result<(f64, f64)> {
    let server = Arc::new(start(backend).await?);
    for _ in 0..CONCURRENCY {
        server.deliver().await?;
    }
    let total = rate * seconds as usize;
    let gap = Duration::from_secs_f64(1.0 / rate as f64);
    let mut tick = tokio::time::interval(gap);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::with_capacity(total);
    for _ in 0..total {
        tick.tick().await;
        let server = server.clone();
        tasks.push(tokio::spawn(async move { server.deliver().await }));
    }
    let mut lat = Vec::with_capacity(total);
    for t in tasks {
        lat.push(t.await??);
    }
    let server = Arc::into_inner(server).context("server still shared")?;
    server.finish(total + CONCURRENCY).await?;
    lat.sort();
    Ok((pct(&lat, 0.50), pct(&lat, 0.99)))
}

fn pct(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// This process's peak resident memory (server, database driver and client together).
fn peak_rss_mb() -> String {
    match super::sync::peak_rss_mb() {
        0.0 => "unknown".into(),
        mb => format!("{mb:.0} MB"),
    }
}

/// Runs both modes on each database and fails under the floors.
pub async fn run(opts: Opts, machine: &str) -> anyhow::Result<()> {
    let runs = opts.runs.max(1);
    println!("machine: {machine}");
    println!(
        "webhooks: signed orders/create ({} bytes) over loopback HTTP/1.1 keep-alive to the \
         release server in this process; worker off (receive + verify + store + enqueue);",
        include_str!("../../fixtures/shopify/orders_create.json").len()
    );
    println!(
        "          closed loop: {} deliveries at concurrency {CONCURRENCY}, median of {runs} runs; \
         open loop: {} /s offered for {} s\n",
        opts.count, opts.rate, opts.seconds
    );
    println!(
        "| database | {} | median /s | p50 ms | p99 ms | p50 ms @ {r}/s | p99 ms @ {r}/s | peak RSS so far |",
        (1..=runs)
            .map(|i| format!("run {i} /s"))
            .collect::<Vec<_>>()
            .join(" | "),
        r = opts.rate
    );
    println!("|---|{}---|---|---|---|---|---|", "---|".repeat(runs));
    let mut below = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if opts.only.as_deref().is_some_and(|o| o != backend.name()) {
            continue;
        }
        let mut closed = Vec::new();
        for _ in 0..runs {
            closed.push(closed_loop(backend, opts.count).await?);
        }
        closed.sort_by(|a, b| a.per_sec.total_cmp(&b.per_sec));
        let cells = closed
            .iter()
            .map(|c| format!("{:.0}", c.per_sec))
            .collect::<Vec<_>>()
            .join(" | ");
        let m = &closed[closed.len() / 2];
        let (o50, o99) = open_loop(backend, opts.rate, opts.seconds).await?;
        println!(
            "| {} | {cells} | {:.0} | {:.1} | {:.1} | {o50:.1} | {o99:.1} | {} |",
            backend.name(),
            m.per_sec,
            m.p50_ms,
            m.p99_ms,
            peak_rss_mb()
        );
        if m.per_sec < floor_per_sec(backend) {
            below.push(format!(
                "{}: {:.0}/s < {:.0}/s",
                backend.name(),
                m.per_sec,
                floor_per_sec(backend)
            ));
        }
        if o99 >= FLOOR_P99_MS {
            below.push(format!(
                "{}: p99 {o99:.1} ms at {}/s ≥ {FLOOR_P99_MS} ms",
                backend.name(),
                opts.rate
            ));
        }
    }
    println!("\n(the run columns are sorted; the median row's latencies are its own)");
    anyhow::ensure!(below.is_empty(), "under the floors: {}", below.join("; "));
    println!(
        "all databases clear the floors (1,000/s SQLite, 2,000/s PostgreSQL, p99 < {FLOOR_P99_MS} ms)"
    );
    Ok(())
}
