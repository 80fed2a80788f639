//! Plain-English formatting shared by the facts sent to an LLM and the deterministic writer:
//! money in the shop currency, calendar dates and lists. Pure functions, no locale tables beyond
//! the few currency symbols merchants most often see.

use chrono::{Datelike, NaiveDate};
use shared::numbers::thousands;

use crate::sync::money::exponent;

/// Minor units as a merchant reads them: `$1,234.50`, `¥1,500`, `CHF 99.00`.
///
/// Symbols follow the en-US conventions (`CA$`, `A$`) because a bare `$` is ambiguous across
/// dollar currencies; a currency without a symbol here is written with its ISO code in front.
pub fn money(minor: i64, currency: &str) -> String {
    let places = exponent(currency);
    let scale = 10_u64.pow(places);
    let abs = minor.unsigned_abs();
    let whole = thousands(abs / scale);
    let number = if places == 0 {
        whole
    } else {
        format!("{whole}.{:0width$}", abs % scale, width = places as usize)
    };
    let sign = if minor < 0 { "-" } else { "" };
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{} {number}", currency.trim().to_ascii_uppercase()),
    }
}

fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency.trim().to_ascii_uppercase().as_str() {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "CNY" => "CN¥",
        "INR" => "₹",
        "KRW" => "₩",
        "CAD" => "CA$",
        "AUD" => "A$",
        "NZD" => "NZ$",
        "HKD" => "HK$",
        "MXN" => "MX$",
        "BRL" => "R$",
        "TWD" => "NT$",
        "ILS" => "₪",
        "VND" => "₫",
        "PHP" => "₱",
        _ => return None,
    })
}

/// `12 November 2025`, or `12 November` when it falls in the year of `today`.
pub fn day(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%-d %B").to_string()
    } else {
        date.format("%-d %B %Y").to_string()
    }
}

/// `March 2025`.
pub fn month(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

/// `A`, `A and B`, `A, B and C`.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `1 order`, `7 orders`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `today`, `yesterday`, `96 days ago`.
pub fn days_ago(days: i64) -> String {
    match days {
        i64::MIN..=0 => "today".into(),
        1 => "yesterday".into(),
        n => format!("{n} days ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_currency_exponent_and_groups_thousands() {
        assert_eq!(money(123_450, "USD"), "$1,234.50");
        assert_eq!(money(5, "EUR"), "€0.05");
        assert_eq!(money(150_000, "JPY"), "¥150,000");
        assert_eq!(money(1_250, "KWD"), "KWD 1.250");
        assert_eq!(money(9_900, "chf"), "CHF 99.00");
        assert_eq!(money(-100_000_000, "CAD"), "-CA$1,000,000.00");
        assert_eq!(money(0, "GBP"), "£0.00");
    }

    #[test]
    fn dates_drop_the_year_only_within_the_current_one() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 16).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day(d(2026, 1, 3), today), "3 January");
        assert_eq!(day(d(2025, 11, 12), today), "12 November 2025");
        assert_eq!(month(d(2025, 3, 9)), "March 2025");
    }

    #[test]
    fn lists_counts_and_ages_read_as_english() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&s(&["A"])), "A");
        assert_eq!(list(&s(&["A", "B"])), "A and B");
        assert_eq!(list(&s(&["A", "B", "C"])), "A, B and C");
        assert_eq!(count(1, "order", "orders"), "1 order");
        assert_eq!(count(0, "order", "orders"), "0 orders");
        assert_eq!(days_ago(0), "today");
        assert_eq!(days_ago(1), "yesterday");
        assert_eq!(days_ago(96), "96 days ago");
    }
}
