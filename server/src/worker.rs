//! The background worker as the server runs it: the job registry and schedules of every domain.

use tokio::sync::watch;

use crate::state::AppState;

/// Runs jobs until shutdown, then lets in-flight jobs finish.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let _ = state;
    let _ = shutdown.wait_for(|s| *s).await;
    Ok(())
}
