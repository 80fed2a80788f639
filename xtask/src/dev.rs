//! `cargo xtask dev`: builds the app, starts the Shopify simulator with a seeded demo store and
//! the server on SQLite (or `DATABASE_URL`), installs the app into the demo shop, prints the URL.
//! `--no-sim` runs against real Shopify (how `shopify app dev` calls it through shopify.web.toml).

use std::process::{Child, Command};
use std::time::Duration;

use crate::{http, proc, tools};

const DEMO_SHOP: &str = "demo-store.myshopify.com";

/// Kills the child processes when dev stops, whatever the reason.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs the dev environment until Ctrl-C.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let use_sim = !args.iter().any(|a| a == "--no-sim");
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let sim_port: u16 = std::env::var("SIM_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8081);
    tools::build_app()?;
    proc::cargo(&[
        "build",
        "-p",
        "ecomcrm-server",
        "-p",
        "ecomcrm-tests",
        "--bin",
        "ecomcrm",
        "--bin",
        "shopify-sim",
    ])?;
    let target = crate::target_dir().join("debug");
    let mut children = Children(Vec::new());

    let mut server = Command::new(target.join("ecomcrm"));
    server
        .current_dir(crate::root())
        .arg("serve")
        .env("ECOMCRM_ENV", "dev")
        .env("PORT", port.to_string());
    if use_sim {
        server.env(
            "SHOPIFY_SHOP_BASE_URL",
            format!("http://127.0.0.1:{sim_port}/shops/{{shop}}"),
        );
        server.env("ECOMCRM_DEV_SHOP", DEMO_SHOP);
    }
    children.0.push(server.spawn()?);
    let health = http::wait_ok(port, "/healthz", Duration::from_secs(60))?;
    eprintln!("xtask: server up: {}", health.body);

    if use_sim {
        let (key, secret) = app_credentials()?;
        let mut sim = Command::new(target.join("shopify-sim"));
        sim.current_dir(crate::root()).args([
            "--port",
            &sim_port.to_string(),
            "--api-key",
            &key,
            "--api-secret",
            &secret,
        ]);
        sim.args([
            "--app-url",
            &format!("http://localhost:{port}"),
            "--shop",
            DEMO_SHOP,
            "--seed",
            "42",
            "--customers",
            "5000",
            "--orders",
            "20000",
        ]);
        children.0.push(sim.spawn()?);
        http::wait_ok(sim_port, "/healthz", Duration::from_secs(120))?;
        let name = install_demo_shop(port)?;
        println!();
        println!("  EcomCRM is running with the demo store \"{name}\" ({DEMO_SHOP}).");
        println!("  Open http://localhost:{port}/?shop={DEMO_SHOP}");
        println!("  Shopify simulator: http://127.0.0.1:{sim_port}   Stop with Ctrl-C.");
        println!();
    } else {
        println!(
            "\n  EcomCRM is running on http://localhost:{port} against real Shopify. Stop with Ctrl-C.\n"
        );
    }
    // Dev runs until one of the processes exits (Ctrl-C reaches them all).
    loop {
        for c in &mut children.0 {
            if let Some(status) = c.try_wait()? {
                anyhow::ensure!(status.success(), "a dev process exited: {status}");
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The API key and secret the server uses: from the environment, else the dev secrets the
/// server generated in its data folder.
fn app_credentials() -> anyhow::Result<(String, String)> {
    if let (Ok(k), Ok(s)) = (
        std::env::var("SHOPIFY_API_KEY"),
        std::env::var("SHOPIFY_API_SECRET"),
    ) {
        return Ok((k, s));
    }
    let dir = std::env::var("ECOMCRM_DATA_DIR").unwrap_or_else(|_| "data".into());
    let text = std::fs::read_to_string(crate::root().join(dir).join("dev-secrets.env"))?;
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    match (get("SHOPIFY_API_KEY"), get("SHOPIFY_API_SECRET")) {
        (Some(k), Some(s)) => Ok((k, s)),
        _ => anyhow::bail!("dev secrets not found in data/dev-secrets.env"),
    }
}

/// Opens the app as the demo shop once, which installs it (token exchange) and reads its name.
fn install_demo_shop(port: u16) -> anyhow::Result<String> {
    let session = http::request(
        port,
        "GET",
        &format!("/dev/session?shop={DEMO_SHOP}"),
        &[],
        "",
    )?;
    let token = http::json_str(&session.body, "token")
        .ok_or_else(|| anyhow::anyhow!("no dev session token: {}", session.body))?;
    let auth = format!("Bearer {token}");
    let body = r#"{"query":"{ shop { name domain } }"}"#;
    let res = http::request(
        port,
        "POST",
        "/graphql",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body,
    )?;
    http::json_str(&res.body, "name").ok_or_else(|| {
        anyhow::anyhow!(
            "installing the demo shop failed (HTTP {}): {}",
            res.status,
            res.body
        )
    })
}
