//! Dates as a merchant reads them, in the browser's time zone: "Mar 5, 2025" and
//! "Mar 5, 2025, 3:04 PM"; how long ago and how long ("3 minutes ago", "2 min 5 s"); counts and
//! amounts ("15,000", "$49.00"). The app's copy is English, so the format is too.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

/// `Intl.DateTimeFormat` options from `(name, value)` pairs.
fn options(pairs: &[(&str, &str)]) -> JsValue {
    let options = Object::new();
    for (name, value) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&options, &(*name).into(), &(*value).into());
    }
    options.into()
}

/// Parses an RFC 3339 time; `None` when the browser can't read it.
fn parse(rfc3339: &str) -> Option<Date> {
    let date = Date::new(&JsValue::from_str(rfc3339));
    (!date.get_time().is_nan()).then_some(date)
}

/// "Mar 5, 2025"; an unreadable value is shown as it came.
pub fn date(rfc3339: &str) -> String {
    match parse(rfc3339) {
        Some(date) => date
            .to_locale_date_string(
                "en-US",
                &options(&[("month", "short"), ("day", "numeric"), ("year", "numeric")]),
            )
            .into(),
        None => rfc3339.to_string(),
    }
}

/// "Mar 5, 2025, 3:04 PM"; an unreadable value is shown as it came.
pub fn date_time(rfc3339: &str) -> String {
    match parse(rfc3339) {
        Some(date) => date
            .to_locale_string(
                "en-US",
                &options(&[
                    ("month", "short"),
                    ("day", "numeric"),
                    ("year", "numeric"),
                    ("hour", "numeric"),
                    ("minute", "2-digit"),
                ]),
            )
            .into(),
        None => rfc3339.to_string(),
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 time; `None` when the browser can't read it.
pub fn millis(rfc3339: &str) -> Option<f64> {
    parse(rfc3339).map(|date| date.get_time())
}

/// The browser's clock, in milliseconds since the Unix epoch.
pub fn now_millis() -> f64 {
    Date::now()
}

/// "just now", "3 minutes ago", "2 hours ago", "5 days ago": how long before `now_ms` the
/// instant `then_ms` was. A time slightly ahead (clocks differ) reads "just now".
pub fn time_ago(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).max(0.0);
    let minutes = (seconds / 60.0).floor() as u64;
    let hours = minutes / 60;
    let days = hours / 24;
    let plural = |n: u64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    if seconds < 60.0 {
        "just now".to_string()
    } else if minutes < 60 {
        plural(minutes, "minute")
    } else if hours < 24 {
        plural(hours, "hour")
    } else {
        plural(days, "day")
    }
}

/// A length of time, to the two largest units: "45 s", "2 min 5 s", "1 h 4 min".
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, m) if s == 0 => format!("{m} min"),
        (0, m) => format!("{m} min {s} s"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Time left, rounded up to the minute: "less than a minute left", "about 2 min left",
/// "about 1 h 5 min left".
pub fn time_left(seconds: u64) -> String {
    if seconds < 60 {
        return "less than a minute left".to_string();
    }
    let minutes = seconds.div_ceil(60);
    format!("about {} left", duration(minutes * 60))
}

/// A throughput: "1,234 rows/s"; below 10 with one decimal ("2.5 rows/s").
pub fn rate(per_second: f64, unit: &str) -> String {
    if per_second < 10.0 {
        format!("{:.1} {unit}/s", per_second.max(0.0))
    } else {
        format!("{} {unit}/s", number(per_second.round() as u64))
    }
}

/// A count with thousands separators: 15000 → "15,000".
pub fn number(n: u64) -> String {
    shared::numbers::thousands(n)
}

/// An amount the server sent as a decimal string ("2000.00") in `currency`: "$2,000.00" for US
/// dollars, "2,000.00 EUR" otherwise. A string that is not a plain decimal is shown as it came.
pub fn money(amount: &str, currency: &str) -> String {
    let (whole, cents) = amount.split_once('.').unwrap_or((amount, ""));
    let amount = match whole.parse::<u64>() {
        Ok(whole) if cents.is_empty() => number(whole),
        Ok(whole) => format!("{}.{cents}", number(whole)),
        Err(_) => amount.to_string(),
    };
    if currency == "USD" {
        format!("${amount}")
    } else {
        format!("{amount} {currency}")
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, money, number, rate, time_ago, time_left};

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_000), "1,000");
        assert_eq!(number(60_000), "60,000");
        assert_eq!(number(1_500_000), "1,500,000");
    }

    #[test]
    fn dollars_get_a_sign() {
        assert_eq!(money("49.00", "USD"), "$49.00");
        assert_eq!(money("49.00", "EUR"), "49.00 EUR");
        assert_eq!(money("2000.00", "USD"), "$2,000.00");
        assert_eq!(money("-1.00", "USD"), "$-1.00");
    }

    #[test]
    fn times_ago_read_naturally() {
        let now = 1_000_000_000.0;
        let ago = |seconds: f64| time_ago(now - seconds * 1000.0, now);
        assert_eq!(ago(-5.0), "just now");
        assert_eq!(ago(59.0), "just now");
        assert_eq!(ago(60.0), "1 minute ago");
        assert_eq!(ago(3.0 * 60.0 + 20.0), "3 minutes ago");
        assert_eq!(ago(2.0 * 3600.0), "2 hours ago");
        assert_eq!(ago(3.0 * 86400.0), "3 days ago");
    }

    #[test]
    fn durations_and_time_left_use_two_units() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(125), "2 min 5 s");
        assert_eq!(duration(120), "2 min");
        assert_eq!(duration(3840), "1 h 4 min");
        assert_eq!(time_left(30), "less than a minute left");
        assert_eq!(time_left(61), "about 2 min left");
        assert_eq!(time_left(3900), "about 1 h 5 min left");
    }

    #[test]
    fn rates_round_sensibly() {
        assert_eq!(rate(1234.4, "rows"), "1,234 rows/s");
        assert_eq!(rate(2.46, "rows"), "2.5 rows/s");
    }
}
