//! Plans as data: parsed from `plans.toml` (the operator's file) into checked types, so a
//! malformed file stops start-up with one line instead of failing a merchant later.

use std::fmt;

use serde::Deserialize;

/// The plans file built into the binary (the repository's `plans.toml`).
pub const BUILT_IN: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../plans.toml"));

/// An amount in the plans' currency, in hundredths (cents), parsed from a decimal string so no
/// float ever touches money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(pub i64);

impl Cents {
    /// Parses `"19"`, `"19.5"` or `"19.00"`; at most two decimals, not negative.
    pub fn parse(s: &str) -> Option<Cents> {
        let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
        if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        whole.checked_mul(100)?.checked_add(frac).map(Cents)
    }

    /// Parses a Shopify `Decimal` ("20.0", "19.999"), dropping digits below a cent: Shopify
    /// reports amounts this app set in cents, so nothing real is lost. Not a number: `None`.
    pub fn from_shopify(s: &str) -> Option<Cents> {
        let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
        let cents: String = frac.chars().take(2).collect();
        Cents::parse(&format!("{whole}.{cents}"))
    }

    /// The Admin API's decimal form, e.g. `"19.00"`.
    pub fn decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal())
    }
}

/// What a plan allows per shop; `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// Customers kept in the CRM.
    pub customers: Option<u64>,
    /// Marketing emails per 30-day period.
    pub emails_per_month: Option<u64>,
    /// AI requests per period.
    pub ai_requests_per_month: Option<u64>,
    /// Staff who can be assigned inbox tickets.
    pub inbox_seats: Option<u64>,
    /// Automations switched on at once.
    pub active_automations: Option<u64>,
}

/// One plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Stable identifier (`growth`), used in the API and stored with subscriptions.
    pub key: String,
    /// Name shown to merchants and sent to Shopify as the subscription's name.
    pub name: String,
    /// Price per 30 days.
    pub monthly_price: Cents,
    /// Free days before the first charge.
    pub trial_days: u32,
    /// The limits.
    pub limits: Limits,
    /// Price per 1,000 emails beyond the monthly allowance; `None`: sends wait instead.
    pub overage_per_1000_emails: Option<Cents>,
    /// Most usage charges per period (Shopify's capped amount); required with overage.
    pub usage_cap: Option<Cents>,
}

/// Every plan, cheapest first, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plans {
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The plans in file order (cheapest first by convention, checked).
    pub plans: Vec<Plan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    currency: String,
    plans: Vec<RawPlan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    key: String,
    name: String,
    monthly_price: String,
    #[serde(default = "default_trial")]
    trial_days: u32,
    customers: Option<u64>,
    emails_per_month: Option<u64>,
    ai_requests_per_month: Option<u64>,
    inbox_seats: Option<u64>,
    active_automations: Option<u64>,
    overage_per_1000_emails: Option<String>,
    usage_cap: Option<String>,
}

fn default_trial() -> u32 {
    14
}

impl Plans {
    /// Parses and checks a plans file; the error is one line naming the problem.
    pub fn parse(text: &str) -> Result<Plans, String> {
        let file: File = toml::from_str(text).map_err(|e| {
            let message = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].lines().count().max(1);
                    format!("line {line}: {message}")
                }
                None => message,
            }
        })?;
        let currency = file.currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "currency `{}` is not an ISO 4217 code",
                file.currency
            ));
        }
        if file.plans.is_empty() {
            return Err("no [[plans]]".into());
        }
        let mut plans: Vec<Plan> = Vec::with_capacity(file.plans.len());
        for raw in file.plans {
            let plan = check(raw)?;
            if plans
                .iter()
                .any(|p| p.key == plan.key || p.name == plan.name)
            {
                return Err(format!("plan `{}` is listed twice", plan.key));
            }
            if plans
                .last()
                .is_some_and(|p| p.monthly_price > plan.monthly_price)
            {
                return Err(format!(
                    "plan `{}` is cheaper than the one before it; list plans cheapest first",
                    plan.key
                ));
            }
            plans.push(plan);
        }
        Ok(Plans { currency, plans })
    }

    /// The plan with this key.
    pub fn get(&self, key: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.key == key)
    }

    /// The plan Shopify knows by this subscription name.
    pub fn by_name(&self, name: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.name == name)
    }

    /// The cheapest plan after `from` whose limit for `metric` is above `at_least`: the plan
    /// that lifts a refused limit.
    pub fn lifting(
        &self,
        from: &str,
        limit: impl Fn(&Limits) -> Option<u64>,
        at_least: u64,
    ) -> Option<&Plan> {
        let start = self
            .plans
            .iter()
            .position(|p| p.key == from)
            .map_or(0, |i| i + 1);
        self.plans[start..]
            .iter()
            .find(|p| limit(&p.limits).is_none_or(|l| l > at_least))
    }
}

fn check(raw: RawPlan) -> Result<Plan, String> {
    let key = raw.key.trim().to_string();
    let key_ok = !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !key_ok {
        return Err(format!(
            "plan key `{}` must be 1–32 of a-z, 0-9, _",
            raw.key
        ));
    }
    let name = raw.name.trim().to_string();
    if name.is_empty() || name.len() > 255 {
        return Err(format!("plan `{key}`: name must be 1–255 characters"));
    }
    let money = |field: &str, value: &str| {
        Cents::parse(value).ok_or_else(|| {
            format!("plan `{key}`: {field} `{value}` is not an amount like \"19.00\"")
        })
    };
    let monthly_price = money("monthly_price", &raw.monthly_price)?;
    if monthly_price.0 == 0 {
        return Err(format!("plan `{key}`: monthly_price must be above zero"));
    }
    if raw.trial_days > 365 {
        return Err(format!("plan `{key}`: trial_days must be at most 365"));
    }
    let overage = raw
        .overage_per_1000_emails
        .as_deref()
        .map(|v| money("overage_per_1000_emails", v))
        .transpose()?;
    let cap = raw
        .usage_cap
        .as_deref()
        .map(|v| money("usage_cap", v))
        .transpose()?;
    match (overage, cap) {
        (Some(o), Some(c)) if o.0 > 0 && c.0 > 0 => {}
        (None, None) => {}
        _ => {
            return Err(format!(
                "plan `{key}`: overage_per_1000_emails and usage_cap go together, both above zero"
            ));
        }
    }
    Ok(Plan {
        key,
        name,
        monthly_price,
        trial_days: raw.trial_days,
        limits: Limits {
            customers: raw.customers,
            emails_per_month: raw.emails_per_month,
            ai_requests_per_month: raw.ai_requests_per_month,
            inbox_seats: raw.inbox_seats,
            active_automations: raw.active_automations,
        },
        overage_per_1000_emails: overage,
        usage_cap: cap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_plans_are_four_tiers_with_a_trial() {
        let plans = Plans::parse(BUILT_IN).expect("plans.toml");
        let keys: Vec<_> = plans.plans.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["starter", "growth", "pro", "enterprise"]);
        assert!(plans.plans.iter().all(|p| p.trial_days == 14));
        assert_eq!(plans.get("growth").unwrap().monthly_price, Cents(4900));
    }

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(Cents::parse("19"), Some(Cents(1900)));
        assert_eq!(Cents::parse("0.5"), Some(Cents(50)));
        assert_eq!(Cents::parse("1.05"), Some(Cents(105)));
        assert_eq!(Cents(105).decimal(), "1.05");
        assert_eq!(Cents::from_shopify("20.0"), Some(Cents(2000)));
        assert_eq!(Cents::from_shopify("19.999"), Some(Cents(1999)));
        assert_eq!(Cents::from_shopify("7"), Some(Cents(700)));
        assert_eq!(
            Cents::from_shopify("1.aé"),
            None,
            "never panics on odd input"
        );
        for bad in ["", "-1", "1.005", "1e3", "abc", ".5", "1.x"] {
            assert_eq!(Cents::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_malformed_file_names_the_problem_in_one_line() {
        let cases = [
            (
                "currency = \"USD\"\n[[plans]]\nkey = \"a\"\n",
                "missing field",
            ),
            ("currency = \"USD\"\nplans = []\n", "no [[plans]]"),
            (
                "currency = \"dollars\"\n[[plans]]\nkey=\"a\"\nname=\"A\"\nmonthly_price=\"1\"\n",
                "ISO 4217",
            ),
            (
                "currency = \"USD\"\n[[plans]]\nkey=\"a\"\nname=\"A\"\nmonthly_price=\"ten\"\n",
                "not an amount",
            ),
            (
                "currency = \"USD\"\n[[plans]]\nkey=\"a\"\nname=\"A\"\nmonthly_price=\"1\"\nusage_cap=\"5\"\n",
                "go together",
            ),
            (
                "currency = \"USD\"\n[[plans]]\nkey=\"a\"\nname=\"A\"\nmonthly_price=\"1\"\nseats=3\n",
                "unknown field",
            ),
            (
                "currency = \"USD\"\n[[plans]]\nkey=\"b\"\nname=\"B\"\nmonthly_price=\"9\"\n[[plans]]\nkey=\"a\"\nname=\"A\"\nmonthly_price=\"1\"\n",
                "cheapest first",
            ),
        ];
        for (text, expected) in cases {
            let err = Plans::parse(text).expect_err(text);
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn the_plan_that_lifts_a_limit_is_the_next_big_enough_one() {
        let plans = Plans::parse(BUILT_IN).unwrap();
        let seats = |l: &Limits| l.inbox_seats;
        assert_eq!(
            plans.lifting("starter", seats, 2).map(|p| p.key.as_str()),
            Some("growth")
        );
        assert_eq!(
            plans.lifting("starter", seats, 10).map(|p| p.key.as_str()),
            Some("pro")
        );
        assert_eq!(plans.lifting("enterprise", seats, 50), None);
        let automations = |l: &Limits| l.active_automations;
        assert_eq!(
            plans
                .lifting("pro", automations, 30)
                .map(|p| p.key.as_str()),
            Some("enterprise")
        );
    }
}
