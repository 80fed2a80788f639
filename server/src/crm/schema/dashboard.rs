//! The dashboard: KPI cards, segment distribution, revenue over time against the previous
//! period (buckets in the shop's time zone), churn alerts and the activity feed.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::types::{Money, SegmentChange, SegmentCount, segment_counts};
use crate::crm::customers;
use crate::crm::dashboard::{self as store, Grain};
use crate::crm::shop_time;
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;
use crate::sync::full::shop_currency;

/// The period the dashboard covers, ending today (shop time).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardRange {
    Last7Days,
    Last30Days,
    Last90Days,
    Last365Days,
}

impl DashboardRange {
    fn days(self) -> i64 {
        match self {
            DashboardRange::Last7Days => 7,
            DashboardRange::Last30Days => 30,
            DashboardRange::Last90Days => 90,
            DashboardRange::Last365Days => 365,
        }
    }

    fn grain(self) -> Grain {
        match self {
            DashboardRange::Last7Days | DashboardRange::Last30Days => Grain::Day,
            DashboardRange::Last90Days => Grain::Week,
            DashboardRange::Last365Days => Grain::Month,
        }
    }
}

/// The KPI cards.
#[derive(SimpleObject, Clone, Debug)]
pub struct Kpis {
    pub customers: i64,
    /// Customers created in the last 30 days.
    #[graphql(name = "newCustomers30d")]
    pub new_customers_30d: i64,
    /// Net of refunds, cancelled orders left out, over the range.
    pub revenue: Money,
    /// The same over the period before.
    pub previous_revenue: Money,
    pub orders: i64,
    pub previous_orders: i64,
    /// Automation emails sent in the last 30 days. Automations do not exist yet, so no email
    /// has been sent: this is zero until the email issue adds its send log.
    #[graphql(name = "emailsSent30d")]
    pub emails_sent_30d: i64,
}

/// One bucket of the revenue chart.
#[derive(SimpleObject, Clone, Debug)]
pub struct RevenuePoint {
    /// The bucket's first local date (YYYY-MM-DD).
    pub start: String,
    pub revenue: Money,
    /// The matching bucket of the previous period.
    pub previous: Money,
}

/// Revenue over time.
#[derive(SimpleObject, Clone, Debug)]
pub struct RevenueSeries {
    /// `DAY`, `WEEK` or `MONTH`.
    pub grain: String,
    pub points: Vec<RevenuePoint>,
}

/// A line of the activity feed.
#[derive(SimpleObject, Clone, Debug)]
pub struct ActivityItem {
    /// `ORDER`, `REFUND` or `SEGMENT_CHANGE`.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub customer_id: Option<ID>,
    pub customer_name: Option<String>,
    pub title: String,
    pub amount: Option<Money>,
}

/// Everything on the dashboard.
#[derive(SimpleObject, Clone, Debug)]
pub struct Dashboard {
    pub range_start: DateTime<Utc>,
    pub range_end: DateTime<Utc>,
    pub time_zone: String,
    pub currency_code: String,
    pub kpis: Kpis,
    pub segments: Vec<SegmentCount>,
    pub revenue: RevenueSeries,
    /// Moves into at risk, hibernating or lost in the last 7 days, newest first.
    pub churn_alerts: Vec<SegmentChange>,
    pub activity: Vec<ActivityItem>,
}

/// Local midnight of `date` in `zone` as UTC (the earliest instant of a DST-ambiguous day).
fn midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&naive)
        .earliest()
        // A midnight skipped by DST: one hour later exists.
        .or_else(|| {
            zone.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

/// Bucket starts from `first` (inclusive) up to `last` (inclusive).
fn buckets(grain: Grain, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = store::bucket(grain, first);
    while d <= last {
        out.push(d);
        d = match grain {
            Grain::Day => d + Duration::days(1),
            Grain::Week => d + Duration::days(7),
            Grain::Month => store::bucket(Grain::Month, d + Duration::days(32)),
        };
    }
    out
}

pub async fn load(rc: &RequestCtx, range: DashboardRange) -> async_graphql::Result<Dashboard> {
    let db = &rc.db;
    let now = rc.app.clock.now();
    let zone = shop_time::zone(db).await.gql()?;
    let currency = shop_currency(db).await.gql()?;
    let today = shop_time::local_date(zone, now);
    let first_day = today - Duration::days(range.days() - 1);
    let from = midnight(zone, first_day);
    let previous_first = first_day - Duration::days(range.days());
    let previous_from = midnight(zone, previous_first);
    let (revenue, orders) = store::revenue(db, from, now).await.gql()?;
    let (previous_revenue, previous_orders) =
        store::revenue(db, previous_from, from).await.gql()?;
    let (customers, new_customers) = store::customer_counts(db, now - Duration::days(30))
        .await
        .gql()?;
    let grain = range.grain();
    let current = store::revenue_series(db, zone, grain, from, now)
        .await
        .gql()?;
    let previous = store::revenue_series(db, zone, grain, previous_from, from)
        .await
        .gql()?;
    let now_buckets = buckets(grain, first_day, today);
    let before = buckets(grain, previous_first, first_day - Duration::days(1));
    let points = now_buckets
        .iter()
        .enumerate()
        .map(|(i, start)| RevenuePoint {
            start: start.to_string(),
            revenue: Money::of(current.get(start).copied().unwrap_or(0), &currency),
            previous: Money::of(
                before
                    .get(i)
                    .and_then(|b| previous.get(b))
                    .copied()
                    .unwrap_or(0),
                &currency,
            ),
        })
        .collect();
    let alerts = customers::segment_changes(
        db,
        now - Duration::days(7),
        None,
        Some(&["at_risk", "hibernating", "lost"]),
        20,
    )
    .await
    .gql()?;
    let activity = store::activity(db, 20).await.gql()?;
    Ok(Dashboard {
        range_start: from,
        range_end: now,
        time_zone: zone.name().to_string(),
        kpis: Kpis {
            customers,
            new_customers_30d: new_customers,
            revenue: Money::of(revenue, &currency),
            previous_revenue: Money::of(previous_revenue, &currency),
            orders,
            previous_orders,
            emails_sent_30d: 0,
        },
        segments: segment_counts(&store::segments(db).await.gql()?),
        revenue: RevenueSeries {
            grain: match grain {
                Grain::Day => "DAY",
                Grain::Week => "WEEK",
                Grain::Month => "MONTH",
            }
            .to_string(),
            points,
        },
        churn_alerts: alerts
            .into_iter()
            .map(|r| SegmentChange::from_row(r, &currency))
            .collect(),
        activity: activity
            .into_iter()
            .map(|a| ActivityItem {
                kind: a.kind.to_uppercase(),
                at: a.at,
                customer_id: a.customer_id.map(|id| ID(id.to_string())),
                customer_name: a.customer_name,
                title: a.title,
                amount: a.amount.map(|m| Money::of(m, &currency)),
            })
            .collect(),
        currency_code: currency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_york_day_starts_at_five_in_the_morning_utc_in_winter() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(midnight(ny, d).to_rfc3339(), "2026-01-15T05:00:00+00:00");
    }

    #[test]
    fn month_buckets_walk_calendar_months() {
        let b = buckets(
            Grain::Month,
            NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
            NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
        );
        let names: Vec<String> = b.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            names,
            ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
        );
    }
}
