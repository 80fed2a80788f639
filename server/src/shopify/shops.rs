//! The shops registry: one row per shop domain, with its tokens encrypted at rest.
//! Not a tenant table: it is how a request or a webhook finds its tenant.

use chrono::{DateTime, Duration, Utc};
use shared::ShopDomain;

use super::crypto::Cipher;
use super::token_exchange::OfflineToken;
use crate::db::{Db, DbTx, ShopDb, ShopId};

/// A shop as the registry knows it.
#[derive(Debug, Clone)]
pub struct Shop {
    /// Primary key.
    pub id: ShopId,
    /// `{handle}.myshopify.com`.
    pub domain: ShopDomain,
    /// Granted scopes, comma separated.
    pub scopes: String,
    access_token_enc: Option<Vec<u8>>,
    access_token_expires_at: Option<DateTime<Utc>>,
    /// When the shop (re)installed the app.
    pub installed_at: Option<DateTime<Utc>>,
    /// Set when the app was uninstalled; the row stays so `shop/redact` can find it.
    pub uninstalled_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ShopRow {
    id: i64,
    domain: String,
    scopes: String,
    access_token_enc: Option<Vec<u8>>,
    access_token_expires_at: Option<DateTime<Utc>>,
    installed_at: Option<DateTime<Utc>>,
    uninstalled_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "select id, domain, scopes, access_token_enc, access_token_expires_at, installed_at, uninstalled_at from shops";

impl Shop {
    fn from_row(r: ShopRow) -> Option<Shop> {
        Some(Shop {
            id: ShopId::from_db(r.id),
            domain: ShopDomain::parse(&r.domain).ok()?,
            scopes: r.scopes,
            access_token_enc: r.access_token_enc,
            access_token_expires_at: r.access_token_expires_at,
            installed_at: r.installed_at,
            uninstalled_at: r.uninstalled_at,
        })
    }

    /// The offline access token, unless it is missing, undecryptable or expires within five
    /// minutes (the official template's margin, so a call never starts with a dying token).
    pub fn usable_access_token(&self, cipher: &Cipher, now: DateTime<Utc>) -> Option<String> {
        if self.uninstalled_at.is_some() {
            return None;
        }
        if let Some(exp) = self.access_token_expires_at
            && exp - Duration::minutes(5) <= now
        {
            return None;
        }
        cipher.open(self.access_token_enc.as_deref()?).ok()
    }

    /// A handle to this shop's tenant data.
    pub fn db(&self, db: &Db) -> ShopDb {
        ShopDb::new(db.clone(), self.id)
    }
}

/// Finds a shop by domain.
pub async fn find_by_domain(db: &Db, domain: &ShopDomain) -> sqlx::Result<Option<Shop>> {
    let sql = format!("{SELECT} where domain = $1");
    let row: Option<ShopRow> = db
        .query(&sql)
        .bind(domain.as_str())
        .fetch_optional()
        .await?;
    Ok(row.and_then(Shop::from_row))
}

/// Finds a shop by key.
pub async fn find_by_id(db: &Db, id: ShopId) -> sqlx::Result<Option<Shop>> {
    let sql = format!("{SELECT} where id = $1");
    let row: Option<ShopRow> = db.query(&sql).bind(id.get()).fetch_optional().await?;
    Ok(row.and_then(Shop::from_row))
}

/// Every shop that has the app installed now.
pub async fn list_installed(db: &Db) -> sqlx::Result<Vec<Shop>> {
    let sql =
        format!("{SELECT} where installed_at is not null and uninstalled_at is null order by id");
    let rows: Vec<ShopRow> = db.query(&sql).fetch_all().await?;
    Ok(rows.into_iter().filter_map(Shop::from_row).collect())
}

/// Finds a shop by key inside a transaction.
pub async fn find_by_id_in(tx: &mut DbTx, id: ShopId) -> sqlx::Result<Option<Shop>> {
    let sql = format!("{SELECT} where id = $1");
    let row: Option<ShopRow> = tx.query(&sql).bind(id.get()).fetch_optional().await?;
    Ok(row.and_then(Shop::from_row))
}

/// Holds the shop's row lock until the transaction ends: `FOR UPDATE` on PostgreSQL; on SQLite
/// the transaction began `IMMEDIATE` and already excludes every other writer.
pub async fn lock(tx: &mut DbTx, id: ShopId) -> sqlx::Result<()> {
    if tx.backend() == crate::db::Backend::Postgres {
        tx.query("select id from shops where id = $1 for update")
            .bind(id.get())
            .fetch_optional::<(i64,)>()
            .await?;
    }
    Ok(())
}

/// Makes sure a row exists for the shop and returns it.
pub async fn ensure(db: &Db, domain: &ShopDomain, now: DateTime<Utc>) -> sqlx::Result<Shop> {
    db.query("insert into shops (domain, created_at, updated_at) values ($1, $2, $2) on conflict (domain) do nothing")
        .bind(domain.as_str())
        .bind(now)
        .execute()
        .await?;
    find_by_domain(db, domain)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Stores a freshly exchanged offline token (encrypted) and marks the shop installed.
pub async fn store_offline_token(
    tx: &mut DbTx,
    shop: ShopId,
    token: &OfflineToken,
    cipher: &Cipher,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "update shops set access_token_enc = $2, access_token_expires_at = $3, refresh_token_enc = $4, \
               refresh_token_expires_at = $5, scopes = $6, installed_at = coalesce(installed_at, $7), \
               uninstalled_at = null, updated_at = $7 where id = $1";
    write_tokens(tx, sql, shop, token, cipher, now).await
}

/// Writes a token reply with `sql`, whose binds are: shop, access token, its expiry, refresh
/// token, its expiry, scopes, now. Both tokens are sealed before they reach the database.
async fn write_tokens(
    tx: &mut DbTx,
    sql: &str,
    shop: ShopId,
    token: &OfflineToken,
    cipher: &Cipher,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // A nonsensical lifetime from the wire must not panic the time arithmetic.
    let after = |secs: Option<i64>| {
        secs.and_then(Duration::try_seconds)
            .and_then(|d| now.checked_add_signed(d))
    };
    tx.query(sql)
        .bind(shop.get())
        .bind(cipher.seal(&token.access_token))
        .bind(after(token.expires_in))
        .bind(token.refresh_token.as_deref().map(|t| cipher.seal(t)))
        .bind(after(token.refresh_token_expires_in))
        .bind(token.scope.as_str())
        .bind(now)
        .execute()
        .await?;
    Ok(())
}

/// Stores the scopes Shopify reports as granted now.
pub async fn update_scopes(
    tx: &mut DbTx,
    shop: ShopId,
    scopes: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query("update shops set scopes = $2, updated_at = $3 where id = $1")
        .bind(shop.get())
        .bind(scopes)
        .bind(now)
        .execute()
        .await?;
    Ok(())
}

/// Every shop key, installed or not (platform sweeps such as webhook retention cover all).
pub async fn list_ids(db: &Db) -> sqlx::Result<Vec<ShopId>> {
    let rows: Vec<(i64,)> = db
        .query("select id from shops order by id")
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|(id,)| ShopId::from_db(id)).collect())
}

/// `app/uninstalled` (SHOPIFY.md §7): Shopify has already revoked the tokens, so the app drops
/// its copies. The shop's data stays until `shop/redact`.
/// Marks the shop uninstalled unless it was (re)installed after `triggered_at`; returns whether
/// it did. Deliveries come late, twice and out of order: a second run changes nothing but the
/// timestamp it keeps (the first), and an uninstall triggered before a reinstall is stale.
///
/// `installed_at` is cleared here so that the next token exchange (which keeps an existing
/// `installed_at`) records the reinstall time, the value the staleness check compares with.
pub async fn mark_uninstalled(
    db: &Db,
    shop: ShopId,
    triggered_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let n = db
        .query(
            "update shops set uninstalled_at = coalesce(uninstalled_at, $2), installed_at = null, \
             access_token_enc = null, access_token_expires_at = null, refresh_token_enc = null, \
             refresh_token_expires_at = null, updated_at = $3 \
             where id = $1 and (installed_at is null or installed_at <= $2)",
        )
        .bind(shop.get())
        .bind(triggered_at)
        .bind(now)
        .execute()
        .await?;
    Ok(n == 1)
}

/// A refresh token as stored: sealed bytes and expiry.
type StoredRefresh = (Option<Vec<u8>>, Option<DateTime<Utc>>);

/// The shop's refresh token (decrypted) and when it expires; `None` when there is none or it
/// cannot be decrypted (a rotated key), either way the merchant must open the app again.
pub async fn refresh_token_in(
    tx: &mut DbTx,
    shop: ShopId,
    cipher: &Cipher,
) -> sqlx::Result<Option<(String, Option<DateTime<Utc>>)>> {
    let row: Option<StoredRefresh> = tx
        .query("select refresh_token_enc, refresh_token_expires_at from shops where id = $1")
        .bind(shop.get())
        .fetch_optional()
        .await?;
    Ok(row.and_then(|(enc, expires)| {
        let token = cipher.open(enc.as_deref()?).ok()?;
        Some((token, expires))
    }))
}

/// Stores a refreshed access token and the rotated refresh token together, inside the caller's
/// locked transaction: Shopify has already retired the old refresh token, so losing the new one
/// would strand the shop until the merchant opens the app. Unlike [`store_offline_token`] it
/// never marks an uninstalled shop installed again.
pub async fn store_rotated_token(
    tx: &mut DbTx,
    shop: ShopId,
    token: &OfflineToken,
    cipher: &Cipher,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "update shops set access_token_enc = $2, access_token_expires_at = $3, refresh_token_enc = $4, \
               refresh_token_expires_at = $5, scopes = $6, updated_at = $7 \
               where id = $1 and uninstalled_at is null";
    write_tokens(tx, sql, shop, token, cipher, now).await
}

/// Drops a shop's tokens when its refresh token is expired or refused: the next session-token
/// request then finds no usable token and exchanges again, and jobs skip the shop until then.
pub async fn clear_tokens(tx: &mut DbTx, shop: ShopId, now: DateTime<Utc>) -> sqlx::Result<()> {
    tx.query(
        "update shops set access_token_enc = null, access_token_expires_at = null, \
         refresh_token_enc = null, refresh_token_expires_at = null, updated_at = $2 where id = $1",
    )
    .bind(shop.get())
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Marks the access token expired (Shopify refused it), so the next [`super::refresh`] call
/// refreshes it with the refresh token instead of reusing it.
pub async fn expire_access_token(db: &Db, shop: ShopId, now: DateTime<Utc>) -> sqlx::Result<()> {
    db.query("update shops set access_token_expires_at = $2, updated_at = $2 where id = $1")
        .bind(shop.get())
        .bind(now)
        .execute()
        .await?;
    Ok(())
}

/// What a shop erasure did, for its audit row (counts only).
#[derive(Debug, Clone, Copy)]
pub struct Erasure {
    /// Tenant rows deleted.
    pub rows_deleted: u64,
    /// Pending jobs cancelled.
    pub jobs_cancelled: u64,
    /// When Shopify triggered the `shop/redact`.
    pub requested_at: DateTime<Utc>,
}

/// The last step of `shop/redact` (server/src/shopify/gdpr), after its tenant rows are gone:
/// records the erasure in the `shop_redactions` audit (domain and counts; the id is about to
/// stop existing) and deletes the registry row, tokens and domain with it. A later install
/// starts a new row.
pub async fn erase(
    tx: &mut DbTx,
    shop: &Shop,
    audit: &Erasure,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    tx.query(
        "insert into shop_redactions (shop_domain, rows_deleted, jobs_cancelled, requested_at, \
         completed_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(shop.domain.as_str())
    .bind(count(audit.rows_deleted))
    .bind(count(audit.jobs_cancelled))
    .bind(audit.requested_at)
    .bind(now)
    .execute()
    .await?;
    tx.query("delete from shops where id = $1")
        .bind(shop.id.get())
        .execute()
        .await?;
    Ok(())
}
