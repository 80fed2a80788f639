//! The SQL pieces of RFM scoring, shared by the full recompute and the incremental rescore so
//! the two cannot disagree.

use crate::db::Backend;

/// The score of `value` against boundary columns `b.{prefix}1..4`: the first quintile whose
/// upper bound reaches it, else 5. An empty quintile's bound is NULL and never matches.
fn tile(value: &str, prefix: char) -> String {
    format!(
        "case when {value} <= b.{prefix}1 then 1 when {value} <= b.{prefix}2 then 2 \
         when {value} <= b.{prefix}3 then 3 when {value} <= b.{prefix}4 then 4 else 5 end"
    )
}

/// The segment of a scored row `x` (see the table in `mod.rs`).
const SEGMENT: &str = "case \
    when x.r >= 4 and x.f >= 4 and x.m >= 4 then 'champion' \
    when x.r >= 3 and x.f >= 4 then 'loyal' \
    when x.r >= 4 and x.orders_count = 1 then 'new' \
    when x.r >= 3 then 'potential' \
    when (x.r = 2 and x.f >= 3) or (x.r = 1 and x.f >= 4) then 'at_risk' \
    when x.r = 2 then 'hibernating' \
    else 'lost' end";

/// Scored customers: `id, old_segment, orders_count, last_order_at, r, f, m, seg`, for the shop
/// in `$1`, optionally only the ids in `filter` (an `in (…)` list of parameters).
pub fn scored(filter: Option<&str>) -> String {
    let only = filter.map_or(String::new(), |list| format!(" and c.id in ({list})"));
    format!(
        "select x.*, {SEGMENT} as seg from (\
           select c.id, c.segment as old_segment, c.orders_count, c.last_order_at, \
             c.r_score as old_r, c.f_score as old_f, c.m_score as old_m, \
             {r} as r, {f} as f, {m} as m \
           from customers c join rfm_boundaries b on b.shop_id = c.shop_id \
           where c.shop_id = $1 and c.orders_count > 0 and c.last_order_at is not null \
             and c.deleted_at is null{only}) x",
        r = tile("c.last_order_at", 'r'),
        f = tile("c.orders_count", 'f'),
        m = tile("c.total_spent", 'm'),
    )
}

/// Whole days from `s.last_order_at` to the instant bound as `$2`.
fn days_since_last_order(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "cast(julianday($2) - julianday(s.last_order_at) as integer)",
        Backend::Postgres => {
            "cast(floor(extract(epoch from (cast($2 as timestamptz) - s.last_order_at)) / 86400) \
             as bigint)"
        }
    }
}

/// The plain reason stored with a change of scored row `s`.
pub fn reason(backend: Backend) -> String {
    format!(
        "'Last order ' || {days} || case when {days} = 1 then ' day' else ' days' end || \
         ' ago (recency ' || s.r || '/5); ' || s.orders_count || \
         case when s.orders_count = 1 then ' order' else ' orders' end || \
         ' (frequency ' || s.f || '/5); spend ' || s.m || '/5'",
        days = days_since_last_order(backend)
    )
}

/// Below this many customers with orders, quintiles say little (one buyer would sit in the
/// bottom fifth and read as "lost"), so recency and frequency use fixed typical-store bands.
pub const QUINTILES_FROM: i64 = 10;

/// Boundaries of the shop in `$1` from `NTILE(5)` (ties broken by id so reruns agree), upserted
/// with `$2` as `computed_at` and `$3` as the shop-local date. With fewer than
/// [`QUINTILES_FROM`] buyers, recency uses the bands `$4`..`$7` (last order 365, 180, 90, 30
/// days before `$2`) and frequency 1, 2, 3 and 4 orders; spend keeps its quintiles.
pub fn boundaries() -> String {
    let r = |k: u8, band: u8| {
        format!(
            "case when count(*) < {QUINTILES_FROM} then ${band} \
             else max(case when r = {k} then last_order_at end) end"
        )
    };
    let f = |k: u8| {
        format!(
            "case when count(*) < {QUINTILES_FROM} then {k} \
             else max(case when f = {k} then orders_count end) end"
        )
    };
    format!(
        "insert into rfm_boundaries (shop_id, r1, r2, r3, r4, f1, f2, f3, f4, m1, m2, m3, m4, \
           scored_customers, computed_at, local_date) \
         select $1, {r1}, {r2}, {r3}, {r4}, {f1}, {f2}, {f3}, {f4}, \
           max(case when m = 1 then total_spent end), max(case when m = 2 then total_spent end), \
           max(case when m = 3 then total_spent end), max(case when m = 4 then total_spent end), \
           count(*), $2, $3 \
         from (select last_order_at, orders_count, total_spent, \
                 ntile(5) over (order by last_order_at, id) as r, \
                 ntile(5) over (order by orders_count, id) as f, \
                 ntile(5) over (order by total_spent, id) as m \
               from customers where shop_id = $1 and orders_count > 0 \
                 and last_order_at is not null and deleted_at is null) t where true \
         on conflict (shop_id) do update set r1 = excluded.r1, r2 = excluded.r2, \
           r3 = excluded.r3, r4 = excluded.r4, f1 = excluded.f1, f2 = excluded.f2, \
           f3 = excluded.f3, f4 = excluded.f4, m1 = excluded.m1, m2 = excluded.m2, \
           m3 = excluded.m3, m4 = excluded.m4, scored_customers = excluded.scored_customers, \
           computed_at = excluded.computed_at, local_date = excluded.local_date",
        r1 = r(1, 4),
        r2 = r(2, 5),
        r3 = r(3, 6),
        r4 = r(4, 7),
        f1 = f(1),
        f2 = f(2),
        f3 = f(3),
        f4 = f(4),
    )
}

/// Records the segment changes among scored rows (`$2` is now) and returns them.
pub fn record_changes(backend: Backend, scored: &str) -> String {
    format!(
        "insert into segment_changes (shop_id, customer_id, from_segment, to_segment, \
           changed_at, reason) \
         select $1, s.id, s.old_segment, s.seg, $2, {reason} from ({scored}) s \
         where s.seg <> s.old_segment \
         returning customer_id, from_segment, to_segment, reason",
        reason = reason(backend)
    )
}

/// Writes the scores and segments that differ from the stored ones (`$2` is now).
pub fn apply_scores(scored: &str) -> String {
    format!(
        "update customers set r_score = s.r, f_score = s.f, m_score = s.m, segment = s.seg, \
           segment_since = case when customers.segment = s.seg and customers.segment_since \
             is not null then customers.segment_since else $2 end \
         from ({scored}) s \
         where customers.shop_id = $1 and customers.id = s.id \
           and (s.old_r is distinct from s.r or s.old_f is distinct from s.f \
             or s.old_m is distinct from s.m or s.old_segment <> s.seg)"
    )
}

/// Customers of the shop in `$1` without orders that still carry a scored segment.
pub const BACK_TO_PROSPECT: &str = "update customers set r_score = null, f_score = null, \
    m_score = null, segment = 'prospect', segment_since = $2 \
    where shop_id = $1 and orders_count = 0 and segment <> 'prospect'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_on_a_boundary_takes_the_lower_quintile() {
        assert_eq!(
            tile("v", 'f'),
            "case when v <= b.f1 then 1 when v <= b.f2 then 2 when v <= b.f3 then 3 \
             when v <= b.f4 then 4 else 5 end"
        );
    }
}
