//! Per-request data loaders for the CRM's per-customer fields (prediction, orders, segment
//! history): a page of 100 customers asking for their predictions costs one query, not 100.
//! Each loader reads through the request's shop handle, so a batch can only hold that shop's
//! rows. Results, misses included, are cached for the request only (a loader lives for one
//! HTTP request; on a WebSocket connection its cache is off), so a list resolver can prime it
//! with the whole page in one query before the per-item fields ask.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::crm::customers::{self, ChangeRow, OrderRow};
use crate::crm::predictions::{StoredPrediction, for_customers};
use crate::db::ShopDb;
use crate::error::AppError;

/// Orders a customer's timeline shows.
pub const TIMELINE_ORDERS: i64 = 50;
/// Segment changes a customer's history shows.
pub const HISTORY_CHANGES: i64 = 100;

/// The loaders of one request.
pub type CrmLoaders = DataLoader<CrmLoader, HashMapCache>;

/// Builds the loaders for a request on `db`.
pub fn for_request(db: &ShopDb) -> CrmLoaders {
    DataLoader::with_cache(
        CrmLoader { db: db.clone() },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// Batches per-customer reads of one shop.
pub struct CrmLoader {
    db: ShopDb,
}

/// A customer's stored prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PredictionOf(pub i64);

/// A customer's newest orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrdersOf(pub i64);

/// A customer's segment changes, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HistoryOf(pub i64);

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> i64) -> Vec<i64> {
    keys.iter().map(|k| id(*k)).collect()
}

/// Loader errors reach the client as a generic internal error (the cause is logged).
fn internal(e: sqlx::Error) -> async_graphql::Error {
    async_graphql::ErrorExtensions::extend(&AppError::Db(e))
}

/// Rows grouped under their customer's key, every asked key present (empty when it has none).
fn grouped<K: Copy + Eq + std::hash::Hash, R>(
    keys: &[K],
    rows: Vec<R>,
    key_of: impl Fn(&R) -> Option<K>,
) -> HashMap<K, Vec<R>> {
    let mut out: HashMap<K, Vec<R>> = all_keys(keys);
    for row in rows {
        if let Some(key) = key_of(&row) {
            out.entry(key).or_default().push(row);
        }
    }
    out
}

/// Every key present (as `None` when absent), so misses are cached too.
fn all_keys<K: Copy + Eq + std::hash::Hash, V: Default>(keys: &[K]) -> HashMap<K, V> {
    keys.iter().map(|k| (*k, V::default())).collect()
}

impl Loader<PredictionOf> for CrmLoader {
    type Value = Option<StoredPrediction>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[PredictionOf],
    ) -> Result<HashMap<PredictionOf, Option<StoredPrediction>>, Self::Error> {
        let rows = for_customers(&self.db, &ids(keys, |k| k.0))
            .await
            .map_err(internal)?;
        let mut out = all_keys(keys);
        for p in rows {
            out.insert(PredictionOf(p.customer_id), Some(p));
        }
        Ok(out)
    }
}

impl Loader<OrdersOf> for CrmLoader {
    type Value = Vec<OrderRow>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OrdersOf],
    ) -> Result<HashMap<OrdersOf, Vec<OrderRow>>, Self::Error> {
        let rows = customers::orders_of(&self.db, &ids(keys, |k| k.0), TIMELINE_ORDERS)
            .await
            .map_err(internal)?;
        Ok(grouped(keys, rows, |r| r.customer_id.map(OrdersOf)))
    }
}

impl Loader<HistoryOf> for CrmLoader {
    type Value = Vec<ChangeRow>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[HistoryOf],
    ) -> Result<HashMap<HistoryOf, Vec<ChangeRow>>, Self::Error> {
        let rows = customers::histories_of(&self.db, &ids(keys, |k| k.0), HISTORY_CHANGES)
            .await
            .map_err(internal)?;
        Ok(grouped(keys, rows, |r| Some(HistoryOf(r.customer_id))))
    }
}
