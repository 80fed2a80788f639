//! `cargo xtask test`: fmt, clippy (host and wasm), the app bundle and its size budget, unit and
//! integration tests on SQLite and on PostgreSQL, and browser tests in headless Chromium.
//! With `CI=true` every leg is mandatory; otherwise a leg that cannot run is skipped loudly.

use std::process::Stdio;

use crate::{is_ci, postgres, proc, tools};

/// The release bundle (wasm + js + css, gzip -9) may not exceed this. Raised from 400 KB when
/// the CRM pages (dashboard, customer list, customer 360) took it from 355 to 469 KB: the way
/// back down is splitting routes into lazily loaded wasm (Leptos `lazy` routes), not a bigger
/// budget again.
const BUNDLE_BUDGET_BYTES: u64 = 512 * 1024;

/// Runs every leg.
pub fn run(_args: &[String]) -> anyhow::Result<()> {
    let ci = is_ci();
    let mut skipped: Vec<String> = Vec::new();

    proc::cargo(&["fmt", "--all", "--check"])?;
    proc::cargo(&[
        "clippy",
        "--workspace",
        "--exclude",
        "app",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    tools::ensure_wasm_target()?;
    proc::cargo(&[
        "clippy",
        "-p",
        "app",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ])?;
    tools::build_app()?;
    check_bundle_size()?;

    let browser = tools::ensure_chromium()?;
    if !browser {
        anyhow::ensure!(
            !ci,
            "CI=true but Chromium/chromedriver are missing and could not be installed"
        );
        skipped.push(
            "browser tests (install chromium and chromium-driver, or run as root so xtask can)"
                .into(),
        );
    }
    let skip_browser = if browser { "0" } else { "1" };

    eprintln!("xtask: == tests on SQLite ==");
    proc::run(
        proc::cargo_command()
            .args(["test", "--workspace", "--exclude", "app"])
            .env("TEST_BACKEND", "sqlite")
            .env("ECOMCRM_SKIP_BROWSER", skip_browser),
    )?;

    match postgres::find_or_start()? {
        Some(pg) => {
            eprintln!("xtask: == integration and browser tests on PostgreSQL ==");
            let mut cmd = proc::cargo_command();
            cmd.args([
                "test",
                "-p",
                "ecomcrm-tests",
                "--test",
                "integration",
                "--test",
                "browser",
            ]);
            cmd.env("TEST_BACKEND", "postgres")
                .env("TEST_DATABASE_URL", &pg.url)
                .env("ECOMCRM_SKIP_BROWSER", skip_browser);
            proc::run(&mut cmd)?;
        }
        None => {
            anyhow::ensure!(
                !ci,
                "CI=true but no PostgreSQL is reachable and none could be started"
            );
            skipped.push("PostgreSQL leg (set TEST_DATABASE_URL or install PostgreSQL)".into());
        }
    }

    if skipped.is_empty() {
        eprintln!("xtask: all legs ran and passed");
    } else {
        eprintln!("\n!!!!!!!! xtask: SKIPPED LEGS — this run did NOT test everything !!!!!!!!");
        for s in &skipped {
            eprintln!("!!!!!!!!   skipped: {s}");
        }
    }
    Ok(())
}

/// Fails when the gzipped bundle is over budget; prints the figure either way.
fn check_bundle_size() -> anyhow::Result<()> {
    let dist = crate::root().join("dist");
    let mut total = 0u64;
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css") {
            let out = proc::command("gzip")
                .args(["-9", "-c"])
                .arg(&path)
                .stderr(Stdio::null())
                .output()?;
            anyhow::ensure!(out.status.success(), "gzip failed on {}", path.display());
            total += out.stdout.len() as u64;
        }
    }
    eprintln!(
        "xtask: app bundle is {:.1} KB gzipped (budget {} KB)",
        total as f64 / 1024.0,
        BUNDLE_BUDGET_BYTES / 1024
    );
    anyhow::ensure!(
        total <= BUNDLE_BUDGET_BYTES,
        "the app bundle is over its {} KB gzip budget",
        BUNDLE_BUDGET_BYTES / 1024
    );
    Ok(())
}
