//! Platform jobs: keeping each installed shop's profile (name, currency, time zone) and granted
//! scopes current, since merchants rename stores, change time zones and grant or revoke optional
//! scopes without telling the app (besides `shop/update` and `app/scopes_update`, which start
//! these jobs).

use serde::{Deserialize, Serialize};

use super::admin_client::GRANTED_SCOPES;
use super::shops::Shop;
use super::{profile, refresh, shops};
use crate::db::ShopId;
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
        let now = ctx.clock.now();
        let refreshed = call_admin(state, db.shop_id(), |shop, token| async move {
            profile::refresh(&state.admin, db, &shop.domain, &token, now).await
        })
        .await?;
        let Some(p) = refreshed else {
            return Ok(());
        };
        let event = DomainEvent::new(
            db.shop_id().get(),
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

/// The shop and a fresh access token for a job that calls the Admin API; `None` when there is
/// nothing to do: the shop was erased, uninstalled, or must open the app again to be authorized
/// (none of which is the job's failure, so it is logged and not retried).
pub async fn shop_with_token(
    state: &AppState,
    shop_id: ShopId,
) -> anyhow::Result<Option<(Shop, String)>> {
    let Some(shop) = shops::find_by_id(&state.db, shop_id).await? else {
        return Ok(None);
    };
    match refresh::fresh_access_token(state, shop.id).await {
        Ok(token) => Ok(Some((shop, token))),
        Err(refresh::RefreshError::NeedsReauth) => {
            tracing::info!(shop = %shop.domain, "no usable token; Admin API job skipped");
            Ok(None)
        }
        Err(refresh::RefreshError::Failed(e)) => Err(e),
    }
}

/// Re-reads the scopes the shop has granted (`app/scopes_update` starts it) and stores them.
/// Reading Shopify's current answer instead of the payload's `current` list makes late and
/// out-of-order deliveries harmless. New scopes can unlock topics, so the webhooks are
/// reconciled again.
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncGrantedScopes {}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopesData {
    current_app_installation: Installation,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Installation {
    access_scopes: Vec<Scope>,
}

#[derive(Deserialize)]
struct Scope {
    handle: String,
}

impl Job for SyncGrantedScopes {
    const KIND: &'static str = "sync_granted_scopes";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let read = call_admin(state, db.shop_id(), |shop, token| async move {
            let res = state
                .admin
                .graphql::<ScopesData>(&shop.domain, &token, GRANTED_SCOPES, serde_json::json!({}))
                .await?;
            Ok::<_, super::admin_client::ShopifyError>((shop, res.data))
        })
        .await?;
        let Some((shop, data)) = read else {
            return Ok(());
        };
        let scopes: Vec<String> = data
            .current_app_installation
            .access_scopes
            .into_iter()
            .map(|s| s.handle)
            .collect();
        let scopes = scopes.join(",");
        let mut tx = ctx.db.begin().await?;
        shops::update_scopes(&mut tx, shop.id, &scopes, ctx.clock.now()).await?;
        crate::shopify::subscriptions::reconcile::enqueue_for(&mut tx, &ctx.clock, shop.id).await?;
        tx.commit().await?;
        tracing::info!(shop = %shop.domain, %scopes, "granted scopes updated");
        Ok(())
    }
}

/// Work every install starts, in the install's transaction: subscribe the shop's webhooks, read
/// its billing state from Shopify and import its store data. One pending run of each per shop.
pub async fn after_install(
    tx: &mut crate::db::DbTx,
    clock: &crate::clock::Clock,
    shop: ShopId,
) -> anyhow::Result<()> {
    crate::shopify::subscriptions::reconcile::enqueue_for(tx, clock, shop).await?;
    let opts = EnqueueOpts::default()
        .shop(shop)
        .key(format!("sync_billing:{}", shop.get()));
    enqueue(
        tx,
        clock,
        &crate::shopify::billing::account::SyncBilling {},
        opts,
    )
    .await?;
    crate::sync::start::enqueue_after_install(tx, clock, shop).await?;
    Ok(())
}

/// Runs an Admin API call for a job with a fresh token. When Shopify refuses the token (401) it
/// is refreshed once and the call repeated; when Shopify refuses the refreshed one too, the
/// shop's tokens are dropped, so jobs skip it and the merchant's next visit exchanges a new
/// token (re-authorization). `None`: nothing to do for this shop (see [`shop_with_token`]).
pub async fn call_admin<T, E, F, Fut>(
    state: &AppState,
    shop_id: ShopId,
    call: F,
) -> anyhow::Result<Option<T>>
where
    E: RefusedToken + Into<anyhow::Error>,
    F: Fn(Shop, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let Some((shop, token)) = shop_with_token(state, shop_id).await? else {
        return Ok(None);
    };
    match call(shop.clone(), token).await {
        Err(e) if e.refused_token() => {}
        other => return other.map(Some).map_err(Into::into),
    }
    tracing::info!(shop = %shop.domain, "Shopify refused the access token; refreshing it");
    shops::expire_access_token(&state.db, shop.id, state.clock.now()).await?;
    let Some((shop, token)) = shop_with_token(state, shop_id).await? else {
        return Ok(None);
    };
    match call(shop.clone(), token).await {
        Err(e) if e.refused_token() => {
            tracing::warn!(shop = %shop.domain, "refreshed token refused too; the shop must authorize again");
            let mut tx = state.db.begin().await?;
            shops::clear_tokens(&mut tx, shop.id, state.clock.now()).await?;
            tx.commit().await?;
            Ok(None)
        }
        other => other.map(Some).map_err(Into::into),
    }
}

/// Errors that can say Shopify refused the access token (HTTP 401/403).
pub trait RefusedToken {
    /// Whether Shopify refused the token.
    fn refused_token(&self) -> bool;
}

impl RefusedToken for super::admin_client::ShopifyError {
    fn refused_token(&self) -> bool {
        matches!(self, Self::Unauthorized)
    }
}

impl RefusedToken for profile::RefreshError {
    fn refused_token(&self) -> bool {
        matches!(self, Self::Shopify(e) if e.refused_token())
    }
}
