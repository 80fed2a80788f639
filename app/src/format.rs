//! Dates as a merchant reads them, in the browser's time zone: "Mar 5, 2025" and
//! "Mar 5, 2025, 3:04 PM", and counts and amounts ("15,000", "$49.00"). The app's copy is
//! English, so the format is too.

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

/// A count with thousands separators: 15000 → "15,000".
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    use super::{money, number};

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
}
