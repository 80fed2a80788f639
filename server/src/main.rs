//! The `ecomcrm` binary: `serve` (HTTP + jobs, the default), `worker` (jobs only), `migrate`,
//! and `models` (fit the purchase-prediction models to a file; no configuration needed).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ecomcrm::config::Config;
use ecomcrm::crm::models::cli::ModelsCommand;
use ecomcrm::db::Db;
use ecomcrm::startup::{Application, shutdown_signal};

#[derive(Parser)]
#[command(
    name = "ecomcrm",
    version,
    about = "EcomCRM: CRM, automations and support inbox for Shopify stores"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP and run background jobs (the default).
    Serve,
    /// Run background jobs only.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Purchase-prediction models on exported files (no configuration or database).
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `models` reads files only, so it must work where no configuration exists.
    if let Some(Command::Models { command }) = &cli.command {
        let code = ecomcrm::crm::models::cli::run(
            command,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        );
        return ExitCode::from(code);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    ecomcrm::telemetry::init(!config.is_dev());
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "exiting");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Models { .. } => anyhow::bail!("`models` is handled before configuration loads"),
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            tracing::info!(database = db.backend().name(), "migrations applied");
            db.close().await;
            Ok(())
        }
        Command::Serve => {
            let addr = SocketAddr::from(([0, 0, 0, 0], config.port));
            let app = Application::build(config, addr).await?;
            tracing::info!(
                port = app.port(),
                database = app.state.db.backend().name(),
                "listening"
            );
            app.run(shutdown_signal(), true).await
        }
        Command::Worker => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let state =
                ecomcrm::state::AppState::new(config, db, ecomcrm::clock::Clock::System).await?;
            tracing::info!(database = state.db.backend().name(), "worker started");
            ecomcrm::worker::run(state.clone(), shutdown_signal()).await?;
            state.db.close().await;
            Ok(())
        }
    }
}
