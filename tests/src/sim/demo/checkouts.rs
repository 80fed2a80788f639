//! Demo abandoned checkouts: carts left at the payment step, by known customers (who had signed up
//! by then) or by guests who typed only an email, a few later recovered through the link.

use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;

use super::calendar::{Calendar, DAY};
use super::catalog::Catalog;
use super::currency::Currency;
use super::ids::IdSeq;
use super::model::{AbandonedCheckout, Customer, LineItem, Span};
use super::words::EMAIL_DOMAINS;

/// Share of abandoned checkouts the buyer came back to and paid.
const RECOVERY_RATE: f64 = 0.09;

/// Abandoned checkouts with their cart lines in a flat arena.
#[derive(Debug, Default)]
pub struct CheckoutBook {
    pub checkouts: Vec<AbandonedCheckout>,
    pub items: Vec<LineItem>,
}

/// Makes `count` abandoned checkouts between `start` and `end`, sorted by time.
#[expect(clippy::too_many_arguments, reason = "one call site in the generator")]
pub fn generate(
    rng: &mut ChaCha8Rng,
    count: usize,
    start: i64,
    end: i64,
    calendar: &Calendar,
    catalog: &Catalog,
    customers: &[Customer],
    presentment: &[Currency],
    currency: Currency,
) -> CheckoutBook {
    let mut times: Vec<i64> = (0..count)
        .map(|_| calendar.sample(rng, start, end))
        .collect();
    times.sort_unstable();
    let mut ids = IdSeq::new(31_200_000_000_000, 4_000);
    let mut line_ids = IdSeq::new(52_000_000_000_000, 2_000);
    let mut book = CheckoutBook {
        checkouts: Vec::with_capacity(count),
        items: Vec::with_capacity(count * 2),
    };
    for (n, &created_at) in times.iter().enumerate() {
        // Customers are sorted by sign-up, so those who existed by now are a prefix.
        let known = customers.partition_point(|c| c.created_at <= created_at);
        let customer =
            (known > 0 && rng.random_bool(0.55)).then(|| rng.random_range(0..known) as u32);
        let email = customer.is_none().then(|| {
            let domain = EMAIL_DOMAINS[rng.random_range(0..EMAIL_DOMAINS.len())];
            format!("shopper{}@{domain}", n + 1).into_boxed_str()
        });
        let start_item = book.items.len();
        let mut subtotal = 0;
        for _ in 0..rng.random_range(1..=3) {
            let variant = catalog.pick_variant(rng);
            if book.items[start_item..]
                .iter()
                .any(|l| l.variant == variant)
            {
                continue;
            }
            let unit_price = catalog.variants[variant as usize].price;
            subtotal += unit_price;
            book.items.push(LineItem {
                id: line_ids.next(rng),
                variant,
                quantity: 1,
                unit_price,
            });
        }
        let completed_at = rng
            .random_bool(RECOVERY_RATE)
            .then(|| (created_at + rng.random_range(3_600..=3 * DAY)).min(end));
        let mut token = [0u8; 16];
        rng.fill_bytes(&mut token);
        let city_currency = customer
            .and_then(|c| customers[c as usize].address)
            .map_or(currency, |a| a.city.currency);
        book.checkouts.push(AbandonedCheckout {
            id: ids.next(rng),
            token,
            customer,
            email,
            created_at,
            updated_at: completed_at
                .unwrap_or_else(|| (created_at + rng.random_range(60..1_800)).min(end)),
            completed_at,
            presentment_currency: if presentment.contains(&city_currency) {
                city_currency
            } else {
                currency
            },
            subtotal,
            line_items: Span {
                start: start_item as u32,
                len: (book.items.len() - start_item) as u16,
            },
        });
    }
    book
}
