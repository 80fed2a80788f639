//! The dashboard's numbers, each a direct sum over the shop's own rows: KPIs, segment
//! distribution, revenue by day/week/month in the shop's time zone with the previous period,
//! churn alerts and the recent activity feed.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::{Backend, ShopDb};

/// Revenue net of refunds and orders in `[from, to)`, cancelled orders left out.
pub async fn revenue(
    db: &ShopDb,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<(i64, i64)> {
    db.query(
        "select cast(coalesce(sum(o.total_price - coalesce(r.refunded, 0)), 0) as bigint), \
           count(*) \
         from orders o left join (select order_id, sum(amount) as refunded from refunds \
           where shop_id = $1 group by order_id) r on r.order_id = o.id \
         where o.shop_id = $1 and o.cancelled_at is null and o.created_at >= $2 \
           and o.created_at < $3",
    )
    .bind(from)
    .bind(to)
    .fetch_one()
    .await
}

/// Customers held, and those created in `[since, now)`.
pub async fn customer_counts(db: &ShopDb, since: DateTime<Utc>) -> sqlx::Result<(i64, i64)> {
    db.query(
        "select count(*), coalesce(sum(case when created_at >= $2 then 1 else 0 end), 0) \
         from customers where shop_id = $1 and deleted_at is null",
    )
    .bind(since)
    .fetch_one()
    .await
}

/// Customers per segment.
pub async fn segments(db: &ShopDb) -> sqlx::Result<Vec<(String, i64)>> {
    db.query(
        "select segment, count(*) from customers where shop_id = $1 and deleted_at is null \
         group by segment",
    )
    .fetch_all()
    .await
}

/// How revenue is grouped on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
    Month,
}

/// The first local date of the bucket holding `date`.
pub fn bucket(grain: Grain, date: NaiveDate) -> NaiveDate {
    match grain {
        Grain::Day => date,
        // ISO weeks start on Monday.
        Grain::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
        Grain::Month => date.with_day(1).unwrap_or(date),
    }
}

/// Net revenue per 15-minute UTC slot in `[from, to)`: fine enough that every time zone's day
/// boundary (including :30 and :45 offsets) falls on a slot edge, small enough to stay a few
/// thousand rows however many orders the shop has.
async fn slots(
    db: &ShopDb,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let slot = match db.backend() {
        Backend::Sqlite => "cast(strftime('%s', o.created_at) as integer) / 900",
        Backend::Postgres => "cast(floor(extract(epoch from o.created_at) / 900) as bigint)",
    };
    let sql = format!(
        "select {slot} as slot, \
           cast(sum(o.total_price - coalesce(r.refunded, 0)) as bigint) \
         from orders o left join (select order_id, sum(amount) as refunded from refunds \
           where shop_id = $1 group by order_id) r on r.order_id = o.id \
         where o.shop_id = $1 and o.cancelled_at is null and o.created_at >= $2 \
           and o.created_at < $3 group by slot"
    );
    db.query(&sql).bind(from).bind(to).fetch_all().await
}

/// Net revenue per local bucket start in `[from, to)`.
pub async fn revenue_series(
    db: &ShopDb,
    zone: Tz,
    grain: Grain,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<BTreeMap<NaiveDate, i64>> {
    let mut out = BTreeMap::new();
    for (slot, amount) in slots(db, from, to).await? {
        let Some(at) = DateTime::from_timestamp(slot * 900, 0) else {
            continue;
        };
        let day = at.with_timezone(&zone).date_naive();
        *out.entry(bucket(grain, day)).or_insert(0) += amount;
    }
    Ok(out)
}

/// One line of the activity feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// `order`, `refund` or `segment_change`.
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// Order name, refund's order name, or "from → to".
    pub title: String,
    /// Minor units of the shop currency (orders and refunds).
    pub amount: Option<i64>,
}

type FeedRow = (
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    DateTime<Utc>,
);

fn name(first: Option<String>, last: Option<String>) -> Option<String> {
    let full = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!full.trim().is_empty()).then_some(full)
}

/// The newest orders, refunds and segment changes, newest first.
pub async fn activity(db: &ShopDb, limit: i64) -> sqlx::Result<Vec<Activity>> {
    let orders: Vec<FeedRow> = db
        .query(
            "select o.customer_id, c.first_name, c.last_name, o.name, o.total_price, o.created_at \
             from orders o left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id \
             where o.shop_id = $1 order by o.created_at desc, o.id desc limit $2",
        )
        .bind(limit)
        .fetch_all()
        .await?;
    let refunds: Vec<FeedRow> = db
        .query(
            "select o.customer_id, c.first_name, c.last_name, o.name, r.amount, r.created_at \
             from refunds r join orders o on o.shop_id = r.shop_id and o.id = r.order_id \
             left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id \
             where r.shop_id = $1 order by r.created_at desc, r.id desc limit $2",
        )
        .bind(limit)
        .fetch_all()
        .await?;
    let changes: Vec<FeedRow> = db
        .query(
            "select s.customer_id, c.first_name, c.last_name, \
               s.from_segment || ' → ' || s.to_segment, cast(null as bigint), s.changed_at \
             from segment_changes s \
             left join customers c on c.shop_id = s.shop_id and c.id = s.customer_id \
             where s.shop_id = $1 order by s.changed_at desc, s.id desc limit $2",
        )
        .bind(limit)
        .fetch_all()
        .await?;
    let tag = |kind: &'static str, rows: Vec<FeedRow>| {
        rows.into_iter().map(
            move |(customer_id, first, last, title, amount, at)| Activity {
                kind,
                at,
                customer_id,
                customer_name: name(first, last),
                title,
                amount,
            },
        )
    };
    let mut all: Vec<Activity> = tag("order", orders)
        .chain(tag("refund", refunds))
        .chain(tag("segment_change", changes))
        .collect();
    all.sort_by_key(|a| std::cmp::Reverse(a.at));
    all.truncate(limit as usize);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(); // a Thursday
        assert_eq!(bucket(Grain::Week, d).to_string(), "2026-11-16");
        assert_eq!(bucket(Grain::Month, d).to_string(), "2026-11-01");
        assert_eq!(bucket(Grain::Day, d), d);
    }
}
