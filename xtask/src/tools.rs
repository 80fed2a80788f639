//! Installing the pinned build tools, each only when missing (TOOLCHAIN.md §3).

use anyhow::Context;

use crate::proc::{self, command, output};

/// Trunk 0.22 needs a newer rustc than ours (1.95); 0.21.14 builds and works.
pub const TRUNK_VERSION: &str = "0.21.14";

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
pub fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock"))
        .context("Cargo.lock is missing")?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    anyhow::bail!("wasm-bindgen is not in Cargo.lock")
}

/// The wasm32 target for the app.
pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed =
        output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        proc::run(command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Trunk at the pinned version.
pub fn ensure_trunk() -> anyhow::Result<()> {
    let v = output(command("trunk").arg("--version")).unwrap_or_default();
    if !v.contains(TRUNK_VERSION) {
        eprintln!("xtask: installing trunk {TRUNK_VERSION} (about 11 minutes on 2 cores, once)");
        proc::run(proc::cargo_command().args([
            "install",
            "--locked",
            &format!("trunk@{TRUNK_VERSION}"),
        ]))?;
    }
    Ok(())
}

/// wasm-bindgen-cli equal to the library in Cargo.lock.
pub fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let want = wasm_bindgen_version()?;
    let v = output(command("wasm-bindgen").arg("--version")).unwrap_or_default();
    if !v.split_whitespace().any(|w| w == want) {
        eprintln!("xtask: installing wasm-bindgen-cli {want} (about 4 minutes, once)");
        // Without --locked: its lockfile pins a webpki-roots release this registry lacks.
        proc::run(proc::cargo_command().args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={want}"),
        ]))?;
    }
    Ok(())
}

/// wasm-opt from npm binaryen 132 (Debian's binaryen 108 produces a wasm that fails to load).
pub fn ensure_wasm_opt() -> anyhow::Result<()> {
    let bin = crate::root().join("tools/node_modules/.bin/wasm-opt");
    let v = output(command(&bin.display().to_string()).arg("--version")).unwrap_or_default();
    if !v.contains("version 132") {
        anyhow::ensure!(
            proc::exists("npm"),
            "npm is needed to install wasm-opt (binaryen 132): apt-get install -y nodejs npm"
        );
        proc::run(
            command("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(crate::root().join("tools")),
        )?;
    }
    Ok(())
}

/// Everything needed to build the app bundle.
pub fn ensure_app_tools() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_opt()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()
}

/// Builds the app bundle into `dist/` with Trunk, offline (it must never download tools).
pub fn build_app() -> anyhow::Result<()> {
    ensure_app_tools()?;
    // Trunk runs `cargo metadata`, which needs every locked package, even other platforms'.
    proc::cargo(&["fetch", "--locked"])?;
    proc::run(
        command("trunk")
            .args(["build", "--release", "--offline", "--skip-version-check"])
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )
}

/// Chromium and chromedriver for browser tests, from apt when missing (needs root).
/// Returns false when they are missing and could not be installed.
pub fn ensure_chromium() -> anyhow::Result<bool> {
    if proc::exists("chromedriver") && std::path::Path::new("/usr/bin/chromium").exists() {
        return Ok(true);
    }
    let root = output(command("id").arg("-u")).as_deref() == Some("0");
    if !root || !proc::exists("apt-get") {
        return Ok(false);
    }
    eprintln!("xtask: installing chromium and chromium-driver from apt");
    proc::run(command("apt-get").args(["update", "-qq"]))?;
    proc::run(
        command("apt-get")
            .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(proc::exists("chromedriver"))
}
