//! The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
//! Way"): its likelihood, the maximum-likelihood fit and the per-customer quantities (P(alive),
//! expected purchases).
//!
//! While alive a customer buys at rate λ ~ Gamma(r, α); after each purchase they drop out with
//! probability p ~ Beta(a, b). Time is in whatever unit the summaries use (days in the app).

use super::fit::{Fit, FitError, Prior, objective, search};
use super::special::{integrate_unit, ln_beta, ln_gamma};
use super::summary::CustomerSummary;

/// BG/NBD parameters. `alpha` is a time scale (it is 7× larger in days than in weeks); `r`,
/// `a` and `b` have no unit.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BgNbdParams {
    /// Shape of the Gamma prior on purchase rates.
    pub r: f64,
    /// Scale of the Gamma prior on purchase rates, in the unit of time.
    pub alpha: f64,
    /// First shape of the Beta prior on the dropout probability.
    pub a: f64,
    /// Second shape of the Beta prior on the dropout probability.
    pub b: f64,
}

/// The data the likelihood runs over: customers grouped by `x` and deduplicated on
/// (x, t_x, T) with counts, so a daily refit of a million customers evaluates each distinct
/// history once and computes the Gamma-function terms once per distinct `x`.
#[derive(Clone, Debug, Default)]
pub struct BgNbdData {
    groups: Vec<Group>,
    rows: Vec<Row>,
    customers: usize,
    repeaters: usize,
    total_x: f64,
    total_t: f64,
}

#[derive(Clone, Copy, Debug)]
struct Group {
    x: f64,
    count: f64,
    rows: (usize, usize),
}

#[derive(Clone, Copy, Debug)]
struct Row {
    t_x: f64,
    t: f64,
    n: f64,
}

/// Clamps an observed history into the model's domain: 0 ≤ t_x ≤ T; NaN becomes 0.
fn clean(t_x: f64, t: f64) -> (f64, f64) {
    let t_x = t_x.max(0.0);
    let t_x = if t_x.is_finite() { t_x } else { 0.0 };
    (t_x, t.max(t_x))
}

impl BgNbdData {
    /// Aggregates customer summaries. Customers with a non-finite `t` are skipped; the rest are
    /// clamped to 0 ≤ t_x ≤ T.
    pub fn new(customers: &[CustomerSummary]) -> Self {
        Self::from_histories(customers.iter().map(|c| (c.x, c.t_x, c.t)))
    }

    /// Aggregates (x, t_x, T) triples.
    pub fn from_histories(histories: impl IntoIterator<Item = (u32, f64, f64)>) -> Self {
        let mut all: Vec<(u32, f64, f64)> = histories
            .into_iter()
            .filter(|h| h.2.is_finite())
            .map(|(x, t_x, t)| {
                let (t_x, t) = clean(if x == 0 { 0.0 } else { t_x }, t);
                (x, t_x, t)
            })
            .collect();
        all.sort_by(|p, q| {
            p.0.cmp(&q.0)
                .then(p.1.total_cmp(&q.1))
                .then(p.2.total_cmp(&q.2))
        });
        let mut data = BgNbdData::default();
        for &(x, t_x, t) in &all {
            data.customers += 1;
            data.repeaters += usize::from(x > 0);
            data.total_x += f64::from(x);
            data.total_t += t;
            let xf = f64::from(x);
            match data.groups.last_mut() {
                Some(g) if g.x == xf => g.count += 1.0,
                _ => {
                    let at = data.rows.len();
                    data.groups.push(Group {
                        x: xf,
                        count: 1.0,
                        rows: (at, at),
                    });
                }
            }
            // A row may only absorb this history if it belongs to the current group.
            let in_group = data.rows.len() > data.groups.last().map_or(0, |g| g.rows.0);
            match data.rows.last_mut() {
                Some(row) if in_group && row.t_x == t_x && row.t == t => {
                    row.n += 1.0;
                }
                _ => data.rows.push(Row { t_x, t, n: 1.0 }),
            }
            if let Some(g) = data.groups.last_mut() {
                g.rows.1 = data.rows.len();
            }
        }
        data
    }

    /// Number of customers.
    pub fn customers(&self) -> usize {
        self.customers
    }

    /// Number of customers with at least one repeat purchase.
    pub fn repeaters(&self) -> usize {
        self.repeaters
    }

    /// Number of distinct (x, t_x, T) histories the likelihood loops over.
    pub fn distinct_histories(&self) -> usize {
        self.rows.len()
    }
}

/// The BG/NBD log-likelihood of `data` (FHL 2005's per-customer likelihood summed over
/// customers), or NaN when a parameter is not positive and finite.
pub fn log_likelihood(params: &BgNbdParams, data: &BgNbdData) -> f64 {
    let BgNbdParams { r, alpha, a, b } = *params;
    if ![r, alpha, a, b].iter().all(|v| v.is_finite() && *v > 0.0) {
        return f64::NAN;
    }
    let shared = -ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) - ln_gamma(b);
    let mut total = 0.0;
    for g in &data.groups {
        let x = g.x;
        let rx = r + x;
        let per_customer = ln_gamma(rx) + ln_gamma(b + x) - ln_gamma(a + b + x) + shared;
        let rows = &data.rows[g.rows.0..g.rows.1];
        let mut sum = 0.0;
        if x == 0.0 {
            for row in rows {
                sum += row.n * (-rx * (alpha + row.t).ln());
            }
        } else {
            // The likelihood's two terms: still alive at T, or dropped out right after the last
            // purchase. Added in log space to stay finite for large x.
            let dropped = a.ln() - (b + x - 1.0).ln();
            for row in rows {
                let alive = -rx * (alpha + row.t).ln();
                let gone = dropped - rx * (alpha + row.t_x).ln();
                let (hi, lo) = if alive > gone {
                    (alive, gone)
                } else {
                    (gone, alive)
                };
                sum += row.n * (hi + (lo - hi).exp().ln_1p());
            }
        }
        total += g.count * per_customer + sum;
    }
    total
}

impl BgNbdParams {
    fn to_logs(self) -> [f64; 4] {
        [self.r.ln(), self.alpha.ln(), self.a.ln(), self.b.ln()]
    }

    fn from_logs(theta: &[f64]) -> Self {
        BgNbdParams {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
        }
    }
}

/// Fits BG/NBD by maximum likelihood (penalised by `prior` if given; pass `None` for the plain
/// MLE the papers report).
///
/// The optimiser runs in log-parameter space. It starts from `warm_start` when given
/// (yesterday's parameters on a daily refit), else from the best two points of a small grid
/// whose `alpha` is scaled to the data's purchase rate, so the fit does not depend on the time
/// unit (plus the prior's centre when there is a prior). A grid matters: from a poor start the
/// likelihood has a long flat ridge towards b → ∞ (no dropout) where a single local search can
/// stall (scipy's Nelder–Mead from (1, 1, 1, 1) stops there on CDNOW in days).
pub fn fit(
    data: &BgNbdData,
    prior: Option<&Prior<BgNbdParams>>,
    warm_start: Option<BgNbdParams>,
) -> Result<Fit<BgNbdParams>, FitError> {
    if data.customers == 0 {
        return Err(FitError::NoData);
    }
    let centre_logs = prior.map(|p| p.centre.to_logs());
    let penalty = prior
        .zip(centre_logs.as_ref())
        .map(|(p, c)| (p.strength, &c[..]));
    let f = |theta: &[f64]| {
        objective(
            theta,
            |theta| log_likelihood(&BgNbdParams::from_logs(theta), data),
            penalty,
        )
    };
    // Time per purchase, so r/α (the mean purchase rate) roughly matches the data.
    let time_per_purchase = if data.total_t > 0.0 {
        data.total_t / data.total_x.max(1.0)
    } else {
        1.0
    };
    let mut grid: Vec<[f64; 4]> = Vec::with_capacity(27);
    for r in [0.2_f64, 1.0, 5.0] {
        for a in [0.3_f64, 1.0, 3.0] {
            for b in [0.5_f64, 2.5, 10.0] {
                grid.push([r.ln(), (r * time_per_purchase).ln(), a.ln(), b.ln()]);
            }
        }
    }
    search(
        f,
        &grid,
        warm_start.map(BgNbdParams::to_logs),
        centre_logs,
        BgNbdParams::from_logs,
        |p| log_likelihood(p, data),
    )
}

/// Above this z = h/(α+T+h) the 2F1-type series needs thousands of terms, so the expectation is
/// computed by quadrature instead.
const SERIES_MAX_Z: f64 = 0.98;
const SERIES_MAX_TERMS: usize = 10_000;

impl BgNbdParams {
    /// P(alive | x, t_x, T): the probability the customer has not dropped out.
    /// A customer without repeat purchases is alive by the model's assumptions (dropout only
    /// happens right after a purchase), so this is 1 for x = 0.
    pub fn probability_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        if x == 0 {
            return 1.0;
        }
        let (t_x, t) = clean(t_x, t);
        let x = f64::from(x);
        // ln of a/(b+x−1) · ((α+T)/(α+t_x))^(r+x), the odds of having dropped out.
        let ln_odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((t - t_x) / (self.alpha + t_x)).ln_1p();
        let p = 1.0 / (1.0 + ln_odds.exp());
        if p.is_finite() { p } else { 0.0 }
    }

    /// E[Y(h) | x, t_x, T]: expected purchases in the next `horizon` after the end of
    /// observation.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        let (t_x, t) = clean(t_x, t);
        self.probability_alive(x, t_x, t) * self.expected_given_alive(horizon, f64::from(x), t)
    }

    /// E[X(h)]: expected purchases of a new customer in their first `horizon`.
    pub fn expected_purchases(&self, horizon: f64) -> f64 {
        self.expected_given_alive(horizon, 0.0, 0.0)
    }

    /// P(at least one purchase in the next `horizon` | x, t_x, T). While alive the next purchase
    /// comes at rate λ ~ Gamma(r + x, α + T), so this is P(alive)·(1 − ((α+T)/(α+T+h))^(r+x)).
    pub fn probability_purchase_within(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        let (t_x, t) = clean(t_x, t);
        if horizon.is_nan() || horizon <= 0.0 {
            return 0.0;
        }
        let shape = self.r + f64::from(x);
        let reach = -(-shape * (horizon / (self.alpha + t)).ln_1p()).exp_m1();
        self.probability_alive(x, t_x, t) * reach
    }

    /// The time from the end of observation until the customer has even odds of having
    /// purchased again: the median of the next purchase time. `None` when that probability never
    /// reaches 1/2 (the customer more likely than not has dropped out).
    pub fn median_time_to_next_purchase(&self, x: u32, t_x: f64, t: f64) -> Option<f64> {
        let (t_x, t) = clean(t_x, t);
        let alive = self.probability_alive(x, t_x, t);
        if alive <= 0.5 {
            return None;
        }
        // Solve alive · (1 − ((α+T)/(α+T+h))^(r+x)) = 1/2 for h.
        let shape = self.r + f64::from(x);
        let h = (self.alpha + t) * (-(1.0 - 0.5 / alive).ln() / shape).exp_m1();
        h.is_finite().then_some(h)
    }

    /// E[purchases in the next `horizon` | alive at T] for a customer with `x` repeats and age T.
    ///
    /// Given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x), and the expected count is
    /// E_p[(1 − (1 + p·h/(α+T))^−(r+x)) / p]. FHL write it as
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x) 2F1(r+x, b+x; a+b+x−1; z)], z = h/(α+T+h),
    /// which divides by a − 1 and by a 2F1 whose c can be ≤ 0 (x = 0, a+b < 1). After Euler's
    /// transformation of the 2F1 and folding both prefactors into the series, it reads
    ///   −[c·expm1((a−1)L)/(a−1) + e^((a−1)L) Σₙ≥₁ (a+b−1−r)ₙ (a)ₙ₋₁ zⁿ / ((c+1)ₙ₋₁ n!)]
    /// with c = a+b+x−1 and L = ln(1−z): no division by a − 1 or by c, and the terms fall like zⁿ.
    /// Near z = 1 that is slow, so a quadrature over p takes over; if both fail (absurd
    /// parameters), p is set to its mean, which is exact as Beta(a, b+x) concentrates.
    fn expected_given_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        if horizon.is_nan() || horizon <= 0.0 {
            return 0.0;
        }
        let s = horizon / (self.alpha + t);
        if !s.is_finite() {
            return 0.0;
        }
        let z = s / (1.0 + s);
        if z <= SERIES_MAX_Z
            && let Some(v) = self.given_alive_series(s, z, x)
        {
            return v;
        }
        if let Some(v) = self.given_alive_quadrature(s, x) {
            return v;
        }
        let p = self.a / (self.a + self.b + x);
        per_unit_dropout(p, s, self.r + x)
    }

    fn given_alive_series(&self, s: f64, z: f64, x: f64) -> Option<f64> {
        let (r, a, b) = (self.r, self.a, self.b);
        let c = a + b + x - 1.0;
        let shifted = a + b - 1.0 - r;
        let l = -s.ln_1p();
        let eps = a - 1.0;
        let el = eps * l;
        let expm1_ratio = if el.abs() < 1e-10 {
            l * (1.0 + 0.5 * el)
        } else {
            el.exp_m1() / eps
        };
        let settled = shifted.abs().max(a) + 2.0;
        let mut term = shifted * z;
        let mut sum = 0.0;
        let mut done = false;
        for n in 1..SERIES_MAX_TERMS {
            sum += term;
            let nf = n as f64;
            if term == 0.0 || (nf > settled && term.abs() <= 1e-16 * sum.abs()) {
                done = true;
                break;
            }
            term *= (shifted + nf) * (a + nf - 1.0) * z / ((c + nf) * (nf + 1.0));
        }
        let value = -(c * expm1_ratio + el.exp() * sum);
        (done && value.is_finite() && value >= 0.0).then_some(value)
    }

    fn given_alive_quadrature(&self, s: f64, x: f64) -> Option<f64> {
        let (a, shape_b, shape) = (self.a, self.b + x, self.r + x);
        let ln_norm = ln_beta(a, shape_b);
        // Beta(a, b+x) density times p(1−p) (the logit measure), times the count given p.
        let value = integrate_unit(|pt| {
            (a * pt.ln_p + shape_b * pt.ln_q - ln_norm).exp() * per_unit_dropout(pt.p, s, shape)
        })?;
        (value.is_finite() && value >= 0.0).then_some(value)
    }
}

/// (1 − (1 + p·s)^−shape) / p: expected purchases given alive and the dropout probability p,
/// after integrating over λ; tends to shape·s as p → 0.
fn per_unit_dropout(p: f64, s: f64, shape: f64) -> f64 {
    let ps = p * s;
    if ps < 1e-8 {
        shape * s * (1.0 - 0.5 * (shape + 1.0) * ps)
    } else {
        -(-shape * ps.ln_1p()).exp_m1() / p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::models::special::hyp2f1;

    const FHL: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    /// FHL's conditional expectation as printed, with the generic 2F1; only valid where c > 0
    /// and a ≠ 1.
    fn textbook(p: &BgNbdParams, h: f64, x: u32, t_x: f64, t: f64) -> f64 {
        let xf = f64::from(x);
        let z = h / (p.alpha + t + h);
        let f = hyp2f1(p.r + xf, p.b + xf, p.a + p.b + xf - 1.0, z).unwrap();
        (p.a + p.b + xf - 1.0) / (p.a - 1.0)
            * (1.0 - ((p.alpha + t) / (p.alpha + t + h)).powf(p.r + xf) * f)
            * p.probability_alive(x, t_x, t)
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn the_papers_example_customer() {
        // FHL 2005 §5: x = 2, t_x = 30.43, T = 38.86 weeks expects 1.226 purchases in 39 weeks.
        let (x, t_x, t) = (2, 30.43, 38.86);
        let expected = FHL.conditional_expected_purchases(39.0, x, t_x, t);
        assert!((expected - 1.226).abs() < 5e-4, "{expected}");
        // Independent values from scipy (hyp2f1) at the same parameters.
        assert!(close(expected, 1.226_028_174_767_144, 1e-12), "{expected}");
        let alive = FHL.probability_alive(x, t_x, t);
        assert!(close(alive, 0.726_578_570_080_673, 1e-12), "{alive}");
        assert!(close(
            FHL.expected_purchases(39.0),
            1.196_723_193_320_798_5,
            1e-12
        ));
        assert!(close(
            FHL.expected_purchases(78.0),
            1.860_519_057_942_745,
            1e-12
        ));
    }

    #[test]
    fn the_folded_series_agrees_with_the_textbook_formula() {
        for p in [
            FHL,
            BgNbdParams {
                r: 2.0,
                alpha: 10.0,
                a: 3.0,
                b: 5.0,
            },
            BgNbdParams {
                r: 0.5,
                alpha: 1.0,
                a: 0.2,
                b: 1.4,
            },
        ] {
            for (h, x, t_x, t) in [
                (39.0, 0, 0.0, 38.86),
                (5.0, 7, 20.0, 30.0),
                (1.0, 1, 0.5, 0.5),
            ] {
                let got = p.conditional_expected_purchases(h, x, t_x, t);
                let want = textbook(&p, h, x, t_x, t);
                assert!(close(got, want, 1e-10), "{p:?} {h} {x}: {got} vs {want}");
            }
        }
    }

    fn params(r: f64, alpha: f64, a: f64, b: f64) -> BgNbdParams {
        BgNbdParams { r, alpha, a, b }
    }

    #[test]
    fn hard_corners_match_high_precision_values() {
        // (params, h, x, t_x, T, E[Y], tolerance) with E[Y] from mpmath's hyp2f1 at 50 digits:
        // z close to 1 (where the quadrature runs), a = 1 + 1e-7 (the textbook formula divides
        // by a − 1), a + b < 1 with x = 0 (its 2F1 has c < 0), large a, and the degenerate
        // optima seen on small simulated shops (a, b ~ 1e-6; a ~ 2e4, where the series
        // overflows and p is set to its mean).
        let cases = [
            (FHL, 390.0, 0, 0.0, 0.0, 4.362_217_348_407_822, 1e-9),
            (
                params(0.5, 3.0, 1.000_000_1, 0.3),
                100.0,
                0,
                0.0,
                2.0,
                1.261_007_402_721_786_4,
                1e-9,
            ),
            (
                params(0.5, 3.0, 5.0, 50.0),
                1000.0,
                10,
                20.0,
                30.0,
                3.361_566_034_351_088,
                1e-9,
            ),
            (
                params(2.0, 1.0, 0.1, 0.2),
                5.0,
                0,
                0.0,
                0.0,
                5.968_638_839_871_337,
                1e-9,
            ),
            (
                params(1.5, 30.0, 40.0, 120.0),
                365.0,
                3,
                100.0,
                200.0,
                0.600_721_220_526_626_6,
                1e-9,
            ),
            (
                params(0.243, 30.9, 0.793, 2.426),
                36_500.0,
                0,
                0.0,
                0.0,
                12.159_175_575_921_423,
                1e-9,
            ),
            (
                params(0.548_665, 313.96, 7.056e-7, 7.678e-7),
                365.0,
                2,
                50.0,
                300.0,
                1.515_180_084_882_395_2,
                1e-9,
            ),
            (
                params(2.6226, 761.18, 18_590.97, 200_301.7),
                365.0,
                3,
                100.0,
                200.0,
                1.641_939_629_328_200_4,
                1e-6,
            ),
        ];
        for (p, h, x, t_x, t, want, tolerance) in cases {
            let got = p.conditional_expected_purchases(h, x, t_x, t);
            assert!(close(got, want, tolerance), "{p:?} h={h}: {got} vs {want}");
        }
    }

    #[test]
    fn quadrature_and_series_agree_where_both_work() {
        for p in [
            FHL,
            BgNbdParams {
                r: 1.5,
                alpha: 30.0,
                a: 4.0,
                b: 12.0,
            },
        ] {
            for (s, x) in [(0.5, 0.0), (3.0, 2.0), (20.0, 9.0)] {
                let z = s / (1.0 + s);
                let series = p.given_alive_series(s, z, x).unwrap();
                let quad = p.given_alive_quadrature(s, x).unwrap();
                assert!(close(series, quad, 1e-9), "{series} vs {quad}");
            }
        }
    }

    #[test]
    fn edge_histories_give_finite_answers() {
        for (x, t_x, t) in [
            (0, 0.0, 0.0),
            (1, 0.0, 0.0),
            (3, 5.0, 1.0),
            (500, 300.0, 301.0),
        ] {
            let e = FHL.conditional_expected_purchases(90.0, x, t_x, t);
            let alive = FHL.probability_alive(x, t_x, t);
            assert!(e.is_finite() && e >= 0.0, "{x} {t_x} {t}: {e}");
            assert!((0.0..=1.0).contains(&alive));
        }
        assert_eq!(FHL.conditional_expected_purchases(0.0, 2, 3.0, 4.0), 0.0);
        assert_eq!(
            FHL.conditional_expected_purchases(f64::NAN, 2, 3.0, 4.0),
            0.0
        );
    }

    #[test]
    fn the_median_next_purchase_solves_its_equation() {
        let (x, t_x, t) = (10, 300.0, 310.0);
        let p = BgNbdParams {
            r: 0.243,
            alpha: 30.9,
            a: 0.793,
            b: 2.426,
        };
        let h = p.median_time_to_next_purchase(x, t_x, t).unwrap();
        assert!(
            (p.probability_purchase_within(h, x, t_x, t) - 0.5).abs() < 1e-12,
            "{h}"
        );
        // Long gone: no median.
        assert_eq!(p.median_time_to_next_purchase(2, 10.0, 400.0), None);
    }

    #[test]
    fn the_likelihood_is_the_sum_of_per_customer_terms_and_rejects_bad_params() {
        let histories = [
            (0, 0.0, 10.0),
            (0, 0.0, 10.0),
            (2, 4.0, 10.0),
            (1, 9.0, 12.0),
        ];
        let data = BgNbdData::from_histories(histories);
        assert_eq!(data.customers(), 4);
        assert_eq!(data.repeaters(), 2);
        assert_eq!(data.distinct_histories(), 3);
        let one_by_one: f64 = histories
            .iter()
            .map(|h| log_likelihood(&FHL, &BgNbdData::from_histories([*h])))
            .sum();
        assert!(close(log_likelihood(&FHL, &data), one_by_one, 1e-13));
        let bad = BgNbdParams { r: -1.0, ..FHL };
        assert!(log_likelihood(&bad, &data).is_nan());
        assert_eq!(
            fit(&BgNbdData::default(), None, None),
            Err(FitError::NoData)
        );
    }
}
