//! Shopify-sized ids: increasing with creation time, with random gaps (other shops share the id
//! space), and for customers, orders and line items crossing 2^53 partway, so any code that
//! parses ids as floating point loses precision on demo data (SHOPIFY.md §5.8, §15.7).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The largest integer a double holds exactly, plus one.
pub const TWO_POW_53: i64 = 1 << 53;

/// An increasing id sequence.
#[derive(Debug, Clone)]
pub struct IdSeq {
    next: i64,
    max_step: i64,
}

impl IdSeq {
    /// Starts at `start`; each id is 1..=`max_step` above the previous one.
    pub fn new(start: i64, max_step: i64) -> Self {
        Self {
            next: start,
            max_step: max_step.max(1),
        }
    }

    /// Starts so that roughly the last 10% of `count` ids lie above 2^53.
    pub fn crossing_two_pow_53(count: usize, max_step: i64) -> Self {
        let average_step = (max_step.max(1) + 1) / 2;
        let below = (count as i64).saturating_mul(9) / 10;
        Self::new(
            TWO_POW_53 - below.saturating_mul(average_step).max(1),
            max_step,
        )
    }

    /// The next id.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> i64 {
        let id = self.next;
        self.next += rng.random_range(1..=self.max_step);
        id
    }
}
