//! Finding a PostgreSQL server for the test run: `TEST_DATABASE_URL`, else the local server on
//! 127.0.0.1:5432, else a throwaway cluster from the installed PostgreSQL binaries.

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use crate::proc::{self, command};

/// A server for tests; a throwaway cluster stops when this drops.
pub struct PgServer {
    /// URL of a database on it that tests may connect to (they create their own).
    pub url: String,
    cluster: Option<PathBuf>,
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(dir) = &self.cluster {
            let data = dir.join("data");
            let _ = proc::output(command("su").args([
                "postgres",
                "-c",
                &format!(
                    "{} -D {} -m fast stop",
                    pg_bin("pg_ctl").display(),
                    data.display()
                ),
            ]));
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn pg_bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .last()
        .map(|v| v.join("bin").join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Finds or starts a server. `None` when there is none and none can be started.
pub fn find_or_start() -> anyhow::Result<Option<PgServer>> {
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        return Ok(Some(PgServer { url, cluster: None }));
    }
    if TcpStream::connect_timeout(&"127.0.0.1:5432".parse()?, Duration::from_secs(1)).is_ok() {
        return Ok(Some(PgServer {
            url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
            cluster: None,
        }));
    }
    let initdb = pg_bin("initdb");
    if !initdb.exists() {
        return Ok(None);
    }
    // initdb refuses to run as root, so the cluster belongs to the postgres user.
    let dir = std::env::temp_dir().join(format!("ecomcrm-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    proc::run(command("chown").args(["postgres:postgres", &dir.display().to_string()]))?;
    let data = dir.join("data");
    let port = 55432;
    proc::run(command("su").args([
        "postgres",
        "-c",
        &format!(
            "{} -D {} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null",
            initdb.display(),
            data.display()
        ),
    ]))?;
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        dir.display()
    );
    proc::run(command("su").args([
        "postgres",
        "-c",
        &format!(
            "{} -D {} -l {}/log.txt -o '{opts}' -w start",
            pg_bin("pg_ctl").display(),
            data.display(),
            dir.display()
        ),
    ]))?;
    Ok(Some(PgServer {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        cluster: Some(dir),
    }))
}
