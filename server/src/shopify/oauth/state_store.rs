//! Single-use OAuth `state` nonces in `oauth_states` (a platform table keyed by shop domain).
//! The Node library keeps the nonce in a signed cookie; a server-side row needs no cookie at all
//! (SHOPIFY.md §4.5: no third-party cookies) and is consumed by deleting it, so a replayed
//! callback finds nothing.

use chrono::{DateTime, Duration, Utc};
use shared::ShopDomain;

use crate::db::Db;

/// How long a state stays usable: enough for a merchant to read the grant screen.
pub const STATE_TTL: Duration = Duration::minutes(10);

/// Creates a state for `shop`: 32 random bytes in hex, as the Node library's nonce. Expired
/// states of every shop are swept on the way, so the table stays small without a job.
pub async fn create(db: &Db, shop: &ShopDomain, now: DateTime<Utc>) -> sqlx::Result<String> {
    let state: String = rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let now_ms = now.timestamp_millis();
    db.query("delete from oauth_states where expires_at <= $1")
        .bind(now_ms)
        .execute()
        .await?;
    db.query(
        "insert into oauth_states (state, shop_domain, expires_at, created_at) values ($1, $2, $3, $4)",
    )
    .bind(state.as_str())
    .bind(shop.as_str())
    .bind((now + STATE_TTL).timestamp_millis())
    .bind(now_ms)
    .execute()
    .await?;
    Ok(state)
}

/// Consumes a state issued for `shop`: true exactly once for an unexpired state of that shop.
/// One `delete` both checks and burns it, so two concurrent callbacks cannot both succeed.
/// A state presented with another shop is left alone (it was never that shop's to burn).
pub async fn consume(
    db: &Db,
    state: &str,
    shop: &ShopDomain,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let deleted = db
        .query("delete from oauth_states where state = $1 and shop_domain = $2 and expires_at > $3")
        .bind(state)
        .bind(shop.as_str())
        .bind(now.timestamp_millis())
        .execute()
        .await?;
    Ok(deleted == 1)
}
