//! The currencies the demo generator knows, with their minor-unit exponent and a fixed exchange
//! rate, so presentment amounts are reproducible. Rates are rough, fixed on purpose: the demo only
//! needs plausible amounts, never live ones.

/// A currency the demo store can use as shop or presentment currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Currency {
    #[default]
    Usd,
    Eur,
    Gbp,
    Cad,
    Aud,
    Nzd,
    Jpy,
    Chf,
    Sek,
    Dkk,
}

/// (currency, ISO code, decimal places, units per USD)
const TABLE: [(Currency, &str, u32, f64); 10] = [
    (Currency::Usd, "USD", 2, 1.0),
    (Currency::Eur, "EUR", 2, 0.92),
    (Currency::Gbp, "GBP", 2, 0.79),
    (Currency::Cad, "CAD", 2, 1.37),
    (Currency::Aud, "AUD", 2, 1.52),
    (Currency::Nzd, "NZD", 2, 1.66),
    (Currency::Jpy, "JPY", 0, 151.0),
    (Currency::Chf, "CHF", 2, 0.88),
    (Currency::Sek, "SEK", 2, 10.6),
    (Currency::Dkk, "DKK", 2, 6.9),
];

impl Currency {
    /// Parses an ISO 4217 code (any case).
    pub fn parse(code: &str) -> Option<Self> {
        TABLE
            .iter()
            .find(|row| row.1.eq_ignore_ascii_case(code.trim()))
            .map(|row| row.0)
    }

    /// Every supported code, for error messages.
    pub fn supported() -> Vec<&'static str> {
        TABLE.iter().map(|row| row.1).collect()
    }

    fn row(self) -> &'static (Currency, &'static str, u32, f64) {
        // Every variant has a row; the fallback only satisfies the type checker.
        TABLE.iter().find(|row| row.0 == self).unwrap_or(&TABLE[0])
    }

    /// ISO 4217 code, e.g. `USD`.
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// Number of decimal places of the minor unit.
    pub fn exponent(self) -> u32 {
        self.row().2
    }

    /// Converts a major-unit USD amount into this currency's minor units.
    pub fn from_usd(self, usd: f64) -> i64 {
        let row = self.row();
        (usd * row.3 * 10f64.powi(row.2 as i32)).round() as i64
    }

    /// Converts minor units of `self` into minor units of `to` at the fixed rates.
    pub fn convert(self, amount: i64, to: Currency) -> i64 {
        if self == to {
            return amount;
        }
        let from = self.row();
        let target = to.row();
        let usd = amount as f64 / 10f64.powi(from.2 as i32) / from.3;
        (usd * target.3 * 10f64.powi(target.2 as i32)).round() as i64
    }

    /// Formats minor units as Shopify's decimal strings (`"12.50"`, `"1500"` for JPY).
    pub fn format(self, amount: i64) -> String {
        let exp = self.exponent();
        if exp == 0 {
            return amount.to_string();
        }
        let scale = 10i64.pow(exp);
        let sign = if amount < 0 { "-" } else { "" };
        let abs = amount.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale as u64,
            abs % scale as u64,
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_converts() {
        assert_eq!(Currency::Usd.format(1250), "12.50");
        assert_eq!(Currency::Usd.format(-5), "-0.05");
        assert_eq!(Currency::Jpy.format(1500), "1500");
        assert_eq!(Currency::Usd.convert(10000, Currency::Jpy), 15100);
        assert_eq!(Currency::parse("eur"), Some(Currency::Eur));
        assert_eq!(Currency::parse("XXX"), None);
    }
}
