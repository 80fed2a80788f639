//! Finding a PostgreSQL server for the test run: `TEST_DATABASE_URL`, else the local server on
//! 127.0.0.1:5432, else a throwaway cluster from the installed PostgreSQL binaries.

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use crate::proc::{self, command, output};

/// A server for tests; a throwaway cluster stops when this drops.
pub struct PgServer {
    /// URL of a database on it that tests may connect to (they create their own).
    pub url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    dir: PathBuf,
    as_root: bool,
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(c) = &self.cluster {
            let stop = format!(
                "{} -D {} -m fast stop",
                pg_bin("pg_ctl").display(),
                c.dir.join("data").display()
            );
            let _ = output(&mut shell(c.as_root, &stop));
            let _ = std::fs::remove_dir_all(&c.dir);
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

/// A shell command, run as the `postgres` user when we are root (initdb refuses root).
fn shell(as_root: bool, script: &str) -> std::process::Command {
    if as_root {
        let mut c = command("su");
        c.args(["postgres", "-c", script]);
        c
    } else {
        let mut c = command("sh");
        c.args(["-c", script]);
        c
    }
}

/// A port nothing listens on now (a cluster left by an interrupted run may hold a fixed one).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
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
    let as_root = output(command("id").arg("-u")).as_deref() == Some("0");
    let dir = std::env::temp_dir().join(format!("ecomcrm-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    if as_root {
        proc::run(command("chown").args(["postgres:postgres", &dir.display().to_string()]))?;
    }
    let data = dir.join("data");
    let port = free_port()?;
    proc::run(&mut shell(
        as_root,
        &format!(
            "{} -D {} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null",
            initdb.display(),
            data.display()
        ),
    ))?;
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        dir.display()
    );
    proc::run(&mut shell(
        as_root,
        &format!(
            "{} -D {} -l {}/log.txt -o '{opts}' -w start",
            pg_bin("pg_ctl").display(),
            data.display(),
            dir.display()
        ),
    ))?;
    Ok(Some(PgServer {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        cluster: Some(Cluster { dir, as_root }),
    }))
}
