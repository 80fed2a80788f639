//! From the shop's orders to per-customer summaries (x, t_x, T, monetary) in shop-local days.
//!
//! The whole-shop load pages through the orders by customer id, so memory holds one page of
//! order rows plus the summaries, never the shop's order history. (`db::Query` has no row
//! stream; a page of a few thousand rows is the bounded buffer instead.)

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::days::local_day;
use crate::crm::models::{CustomerSummary, Purchase, summarise};
use crate::db::{ShopDb, ShopTx};

/// Order rows per page of the whole-shop load.
const PAGE_ROWS: usize = 5_000;
/// Customer ids per statement when loading a few customers.
const IDS_PER_STATEMENT: usize = 400;

/// Summaries of the customers with purchases, in customer-id order; `customer_ids[i]` is the
/// customer of `summaries[i]` (two vectors, because the fit takes a slice of summaries).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summaries {
    /// The customers, ascending.
    pub customer_ids: Vec<i64>,
    /// Their summaries in days, as of the load's `now`.
    pub summaries: Vec<CustomerSummary>,
}

/// (customer id, created at, total minus refunds in minor units).
type OrderRow = (i64, DateTime<Utc>, i64);

/// The orders that count as purchases, for the customers matched by `filter` (binds from `$2`),
/// ordered by customer. Net amounts and the cancelled/deleted rules follow `sync::counters` and
/// RFM scoring (see the module doc of `predictions`).
fn orders_sql(filter: &str, limit: Option<usize>) -> String {
    let limit = limit.map_or(String::new(), |n| format!(" limit {n}"));
    format!(
        "select o.customer_id, o.created_at, \
           cast(o.total_price - coalesce((select sum(r.amount) from refunds r \
             where r.shop_id = $1 and r.order_id = o.id), 0) as bigint) \
         from orders o \
         where o.shop_id = $1 and {filter} and o.cancelled_at is null \
           and not exists (select 1 from customers c where c.shop_id = $1 \
             and c.id = o.customer_id and c.deleted_at is not null) \
         order by o.customer_id{limit}"
    )
}

/// Every customer's summary as of `now`, paging through the orders by customer id.
pub async fn summaries_of(db: &ShopDb, zone: Tz, now: DateTime<Utc>) -> sqlx::Result<Summaries> {
    let page_sql = orders_sql("o.customer_id > $2", Some(PAGE_ROWS));
    let one_sql = orders_sql("o.customer_id = $2", None);
    let mut out = Collector::new(zone, now);
    let mut after = i64::MIN;
    loop {
        let rows: Vec<OrderRow> = db.query(&page_sql).bind(after).fetch_all().await?;
        let Some(&(last, _, _)) = rows.last() else {
            break;
        };
        if rows.len() < PAGE_ROWS {
            rows.iter().for_each(|r| out.push(r));
            break;
        }
        if rows[0].0 == last {
            // One customer fills the page: read that customer whole.
            let all: Vec<OrderRow> = db.query(&one_sql).bind(last).fetch_all().await?;
            all.iter().for_each(|r| out.push(r));
            after = last;
            continue;
        }
        // The page may end partway through its last customer, who starts the next page.
        for r in rows.iter().take_while(|r| r.0 != last) {
            out.push(r);
            after = r.0;
        }
    }
    Ok(out.finish())
}

/// The summaries of these customers (those with purchases) as of `now`, in the caller's
/// transaction.
pub(super) async fn summaries_for(
    tx: &mut ShopTx,
    zone: Tz,
    now: DateTime<Utc>,
    customer_ids: &[i64],
) -> sqlx::Result<Summaries> {
    let mut out = Collector::new(zone, now);
    for chunk in customer_ids.chunks(IDS_PER_STATEMENT) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = orders_sql(&format!("o.customer_id in ({})", list.join(", ")), None);
        let mut q = tx.query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        let rows: Vec<OrderRow> = q.fetch_all().await?;
        rows.iter().for_each(|r| out.push(r));
    }
    Ok(out.finish())
}

/// Gathers one customer's purchases at a time from rows sorted by customer, and summarises
/// each customer when the next one starts.
struct Collector {
    zone: Tz,
    end: f64,
    current: Option<i64>,
    purchases: Vec<Purchase>,
    out: Summaries,
}

impl Collector {
    fn new(zone: Tz, now: DateTime<Utc>) -> Self {
        Self {
            zone,
            end: local_day(zone, now),
            current: None,
            purchases: Vec::new(),
            out: Summaries::default(),
        }
    }

    fn push(&mut self, &(customer_id, created_at, net): &OrderRow) {
        if self.current != Some(customer_id) {
            self.close();
            self.current = Some(customer_id);
        }
        self.purchases.push(Purchase {
            // A stored order has happened: one stamped after `now` is clock skew between
            // Shopify and us, and counts as placed now rather than not at all.
            day: local_day(self.zone, created_at).min(self.end),
            // Refunds beyond the order's total (goodwill, returned shipping) are not negative
            // spending: the customer still bought.
            amount: net.max(0) as f64,
        });
    }

    fn close(&mut self) {
        let Some(id) = self.current.take() else {
            return;
        };
        if let Some(summary) = summarise(&self.purchases, self.end) {
            self.out.customer_ids.push(id);
            self.out.summaries.push(summary);
        }
        self.purchases.clear();
    }

    fn finish(mut self) -> Summaries {
        self.close();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn rows_become_one_summary_per_customer_on_local_days() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let mut c = Collector::new(ny, at(21, 12));
        // Customer 1: 2 March 23:00 and 3 March 01:00 UTC are both 2 March in New York (one
        // purchase day of 30 + 10), then 11 March; a refund larger than the order counts as 0.
        for row in [
            (1, at(2, 23), 3_000),
            (1, at(3, 1), 1_000),
            (1, at(11, 12), 2_500),
            (2, at(20, 12), -500),
            // Later than `now` (clock skew): counted as placed now.
            (3, at(21, 13), 9_900),
        ] {
            c.push(&row);
        }
        let out = c.finish();
        assert_eq!(out.customer_ids, vec![1, 2, 3]);
        let one = out.summaries[0];
        assert_eq!(
            (one.x, one.first_amount, one.monetary),
            (1, 4_000.0, 2_500.0)
        );
        assert_eq!(out.summaries[1].first_amount, 0.0);
        assert!((out.summaries[1].t - 1.0).abs() < 1e-9);
        assert_eq!(
            (out.summaries[2].t, out.summaries[2].first_amount),
            (0.0, 9_900.0)
        );
    }
}
