//! The shop's own clock: its IANA time zone from the profile, for day boundaries (the daily
//! recompute, revenue by day) that follow the merchant's calendar, not UTC.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::{Db, ShopDb, ShopId};
use crate::shopify::shops;

/// The shop's time zone; UTC when the profile is missing or names a zone we do not know.
pub async fn zone(db: &ShopDb) -> sqlx::Result<Tz> {
    let row: Option<(String,)> = db
        .query("select iana_timezone from shop_profiles where shop_id = $1")
        .fetch_optional()
        .await?;
    Ok(row.map_or(Tz::UTC, |(name,)| parse_zone(&name)))
}

/// Parses an IANA name, falling back to UTC (logged) so a bad profile never stops scoring.
pub fn parse_zone(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or_else(|_| {
        tracing::warn!(zone = name, "unknown shop time zone; using UTC");
        Tz::UTC
    })
}

/// The shop-local date of an instant.
pub fn local_date(zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// Every installed shop with its handle and its local time at `now`: what the daily fan-outs
/// (segment recompute, prediction refit) walk to find the shops whose day has turned.
pub async fn installed_shops_local(
    db: &Db,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(ShopId, ShopDb, DateTime<Tz>)>> {
    let mut out = Vec::new();
    for shop in shops::list_installed(db).await? {
        let handle = shop.db(db);
        let local = now.with_timezone(&zone(&handle).await?);
        out.push((shop.id, handle, local));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_new_york_evening_is_still_the_same_local_day() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 0, 0).unwrap();
        let ny = parse_zone("America/New_York");
        assert_eq!(local_date(ny, at).to_string(), "2026-01-01");
        assert_eq!(
            local_date(parse_zone("Nowhere/Else"), at).to_string(),
            "2026-01-02"
        );
    }
}
