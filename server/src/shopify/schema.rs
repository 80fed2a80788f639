//! GraphQL for the platform domain: the current shop.

use async_graphql::{Context, Object, SimpleObject};

use super::profile;
use crate::error::{AppError, GqlResultExt};
use crate::graphql::RequestCtx;

/// The shop the request is for.
#[derive(SimpleObject)]
pub struct Shop {
    /// The store's name as the merchant set it in Shopify.
    name: String,
    /// `{handle}.myshopify.com`.
    domain: String,
    /// Contact email.
    email: Option<String>,
    /// ISO 4217 shop currency.
    currency_code: String,
    /// IANA time zone used for day boundaries.
    iana_timezone: String,
    /// Shopify plan name.
    plan_name: Option<String>,
}

/// Platform queries.
#[derive(Default)]
pub struct ShopQuery;

#[Object]
impl ShopQuery {
    /// The current shop (from the session token's `dest`).
    async fn shop(&self, ctx: &Context<'_>) -> async_graphql::Result<Shop> {
        let rc = RequestCtx::of(ctx)?;
        let p = match profile::find(&rc.db).await.gql()? {
            Some(p) => p,
            // Installed but the profile fetch has not succeeded yet (Shopify was down at install
            // time): fetch it now with the stored token rather than wait for the daily refresh.
            None => fetch_profile(rc).await.gql()?,
        };
        Ok(Shop {
            name: p.name,
            domain: rc.shop.to_string(),
            email: p.email,
            currency_code: p.currency_code,
            iana_timezone: p.iana_timezone,
            plan_name: p.plan_name,
        })
    }
}

async fn fetch_profile(rc: &RequestCtx) -> Result<profile::ShopProfile, AppError> {
    let app = &rc.app;
    let token = match super::refresh::fresh_access_token(app, rc.db.shop_id()).await {
        Ok(token) => token,
        Err(super::refresh::RefreshError::NeedsReauth) => return Err(AppError::Unauthorized),
        Err(super::refresh::RefreshError::Failed(e)) => return Err(AppError::Internal(e)),
    };
    let now = app.clock.now();
    profile::refresh(&app.admin, &rc.db, &rc.shop, &token, now)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// Something that happened in the current shop, as live views receive it.
#[derive(SimpleObject)]
pub struct ShopEvent {
    /// A stable snake_case name, e.g. `shop_updated`.
    kind: String,
    /// Ids and small facts about what happened.
    payload: async_graphql::Json<serde_json::Value>,
    /// When it happened.
    at: chrono::DateTime<chrono::Utc>,
}

/// Platform subscriptions.
#[derive(Default)]
pub struct ShopSubscription;

#[async_graphql::Subscription]
impl ShopSubscription {
    /// Live events of the current shop only (profile changes now; orders, segment changes and
    /// tickets as later features publish them).
    async fn shop_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl futures::Stream<Item = ShopEvent>> {
        use futures::StreamExt;
        let rc = RequestCtx::of(ctx)?;
        let events = rc.app.events.subscribe_shop(rc.db.shop_id().get());
        Ok(events.map(|e| ShopEvent {
            kind: e.kind,
            payload: async_graphql::Json(e.payload),
            at: e.at,
        }))
    }
}
