//! Who buys when: every buyer's first order near sign-up, repeat orders spread by heavy-tailed
//! propensity (scaled by how long the customer has been around), a few guest checkouts, all on
//! the seasonal calendar; and, afterwards, the `VIP` tag for top spenders. Cart contents and
//! statuses are made in `orders.rs`.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::DAY;
use super::model::{Customer, Minor};
use super::orders::OrderInputs;
use super::people::People;

/// Share of orders placed without a customer record.
const GUEST_SHARE: f64 = 0.03;
/// Sentinel for "guest" while planning, so the plan stays two words per order.
pub const GUEST: u32 = u32::MAX;

/// Decides when each order happens and who places it; sorted by time.
pub fn plan_orders(
    rng: &mut ChaCha8Rng,
    input: &OrderInputs<'_>,
    people: &People,
) -> Vec<(i64, u32)> {
    let n = input.count;
    let buyers: Vec<u32> = people
        .propensity
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0)
        .map(|(i, _)| i as u32)
        .collect();
    let guests = if buyers.is_empty() {
        n
    } else {
        ((n as f64 * GUEST_SHARE).round() as usize).min(n)
    };
    let with_customer = n - guests;
    let mut counts = vec![0u32; people.customers.len()];
    if with_customer >= buyers.len() {
        // Everyone who buys buys once; the rest of the orders go by propensity.
        for &b in &buyers {
            counts[b as usize] = 1;
        }
        let span = (input.end - input.start).max(1) as f64;
        let mut acc = 0.0;
        // A customer who signed up late has had less time to come back.
        let cdf: Vec<f64> = buyers
            .iter()
            .map(|&b| {
                let remaining = (input.end - people.customers[b as usize].created_at) as f64 / span;
                acc += people.propensity[b as usize] * remaining.max(0.01);
                acc
            })
            .collect();
        for _ in 0..with_customer - buyers.len() {
            let roll = rng.random::<f64>() * acc;
            let slot = cdf.partition_point(|c| *c < roll).min(buyers.len() - 1);
            counts[buyers[slot] as usize] += 1;
        }
    } else {
        // Fewer orders than buyers: a random subset orders once.
        let mut pool = buyers;
        for i in 0..with_customer {
            let j = rng.random_range(i..pool.len());
            pool.swap(i, j);
            counts[pool[i] as usize] = 1;
        }
    }
    let mut plan = Vec::with_capacity(n);
    for (c, &k) in counts.iter().enumerate() {
        if k == 0 {
            continue;
        }
        let signup = people.customers[c].created_at;
        // Most accounts are created at checkout; the rest buy some days after signing up.
        let first = if rng.random_bool(0.65) {
            signup + rng.random_range(0..600)
        } else {
            signup + (-(1.0 - rng.random::<f64>()).ln() * 12.0 * DAY as f64) as i64
        }
        .min(input.end);
        plan.push((first, c as u32));
        for _ in 1..k {
            plan.push((
                input
                    .calendar
                    .sample(rng, (first + 3_600).min(input.end), input.end),
                c as u32,
            ));
        }
    }
    for _ in 0..guests {
        plan.push((input.calendar.sample(rng, input.start, input.end), GUEST));
    }
    plan.sort_unstable();
    plan
}

/// Tags the top 2% of spenders `VIP` (tag bit 0), as merchants do by hand.
pub fn tag_top_spenders(customers: &mut [Customer]) {
    let mut spenders: Vec<(Minor, usize)> = customers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.amount_spent > 0)
        .map(|(i, c)| (c.amount_spent, i))
        .collect();
    spenders.sort_unstable_by(|a, b| b.cmp(a));
    let top = spenders.len().div_ceil(50);
    for &(_, i) in &spenders[..top] {
        customers[i].tags.0 |= 1;
    }
}
