//! Shopify's decimal money strings ("12.34", "1500", "0.5") as exact integer minor units of their
//! currency, using ISO 4217's decimal places (JPY has none, KWD three). Never a float.

/// Decimal places of a currency's minor unit (ISO 4217); 2 for every code not listed.
pub fn exponent(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    let code = currency.trim();
    if ZERO.iter().any(|c| c.eq_ignore_ascii_case(code)) {
        0
    } else if THREE.iter().any(|c| c.eq_ignore_ascii_case(code)) {
        3
    } else {
        2
    }
}

/// Minor units of `currency` as its decimal amount ("1234.50", JPY "1500", KWD "1.250").
pub fn decimal(minor: i64, currency: &str) -> String {
    let places = exponent(currency);
    if places == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(places);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    )
}

/// Why an amount did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a money amount")]
pub struct BadAmount(pub String);

/// Parses a decimal amount into minor units of `currency`. Digits beyond the currency's places
/// must be zeros ("10.50" in JPY is refused, "10.0" is 10): Shopify's shop money never carries
/// more precision than its currency, so anything else is a bad input, not something to round.
pub fn minor_units(amount: &str, currency: &str) -> Result<i64, BadAmount> {
    let bad = || BadAmount(amount.chars().take(40).collect());
    let text = amount.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(bad());
    }
    let places = exponent(currency) as usize;
    let (kept, rest) = fraction.split_at(fraction.len().min(places));
    if rest.bytes().any(|b| b != b'0') {
        return Err(bad());
    }
    let mut value: i64 = 0;
    for b in whole.bytes().chain(kept.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(bad)?;
    }
    for _ in kept.len()..places {
        value = value.checked_mul(10).ok_or_else(bad)?;
    }
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_print_back_as_their_decimal_amount() {
        assert_eq!(decimal(123450, "USD"), "1234.50");
        assert_eq!(decimal(-5, "EUR"), "-0.05");
        assert_eq!(decimal(1500, "JPY"), "1500");
        assert_eq!(decimal(1250, "KWD"), "1.250");
    }

    #[test]
    fn amounts_become_exact_minor_units_per_currency() {
        assert_eq!(minor_units("12.34", "USD"), Ok(1234));
        assert_eq!(minor_units("12.3", "EUR"), Ok(1230));
        assert_eq!(minor_units("12", "GBP"), Ok(1200));
        assert_eq!(minor_units("0.00", "USD"), Ok(0));
        assert_eq!(minor_units("1500", "JPY"), Ok(1500));
        assert_eq!(minor_units("1500.0", "jpy"), Ok(1500));
        assert_eq!(minor_units("1.234", "KWD"), Ok(1234));
        assert_eq!(minor_units("-5.10", "USD"), Ok(-510));
        assert_eq!(minor_units("92233720368547758.07", "USD"), Ok(i64::MAX));
    }

    #[test]
    fn malformed_or_too_precise_amounts_are_refused() {
        for bad in [
            "",
            "abc",
            "1.2.3",
            "1e5",
            ".5",
            "12.345",
            "10.5x",
            "99999999999999999999",
        ] {
            assert!(minor_units(bad, "USD").is_err(), "{bad}");
        }
        assert!(minor_units("10.50", "JPY").is_err());
    }
}
