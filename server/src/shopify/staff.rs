//! Staff members, learned from the session token's `sub`: an online token exchange returns the
//! user's name, email and owner flag (`associated_user`), kept in the `staff_members` tenant
//! table so the inbox can assign tickets to people. The online token itself is dropped: the app
//! acts with its offline token and needs only who the user is.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::session_token::VerifiedSession;
use super::token_exchange::{AccessTokenReply, post_access_token_as};
use crate::db::ShopDb;
use crate::state::AppState;

/// How long what Shopify said about a user is trusted before asking again (names and emails
/// change rarely; a day bounds the staleness without an exchange per request).
pub const STALE_AFTER_HOURS: i64 = 24;

/// A staff member of the shop.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffMember {
    /// Shopify's user id (`sub`).
    pub shopify_user_id: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Whether the user owns the store.
    pub account_owner: bool,
    /// The user's locale, e.g. `en`.
    pub locale: String,
}

/// `associated_user` of an online token response (SHOPIFY.md §1.5).
#[derive(Deserialize)]
struct AssociatedUser {
    id: i64,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    account_owner: bool,
    #[serde(default)]
    locale: String,
}

/// Only `associated_user` is read; the online token in the same body is never kept.
#[derive(Deserialize)]
struct OnlineReply {
    associated_user: AssociatedUser,
}

/// Makes sure the session's staff member is known and fresh. Never fails the request: a
/// failure is logged and retried on a later request.
pub async fn sync_from_session(state: &AppState, db: &ShopDb, session: &VerifiedSession) {
    let Some(user_id) = session
        .claims
        .sub
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return;
    };
    let now = state.clock.now();
    if let Err(e) = sync(state, db, session, user_id, now).await {
        tracing::warn!(shop = %session.shop, user_id, error = %e, "staff member sync failed");
    }
}

async fn sync(
    state: &AppState,
    db: &ShopDb,
    session: &VerifiedSession,
    user_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if let Some(updated) = updated_at(db, user_id).await?
        && updated > now - Duration::hours(STALE_AFTER_HOURS)
    {
        return Ok(());
    }
    let grant = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", session.raw.as_str()),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:id_token",
        ),
        (
            "requested_token_type",
            "urn:shopify:params:oauth:token-type:online-access-token",
        ),
    ];
    let reply =
        post_access_token_as::<OnlineReply>(&state.http, &state.config, &session.shop, &grant)
            .await?;
    let user = match reply {
        AccessTokenReply::Token(r) => r.associated_user,
        AccessTokenReply::Refused { status, .. } => anyhow::bail!("online exchange HTTP {status}"),
    };
    if user.id != user_id {
        // Shopify answers for the token's `sub`; anything else is not this user.
        anyhow::bail!("online exchange returned another user");
    }
    upsert(db, &user, now).await?;
    tracing::info!(shop = %session.shop, user_id, "staff member updated");
    Ok(())
}

async fn upsert(db: &ShopDb, u: &AssociatedUser, now: DateTime<Utc>) -> sqlx::Result<()> {
    db.query(
        "insert into staff_members (shop_id, shopify_user_id, first_name, last_name, email, \
         account_owner, locale, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (shop_id, shopify_user_id) do update set first_name = excluded.first_name, \
         last_name = excluded.last_name, email = excluded.email, \
         account_owner = excluded.account_owner, locale = excluded.locale, \
         updated_at = excluded.updated_at",
    )
    .bind(u.id)
    .bind(u.first_name.as_str())
    .bind(u.last_name.as_str())
    .bind(u.email.as_str())
    .bind(u.account_owner)
    .bind(u.locale.as_str())
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

const COLUMNS: &str = "shopify_user_id, first_name, last_name, email, account_owner, locale";

/// Every known staff member of the shop, by name.
pub async fn list(db: &ShopDb) -> sqlx::Result<Vec<StaffMember>> {
    let sql = format!(
        "select {COLUMNS} from staff_members where shop_id = $1 \
         order by first_name, last_name, shopify_user_id"
    );
    db.query(&sql).fetch_all().await
}

/// One staff member of the shop.
pub async fn find(db: &ShopDb, user_id: i64) -> sqlx::Result<Option<StaffMember>> {
    let sql =
        format!("select {COLUMNS} from staff_members where shop_id = $1 and shopify_user_id = $2");
    db.query(&sql).bind(user_id).fetch_optional().await
}

async fn updated_at(db: &ShopDb, user_id: i64) -> sqlx::Result<Option<DateTime<Utc>>> {
    let row: Option<(DateTime<Utc>,)> = db
        .query("select updated_at from staff_members where shop_id = $1 and shopify_user_id = $2")
        .bind(user_id)
        .fetch_optional()
        .await?;
    Ok(row.map(|(t,)| t))
}
