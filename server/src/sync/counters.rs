//! Customer counters derived from the synced orders: orders placed (cancelled ones included),
//! total spent net of refunds with cancelled orders left out, first and last order time. They
//! are recomputed from the orders rather than adjusted by deltas, so a duplicated, late or
//! reordered webhook can never make them drift.

use crate::db::ShopTx;

/// Recomputes the counters of these customers (those an order change touched), in the caller's
/// transaction so they commit with the order.
pub async fn refresh(tx: &mut ShopTx, customer_ids: &[i64]) -> sqlx::Result<()> {
    let mut ids: Vec<i64> = customer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "update customers set \
               orders_count = (select count(*) from orders o \
                 where o.shop_id = $1 and o.customer_id = customers.id), \
               total_spent = coalesce((select sum(o.total_price - coalesce((select sum(r.amount) \
                 from refunds r where r.shop_id = $1 and r.order_id = o.id), 0)) from orders o \
                 where o.shop_id = $1 and o.customer_id = customers.id \
                 and o.cancelled_at is null), 0), \
               first_order_at = (select min(o.created_at) from orders o \
                 where o.shop_id = $1 and o.customer_id = customers.id), \
               last_order_at = (select max(o.created_at) from orders o \
                 where o.shop_id = $1 and o.customer_id = customers.id) \
             where shop_id = $1 and id in ({})",
            list.join(", ")
        );
        let mut q = tx.query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute().await?;
    }
    Ok(())
}

/// Recomputes every customer's counters of the shop in one statement (after a full import).
pub async fn refresh_all(tx: &mut ShopTx) -> sqlx::Result<u64> {
    tx.query(
        "update customers set orders_count = a.n, total_spent = a.spent, \
           first_order_at = a.first_at, last_order_at = a.last_at \
         from (select o.customer_id as customer_id, count(*) as n, \
                 coalesce(sum(case when o.cancelled_at is null \
                   then o.total_price - coalesce(r.refunded, 0) else 0 end), 0) as spent, \
                 min(o.created_at) as first_at, max(o.created_at) as last_at \
               from orders o \
               left join (select order_id, sum(amount) as refunded from refunds \
                          where shop_id = $1 group by order_id) r on r.order_id = o.id \
               where o.shop_id = $1 and o.customer_id is not null \
               group by o.customer_id) a \
         where customers.shop_id = $1 and customers.id = a.customer_id",
    )
    .execute()
    .await
}

/// The customers that orders currently point at (before an update moves them).
pub async fn order_customers(tx: &mut ShopTx, order_ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    let mut out = Vec::new();
    for chunk in order_ids.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "select customer_id from orders where shop_id = $1 and customer_id is not null \
             and id in ({})",
            list.join(", ")
        );
        let mut q = tx.query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        let rows: Vec<(i64,)> = q.fetch_all().await?;
        out.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(out)
}

/// Serialises a shop's transactions that recompute counters (live deliveries, delta pages):
/// a customer and their order applied concurrently would each miss the other's uncommitted
/// row and leave the counters short. PostgreSQL takes a transaction-scoped advisory lock on
/// the shop (the tenant role may not lock `shops` rows); SQLite writers are serial already.
pub async fn lock_shop(tx: &mut ShopTx) -> sqlx::Result<()> {
    if tx.backend() == crate::db::Backend::Postgres {
        // Two-key form: the first key names this lock's purpose, so other advisory locks on a
        // shop id can never collide with it.
        tx.query("select pg_advisory_xact_lock(7301, cast($1 % 2147483647 as integer))")
            .execute()
            .await?;
    }
    Ok(())
}
