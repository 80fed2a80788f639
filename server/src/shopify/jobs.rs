//! Platform jobs: keeping each installed shop's profile (name, currency, time zone) current,
//! since merchants rename stores and change time zones without telling the app.

use serde::{Deserialize, Serialize};

use super::{profile, refresh, shops};
use crate::events::DomainEvent;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::state::AppState;

/// Re-reads one shop's profile from the Admin API and publishes `shop_updated`.
#[derive(Debug, Serialize, Deserialize)]
pub struct RefreshShopProfile {
    /// The shop (its `shops.id`).
    pub shop_id: i64,
}

impl Job for RefreshShopProfile {
    const KIND: &'static str = "refresh_shop_profile";

    fn unique_key(&self) -> Option<String> {
        Some(format!("refresh_shop_profile:{}", self.shop_id))
    }

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let Some(shop) = shops::find_by_id(&ctx.db, db.shop_id()).await? else {
            return Ok(()); // The shop was erased since: nothing to refresh.
        };
        let now = ctx.clock.now();
        let token = match refresh::fresh_access_token(state, shop.id).await {
            Ok(token) => token,
            Err(refresh::RefreshError::NeedsReauth) => {
                // Uninstalled, or the merchant must open the app again: not an error.
                tracing::info!(shop = %shop.domain, "no usable token; profile refresh skipped");
                return Ok(());
            }
            Err(refresh::RefreshError::Failed(e)) => return Err(e),
        };
        let p = profile::refresh(&state.admin, db, &shop.domain, &token, now).await?;
        let event = DomainEvent::new(
            shop.id.get(),
            "shop_updated",
            serde_json::json!({ "name": p.name }),
            now,
        );
        state.events.publish(event).await?;
        Ok(())
    }
}

/// Fans out one [`RefreshShopProfile`] per installed shop (run daily by a schedule).
#[derive(Debug, Serialize, Deserialize)]
pub struct RefreshAllShopProfiles {}

impl Job for RefreshAllShopProfiles {
    const KIND: &'static str = "refresh_all_shop_profiles";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let installed = shops::list_installed(&ctx.db).await?;
        let mut tx = ctx.db.begin().await?;
        for shop in &installed {
            let job = RefreshShopProfile {
                shop_id: shop.id.get(),
            };
            enqueue(
                &mut tx,
                &ctx.clock,
                &job,
                EnqueueOpts::default().shop(shop.id),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
