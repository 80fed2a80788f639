//! Project commands: `cargo xtask dev | test | build | bench NAME`.
//!
//! Each installs what it needs (wasm target, pinned Trunk and wasm-bindgen, wasm-opt from npm,
//! Chromium for browser tests) only when missing, so a fresh machine needs nothing but rustup.

mod build;
mod dev;
mod http;
mod postgres;
mod proc;
mod test;
#[cfg(test)]
mod tidy;
#[cfg(test)]
mod tidy_keys;
mod tools;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("build") => build::run(),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <dev | test | build | bench NAME>");
            eprintln!(
                "  dev         run the app on SQLite with the Shopify simulator and a demo store"
            );
            eprintln!(
                "  test        fmt, clippy, every test on SQLite and PostgreSQL, browser tests"
            );
            eprintln!("  build       release binary with the app embedded: target/release/ecomcrm");
            eprintln!("  bench NAME  run a benchmark (jobs, webhooks, sync, crm)");
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `cargo xtask bench NAME`: benchmarks live in the tests crate's `bench` binary.
fn bench(args: &[String]) -> anyhow::Result<()> {
    if args.is_empty() {
        anyhow::bail!("usage: cargo xtask bench NAME [OPTIONS] (jobs, webhooks, sync, crm)")
    }
    // The sync bench starts the simulator binary built next to the bench.
    proc::cargo(&["build", "--release", "-p", "ecomcrm-tests", "--bins"])?;
    let mut run = vec![
        "run",
        "--release",
        "-p",
        "ecomcrm-tests",
        "--bin",
        "bench",
        "--",
    ];
    run.extend(args.iter().map(String::as_str));
    proc::cargo(&run)
}

/// The workspace root.
pub fn root() -> PathBuf {
    // `cargo run` sets CARGO_MANIFEST_DIR at run time; prefer it, because a target folder shared
    // between two checkouts may hold an xtask binary compiled in the other one.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(PathBuf::from).unwrap_or_default()
}

/// Cargo's target folder (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// True when running under CI (`CI=true`): every leg is then mandatory.
pub fn is_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}
