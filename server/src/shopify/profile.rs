//! The shop's profile (name, contact, currency, time zone): fetched from the Admin API on
//! install and kept in the `shop_profiles` tenant table.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::ShopDomain;

use super::admin_client::{AdminClient, SHOP_PROFILE, ShopifyError};
use crate::db::ShopDb;

/// What the app shows about a shop.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShopProfile {
    /// The store's name.
    pub name: String,
    /// The store's contact email.
    pub email: Option<String>,
    /// ISO 4217 shop currency.
    pub currency_code: String,
    /// IANA time zone, for day boundaries.
    pub iana_timezone: String,
    /// Shopify plan name.
    pub plan_name: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    shop: RemoteShop,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoteShop {
    name: String,
    email: Option<String>,
    currency_code: String,
    iana_timezone: String,
    plan: Option<RemotePlan>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemotePlan {
    public_display_name: Option<String>,
}

/// Fetches the profile from Shopify and stores it.
pub async fn refresh(
    admin: &AdminClient,
    db: &ShopDb,
    shop: &ShopDomain,
    token: &str,
    now: DateTime<Utc>,
) -> Result<ShopProfile, RefreshError> {
    let res = admin
        .graphql::<Data>(shop, token, SHOP_PROFILE, serde_json::json!({}))
        .await?;
    let s = res.data.shop;
    let profile = ShopProfile {
        name: s.name,
        email: s.email,
        currency_code: s.currency_code,
        iana_timezone: s.iana_timezone,
        plan_name: s.plan.and_then(|p| p.public_display_name),
    };
    db.query(
        "insert into shop_profiles (shop_id, name, email, currency_code, iana_timezone, plan_name, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (shop_id) do update set name = excluded.name, \
         email = excluded.email, currency_code = excluded.currency_code, iana_timezone = excluded.iana_timezone, \
         plan_name = excluded.plan_name, updated_at = excluded.updated_at",
    )
    .bind(profile.name.as_str())
    .bind(profile.email.as_deref())
    .bind(profile.currency_code.as_str())
    .bind(profile.iana_timezone.as_str())
    .bind(profile.plan_name.as_deref())
    .bind(now)
    .execute()
    .await?;
    Ok(profile)
}

/// The stored profile, if the shop has been installed.
pub async fn find(db: &ShopDb) -> sqlx::Result<Option<ShopProfile>> {
    db.query("select name, email, currency_code, iana_timezone, plan_name from shop_profiles where shop_id = $1")
        .fetch_optional()
        .await
}

/// Why a profile refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Shopify failed.
    #[error(transparent)]
    Shopify(#[from] ShopifyError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
