//! Running commands: cargo (the same toolchain xtask runs under) and tools with a PATH that
//! includes the pinned tools.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::Context;

/// PATH with `~/.cargo/bin` and `tools/node_modules/.bin` first, so pinned tools win.
pub fn tool_path() -> String {
    let mut dirs: Vec<PathBuf> = vec![crate::root().join("tools/node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    let old = std::env::var("PATH").unwrap_or_default();
    let mut parts: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    parts.push(old);
    parts.join(":")
}

/// A command in the workspace root with the tool PATH.
pub fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(crate::root()).env("PATH", tool_path());
    c
}

/// Cargo, as the same toolchain.
pub fn cargo_command() -> Command {
    command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a cargo command and fails when it fails.
pub fn cargo(args: &[&str]) -> anyhow::Result<()> {
    run(cargo_command().args(args))
}

/// Runs a command, inheriting output, and fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let shown = format!("{:?}", cmd).replace('"', "");
    eprintln!("xtask: $ {}", shown.chars().take(200).collect::<String>());
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    anyhow::ensure!(status.success(), "command failed ({status}): {shown}");
    Ok(())
}

/// The trimmed stdout of a command, or None when it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// True when `program` runs.
pub fn exists(program: &str) -> bool {
    output(command(program).arg("--version")).is_some()
}
