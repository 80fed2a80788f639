//! From a customer's purchases to the (x, t_x, T, monetary) summary that BG/NBD and Gamma-Gamma
//! take. No database access: the caller loads the purchases and picks the end of observation.

/// One purchase: when (a day number) and how much (net of refunds, in the shop's currency).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    /// Day number, e.g. days since an epoch in the shop's time zone. Purchases with the same
    /// `floor(day)` are on the same calendar day.
    pub day: f64,
    /// Amount of the purchase.
    pub amount: f64,
}

/// The recency/frequency/monetary summary of one customer at the end of observation.
///
/// All times are in the unit of the purchase days (days for everything in EcomCRM; the CDNOW
/// validation also uses weeks, as the papers do).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerSummary {
    /// Number of repeat purchase days: purchase days after the first one.
    pub x: u32,
    /// Time of the last purchase minus the first (0 when `x` is 0).
    pub t_x: f64,
    /// End of observation minus the first purchase ("T" in the papers).
    pub t: f64,
    /// Mean amount of the repeat purchase days (0 when `x` is 0).
    pub monetary: f64,
    /// Amount of the first purchase day. The models do not use it; the small-shop prior and the
    /// fallbacks use it to learn the shop's order value before anyone has come back.
    pub first_amount: f64,
}

impl CustomerSummary {
    /// Time from the last purchase to the end of observation.
    pub fn since_last(&self) -> f64 {
        (self.t - self.t_x).max(0.0)
    }

    /// The customer's own mean gap between purchases, once there is at least one repeat.
    pub fn mean_gap(&self) -> Option<f64> {
        (self.x > 0 && self.t_x > 0.0).then(|| self.t_x / f64::from(self.x))
    }
}

/// Summarises one customer's purchases up to and including day `end`.
///
/// Purchases on the same calendar day count as one purchase of their summed amount, at that
/// day's earliest time: one basket split into several orders is not a repeat visit (this is how
/// Fader, Hardie & Lee count CDNOW). Purchases after `end` are ignored, and so are purchases
/// with a non-finite day or amount. `None` when no purchase is left.
pub fn summarise(purchases: &[Purchase], end: f64) -> Option<CustomerSummary> {
    let mut kept: Vec<Purchase> = purchases
        .iter()
        .filter(|p| p.day.is_finite() && p.amount.is_finite() && p.day <= end)
        .copied()
        .collect();
    kept.sort_by(|a, b| a.day.total_cmp(&b.day));
    let first = kept.first()?;
    let first_day = first.day;
    let mut first_amount = 0.0;
    let (mut x, mut last_day, mut repeat_total) = (0_u32, first_day, 0.0);
    let mut calendar_day = first_day.floor();
    let mut current_amount = 0.0;
    for p in &kept {
        if p.day.floor() == calendar_day {
            current_amount += p.amount;
            continue;
        }
        // A new calendar day: close the previous one.
        if x == 0 {
            first_amount = current_amount;
        } else {
            repeat_total += current_amount;
        }
        x += 1;
        last_day = p.day;
        calendar_day = p.day.floor();
        current_amount = p.amount;
    }
    if x == 0 {
        first_amount = current_amount;
    } else {
        repeat_total += current_amount;
    }
    Some(CustomerSummary {
        x,
        t_x: last_day - first_day,
        t: end - first_day,
        monetary: if x > 0 {
            repeat_total / f64::from(x)
        } else {
            0.0
        },
        first_amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buy(day: f64, amount: f64) -> Purchase {
        Purchase { day, amount }
    }

    #[test]
    fn same_day_purchases_merge_and_later_ones_are_ignored() {
        let s = summarise(
            &[
                buy(30.0, 5.0),
                buy(10.0, 20.0),
                buy(10.5, 2.0),
                buy(45.0, 7.0),
                buy(45.0, 3.0),
                buy(90.0, 1000.0),
            ],
            60.0,
        )
        .unwrap();
        assert_eq!(
            s,
            CustomerSummary {
                x: 2,
                t_x: 35.0,
                t: 50.0,
                monetary: 7.5,
                first_amount: 22.0,
            }
        );
        assert_eq!(s.since_last(), 15.0);
        assert_eq!(s.mean_gap(), Some(17.5));
    }

    #[test]
    fn single_day_customers_have_no_repeats() {
        let s = summarise(&[buy(3.0, 4.0), buy(3.0, 6.0)], 3.0).unwrap();
        assert_eq!(
            s,
            CustomerSummary {
                x: 0,
                t_x: 0.0,
                t: 0.0,
                monetary: 0.0,
                first_amount: 10.0,
            }
        );
        assert_eq!(s.mean_gap(), None);
    }

    #[test]
    fn nothing_before_the_end_means_no_summary() {
        assert_eq!(summarise(&[], 10.0), None);
        assert_eq!(summarise(&[buy(11.0, 1.0)], 10.0), None);
        assert_eq!(summarise(&[buy(f64::NAN, 1.0)], 10.0), None);
    }
}
