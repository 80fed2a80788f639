//! Starting and stopping the server: migrations, the HTTP listener, the job worker, and a
//! graceful shutdown on SIGTERM/Ctrl-C that lets in-flight requests and jobs finish.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::graphql::build_schema;
use crate::http::{HttpState, router};
use crate::state::AppState;

/// A started server (tests use this to learn the bound port).
pub struct Application {
    /// The state shared by handlers and jobs.
    pub state: AppState,
    listener: TcpListener,
}

impl Application {
    /// Connects, migrates and binds `addr` (port 0 picks a free port).
    pub async fn build(config: Config, addr: SocketAddr) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        Self::with_db(config, db, Clock::System, addr).await
    }

    /// Binds with an already open (and migrated) database.
    pub async fn with_db(
        config: Config,
        db: Db,
        clock: Clock,
        addr: SocketAddr,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Self::with_listener(config, db, clock, listener).await
    }

    /// Uses a listener bound earlier (tests bind first so the simulator can learn the app's URL).
    pub async fn with_listener(
        config: Config,
        db: Db,
        clock: Clock,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let state = AppState::new(config, db, clock).await?;
        Ok(Self { state, listener })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves HTTP (and, with `with_worker`, runs jobs) until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: watch::Receiver<bool>,
        with_worker: bool,
    ) -> anyhow::Result<()> {
        let schema = build_schema();
        let app = router(HttpState {
            app: self.state.clone(),
            schema,
        });
        let mut http_stop = shutdown.clone();
        let http = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = http_stop.wait_for(|s| *s).await;
        });
        let worker = async {
            if with_worker {
                crate::worker::run(self.state.clone(), shutdown.clone()).await
            } else {
                Ok(())
            }
        };
        let (h, w) = tokio::join!(http, worker);
        h?;
        w?;
        self.state.db.close().await;
        Ok(())
    }
}

/// A channel that flips to `true` on SIGTERM or Ctrl-C.
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
        tracing::info!("shutting down: finishing in-flight requests and jobs");
        let _ = tx.send(true);
    });
    rx
}
