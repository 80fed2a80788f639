//! Demo customers: names, reserved-domain emails, fictional phones, addresses, tags, email/SMS
//! consent, and a hidden purchase propensity. Propensities are heavy-tailed (Pareto), so a
//! champion core buys again and again while most buyers order once, and some customers never buy.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::ids::IdSeq;
use super::model::{
    Address, Consent, Customer, CustomerState, EmailMarketingState, OptInLevel, SmsMarketingState,
    TagSet,
};
use super::words::{AREA_CODES, CITIES, City, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, STREETS};

/// Share of customers who signed up (newsletter, account) but never ordered.
const NON_BUYER_SHARE: f64 = 0.2;
/// Pareto shape of purchase propensity; lower means a heavier tail.
const PARETO_ALPHA: f64 = 1.3;

/// Customers sorted by `created_at`, with each one's purchase propensity (0 = never buys).
#[derive(Debug)]
pub struct People {
    pub customers: Vec<Customer>,
    pub propensity: Vec<f64>,
}

/// Makes `count` customers who signed up between `start` and `end` (unix seconds).
pub fn generate(rng: &mut ChaCha8Rng, count: usize, start: i64, end: i64) -> People {
    let span = (end - start).max(1) as f64;
    // More sign-ups lately: a growing store.
    let mut signups: Vec<i64> = (0..count)
        .map(|_| start + (span * rng.random::<f64>().powf(0.75)) as i64)
        .collect();
    signups.sort_unstable();
    let city_total: u32 = CITIES.iter().map(|c| c.weight).sum();
    let mut ids = IdSeq::crossing_two_pow_53(count, 2_000);
    let mut phones = 0u32;
    let mut customers = Vec::with_capacity(count);
    let mut propensity = Vec::with_capacity(count);
    for (index, &created_at) in signups.iter().enumerate() {
        let first_name = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let last_name = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        let city = pick_city(rng, city_total);
        let email = rng.random_bool(0.96).then(|| {
            let domain = EMAIL_DOMAINS[rng.random_range(0..EMAIL_DOMAINS.len())];
            format!(
                "{}.{}{}@{domain}",
                ascii_local(first_name),
                ascii_local(last_name),
                index + 1
            )
            .into_boxed_str()
        });
        // Phone-only customers always have a phone; others do about a third of the time.
        let phone = (email.is_none() || rng.random_bool(0.34)).then(|| {
            let n = phones;
            phones += 1;
            // 15 area codes × 10,000 lines in the fictional 555 exchange: unique up to 150,000 phones.
            let area = AREA_CODES[n as usize % AREA_CODES.len()];
            format!("+1{area}555{:04}", (n / AREA_CODES.len() as u32) % 10_000).into_boxed_str()
        });
        let state = match rng.random_range(0..100) {
            0..=29 => CustomerState::Enabled,
            30..=35 => CustomerState::Invited,
            36..=37 => CustomerState::Declined,
            _ => CustomerState::Disabled,
        };
        let email_consent = email_consent(rng, email.is_some(), created_at, end);
        let sms_consent = phone.is_some().then(|| sms_consent(rng, created_at, end));
        let mut tags = 0u16;
        for bit in 1..16 {
            // Tag 0 (VIP) is given to top spenders after orders exist.
            let p = if bit == 1 && email_consent.state == EmailMarketingState::Subscribed {
                0.45
            } else {
                0.04
            };
            if rng.random_bool(p) {
                tags |= 1 << bit;
            }
        }
        let address = rng.random_bool(0.88).then(|| Address {
            number: rng.random_range(1..2400),
            street: STREETS[rng.random_range(0..STREETS.len())],
            city,
            zip_seed: rng.random_range(0..100_000),
        });
        customers.push(Customer {
            id: ids.next(rng),
            first_name,
            last_name,
            email,
            phone,
            created_at,
            updated_at: created_at,
            state,
            verified_email: state == CustomerState::Enabled || rng.random_bool(0.7),
            tags: TagSet(tags),
            email_consent,
            sms_consent,
            address,
            locale: locale_for(city),
            orders_count: 0,
            amount_spent: 0,
            last_order: None,
        });
        let weight = if rng.random_bool(NON_BUYER_SHARE) {
            0.0
        } else {
            // Inverse-CDF Pareto, capped so one customer cannot swallow a small store.
            (1.0 - rng.random::<f64>())
                .powf(-1.0 / PARETO_ALPHA)
                .min(80.0)
        };
        propensity.push(weight);
    }
    People {
        customers,
        propensity,
    }
}

fn pick_city(rng: &mut ChaCha8Rng, total: u32) -> &'static City {
    let mut roll = rng.random_range(0..total);
    for city in CITIES {
        if roll < city.weight {
            return city;
        }
        roll -= city.weight;
    }
    &CITIES[0]
}

fn locale_for(city: &City) -> &'static str {
    match city.country_code {
        "FR" => "fr",
        "DE" => "de",
        "NL" => "nl",
        "JP" => "ja",
        "SE" => "sv",
        "DK" => "da",
        _ => "en",
    }
}

fn email_consent(
    rng: &mut ChaCha8Rng,
    has_email: bool,
    created_at: i64,
    end: i64,
) -> Consent<EmailMarketingState> {
    if !has_email {
        return Consent {
            state: EmailMarketingState::NotSubscribed,
            opt_in_level: OptInLevel::Unknown,
            updated_at: None,
        };
    }
    let state = match rng.random_range(0..100) {
        0..=41 => EmailMarketingState::Subscribed,
        42..=79 => EmailMarketingState::NotSubscribed,
        80..=91 => EmailMarketingState::Unsubscribed,
        92..=95 => EmailMarketingState::Pending,
        96..=98 => EmailMarketingState::Invalid,
        _ => EmailMarketingState::Redacted,
    };
    let opt_in_level = match (state, rng.random_range(0..100)) {
        (EmailMarketingState::NotSubscribed, _) => OptInLevel::Unknown,
        (EmailMarketingState::Pending, _) => OptInLevel::ConfirmedOptIn,
        (_, 0..=69) => OptInLevel::SingleOptIn,
        (_, 70..=94) => OptInLevel::ConfirmedOptIn,
        _ => OptInLevel::Unknown,
    };
    let updated_at =
        (state != EmailMarketingState::NotSubscribed).then(|| consent_time(rng, created_at, end));
    Consent {
        state,
        opt_in_level,
        updated_at,
    }
}

fn sms_consent(rng: &mut ChaCha8Rng, created_at: i64, end: i64) -> Consent<SmsMarketingState> {
    let state = match rng.random_range(0..100) {
        0..=29 => SmsMarketingState::Subscribed,
        30..=84 => SmsMarketingState::NotSubscribed,
        85..=96 => SmsMarketingState::Unsubscribed,
        97..=98 => SmsMarketingState::Pending,
        _ => SmsMarketingState::Redacted,
    };
    let opt_in_level = if state == SmsMarketingState::NotSubscribed {
        OptInLevel::Unknown
    } else {
        OptInLevel::SingleOptIn
    };
    let updated_at =
        (state != SmsMarketingState::NotSubscribed).then(|| consent_time(rng, created_at, end));
    Consent {
        state,
        opt_in_level,
        updated_at,
    }
}

fn consent_time(rng: &mut ChaCha8Rng, created_at: i64, end: i64) -> i64 {
    // Most consents are given at sign-up; some change later (unsubscribes, double opt-in clicks).
    if rng.random_bool(0.7) || end <= created_at {
        created_at
    } else {
        rng.random_range(created_at..=end)
    }
}

/// The local part of an email from a name: ASCII letters only, accents folded.
fn ascii_local(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'ü' | 'ú' => Some('u'),
            'ö' | 'ó' | 'ø' => Some('o'),
            'ä' | 'á' | 'å' => Some('a'),
            'î' | 'í' => Some('i'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_local_parts_are_plain_ascii() {
        assert_eq!(ascii_local("Chloé"), "chloe");
        assert_eq!(ascii_local("O'Brien"), "obrien");
        assert_eq!(ascii_local("de Vries"), "devries");
        assert_eq!(ascii_local("Müller"), "muller");
    }
}
