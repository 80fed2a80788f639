//! A fresh, empty, migrated database per test, on the backend the run asks for.
//!
//! `TEST_BACKEND=sqlite` (default) or `postgres` picks the engine; `cargo xtask test` runs the
//! whole suite once per engine. PostgreSQL comes from `TEST_DATABASE_URL` (a server URL whose
//! database part is ignored), else the local server on 127.0.0.1:5432. Every test gets its own
//! database, dropped when the test ends, so nothing depends on leftovers.

use ecomcrm::db::{Backend, Db};

/// The engine the current test run targets.
pub fn backend() -> Backend {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") | Ok("pg") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The PostgreSQL server tests create databases on.
pub fn pg_server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test.
pub struct TestDb {
    /// The migrated database.
    pub db: Db,
    /// Its URL, for starting a server process on it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite {
        /// Held so the folder lives exactly as long as the database.
        _dir: tempfile_dir::TempDir,
    },
    Postgres {
        server: String,
        name: String,
    },
}

impl TestDb {
    /// Creates and migrates a fresh database on the run's backend.
    pub async fn fresh() -> anyhow::Result<TestDb> {
        Self::fresh_on(backend()).await
    }

    /// Creates and migrates a fresh database on the given backend.
    pub async fn fresh_on(backend: Backend) -> anyhow::Result<TestDb> {
        let t = Self::empty_on(backend).await?;
        t.db.migrate().await?;
        Ok(t)
    }

    /// Creates a fresh database without running migrations.
    pub async fn empty_on(backend: Backend) -> anyhow::Result<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile_dir::TempDir::new()?;
                let url = format!("sqlite://{}/test.db?mode=rwc", dir.path.display());
                let db = Db::connect(&url).await?;
                Ok(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Sqlite { _dir: dir },
                })
            }
            Backend::Postgres => {
                let server = pg_server_url();
                let name = format!("ecomcrm_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(&server).await?;
                admin
                    .query(&format!("create database {name}"))
                    .execute()
                    .await?;
                admin.close().await;
                let url = with_database(&server, &name);
                let db = Db::connect(&url).await?;
                Ok(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Postgres { server, name },
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { server, name } = &self.cleanup {
            let (server, name) = (server.clone(), name.clone());
            // Drop runs outside async, possibly on a single-threaded test runtime that this
            // thread now blocks: so the cleanup uses its own runtime and its own connection, and
            // never waits on the test's pool (`with (force)` ends that pool's connections).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(admin) = Db::connect(&server).await {
                            let _ = admin
                                .query(&format!("drop database if exists {name} with (force)"))
                                .execute()
                                .await;
                            admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A temporary folder removed on drop (kept tiny to avoid another dependency).
mod tempfile_dir {
    use std::path::PathBuf;

    pub struct TempDir {
        pub path: PathBuf,
    }

    impl TempDir {
        pub fn new() -> std::io::Result<Self> {
            let path = std::env::temp_dir()
                .join(format!("ecomcrm-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path)?;
            Ok(Self { path })
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "t1"),
            "postgres://u@h/t1"
        );
    }
}
