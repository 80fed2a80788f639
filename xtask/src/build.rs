//! `cargo xtask build`: the release binary with the app bundle embedded.

use crate::{proc, tools};

/// Builds `dist/` then `target/release/ecomcrm` with `--features embed-app`.
pub fn run() -> anyhow::Result<()> {
    tools::build_app()?;
    proc::cargo(&[
        "build",
        "--release",
        "-p",
        "ecomcrm-server",
        "--features",
        "embed-app",
        "--bin",
        "ecomcrm",
    ])?;
    let bin = crate::target_dir().join("release/ecomcrm");
    let size = std::fs::metadata(&bin)?.len();
    println!(
        "built {} ({:.1} MB) with the app embedded",
        bin.display(),
        size as f64 / 1e6
    );
    Ok(())
}
