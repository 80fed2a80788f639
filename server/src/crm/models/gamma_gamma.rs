//! The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma Model of
//! Monetary Value"): its likelihood, the maximum-likelihood fit on repeat customers and the
//! conditional expected spend E[M | x, m_x].
//!
//! A purchase's amount is Gamma(p, ν) with ν ~ Gamma(q, v) across customers, so the mean of x
//! repeat amounts has the density used below. `v` is in the shop's currency.

use super::fit::{Fit, FitError, Prior, objective, search};
use super::special::ln_gamma;
use super::summary::CustomerSummary;

/// Gamma-Gamma parameters; `v` has the currency's unit, `p` and `q` have none.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GammaGammaParams {
    /// Shape of each purchase amount.
    pub p: f64,
    /// Shape of the Gamma prior on the customers' rate parameter ν.
    pub q: f64,
    /// Scale of the Gamma prior on ν, in currency.
    pub v: f64,
}

/// Repeat customers' (x, mean repeat spend), grouped by x and deduplicated with counts.
#[derive(Clone, Debug, Default)]
pub struct GammaGammaData {
    groups: Vec<Group>,
    rows: Vec<Row>,
    customers: usize,
    total_spend: f64,
}

#[derive(Clone, Copy, Debug)]
struct Group {
    x: f64,
    count: f64,
    /// Σ n·ln m over the group, so the (px − 1)·ln m term costs nothing per evaluation.
    sum_ln_m: f64,
    rows: (usize, usize),
}

#[derive(Clone, Copy, Debug)]
struct Row {
    m: f64,
    n: f64,
}

impl GammaGammaData {
    /// The repeaters among `customers` (x > 0) with a positive, finite mean repeat spend. A
    /// mean of 0 or less (free or fully refunded orders) has no Gamma density, so it is left out.
    pub fn new(customers: &[CustomerSummary]) -> Self {
        Self::from_spend(customers.iter().map(|c| (c.x, c.monetary)))
    }

    /// Builds the data from (x, mean repeat spend) pairs, keeping x > 0 and spend > 0.
    pub fn from_spend(pairs: impl IntoIterator<Item = (u32, f64)>) -> Self {
        let mut all: Vec<(u32, f64)> = pairs
            .into_iter()
            .filter(|&(x, m)| x > 0 && m.is_finite() && m > 0.0)
            .collect();
        all.sort_by(|p, q| p.0.cmp(&q.0).then(p.1.total_cmp(&q.1)));
        let mut data = GammaGammaData::default();
        for &(x, m) in &all {
            data.customers += 1;
            data.total_spend += m;
            let xf = f64::from(x);
            match data.groups.last_mut() {
                Some(g) if g.x == xf => {
                    g.count += 1.0;
                    g.sum_ln_m += m.ln();
                }
                _ => {
                    let at = data.rows.len();
                    data.groups.push(Group {
                        x: xf,
                        count: 1.0,
                        sum_ln_m: m.ln(),
                        rows: (at, at),
                    });
                }
            }
            // A row may only absorb this history if it belongs to the current group.
            let in_group = data.rows.len() > data.groups.last().map_or(0, |g| g.rows.0);
            match data.rows.last_mut() {
                Some(row) if in_group && row.m == m => row.n += 1.0,
                _ => data.rows.push(Row { m, n: 1.0 }),
            }
            if let Some(g) = data.groups.last_mut() {
                g.rows.1 = data.rows.len();
            }
        }
        data
    }

    /// Number of repeat customers in the data.
    pub fn customers(&self) -> usize {
        self.customers
    }
}

/// The Gamma-Gamma log-likelihood of the customers' mean repeat spends, or NaN when a parameter
/// is not positive and finite.
pub fn log_likelihood(params: &GammaGammaParams, data: &GammaGammaData) -> f64 {
    let GammaGammaParams { p, q, v } = *params;
    if ![p, q, v].iter().all(|t| t.is_finite() && *t > 0.0) {
        return f64::NAN;
    }
    let shared = -ln_gamma(q) + q * v.ln();
    let mut total = 0.0;
    for g in &data.groups {
        let px = p * g.x;
        let per_customer = ln_gamma(px + q) - ln_gamma(px) + shared + px * g.x.ln();
        let mut denominators = 0.0;
        for row in &data.rows[g.rows.0..g.rows.1] {
            denominators += row.n * (v + g.x * row.m).ln();
        }
        total += g.count * per_customer + (px - 1.0) * g.sum_ln_m - (px + q) * denominators;
    }
    total
}

impl GammaGammaParams {
    fn to_logs(self) -> [f64; 3] {
        [self.p.ln(), self.q.ln(), self.v.ln()]
    }

    fn from_logs(theta: &[f64]) -> Self {
        GammaGammaParams {
            p: theta[0].exp(),
            q: theta[1].exp(),
            v: theta[2].exp(),
        }
    }

    /// The population mean spend per purchase, p·v / (q − 1); `None` when q ≤ 1 (infinite).
    pub fn population_mean(&self) -> Option<f64> {
        let mean = self.p * self.v / (self.q - 1.0);
        (self.q > 1.0 && mean.is_finite()).then_some(mean)
    }

    /// E[M | x, m_x]: the expected spend per future purchase of a customer whose `x` repeat
    /// purchases averaged `m_x`, p(v + x·m_x) / (px + q − 1), a weighted mean of the population
    /// mean and the customer's own. For x = 0 that is the population mean. `None` when the
    /// posterior mean is infinite (px + q ≤ 1).
    pub fn conditional_expected_spend(&self, x: u32, m_x: f64) -> Option<f64> {
        let m_x = if m_x.is_finite() { m_x.max(0.0) } else { 0.0 };
        let px = self.p * f64::from(x);
        let denominator = px + self.q - 1.0;
        let spend = self.p * (self.v + f64::from(x) * m_x) / denominator;
        (denominator > 0.0 && spend.is_finite()).then_some(spend)
    }
}

/// Fits Gamma-Gamma by maximum likelihood (penalised by `prior` if given), from `warm_start`
/// when given, else from the best two points of a small grid whose `v` matches the data's mean
/// spend (and the prior's centre).
pub fn fit(
    data: &GammaGammaData,
    prior: Option<&Prior<GammaGammaParams>>,
    warm_start: Option<GammaGammaParams>,
) -> Result<Fit<GammaGammaParams>, FitError> {
    if data.customers == 0 && prior.is_none() {
        return Err(FitError::NoData);
    }
    let centre_logs = prior.map(|p| p.centre.to_logs());
    let penalty = prior
        .zip(centre_logs.as_ref())
        .map(|(p, c)| (p.strength, &c[..]));
    let f = |theta: &[f64]| {
        objective(
            theta,
            |theta| log_likelihood(&GammaGammaParams::from_logs(theta), data),
            penalty,
        )
    };
    let mean_spend = match (data.customers, prior) {
        (0, Some(prior)) => prior.centre.population_mean().unwrap_or(prior.centre.v),
        _ => data.total_spend / data.customers as f64,
    };
    let mut grid: Vec<[f64; 3]> = Vec::with_capacity(9);
    for p in [1.0_f64, 4.0, 16.0] {
        for q in [1.5_f64, 3.0, 8.0] {
            let v = mean_spend * (q - 1.0) / p;
            grid.push([p.ln(), q.ln(), v.ln()]);
        }
    }
    search(
        f,
        &grid,
        warm_start.map(GammaGammaParams::to_logs),
        prior.map(|p| p.centre.to_logs()),
        GammaGammaParams::from_logs,
        |p| log_likelihood(p, data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FH: GammaGammaParams = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };

    #[test]
    fn expected_spend_blends_population_and_customer_means() {
        // Fader & Hardie's example customer: x = 2 repeats averaging $22.35.
        let m = FH.conditional_expected_spend(2, 22.35).unwrap();
        let want = 6.25 * (15.44 + 2.0 * 22.35) / (6.25 * 2.0 + 3.74 - 1.0);
        assert!((m - want).abs() < 1e-12, "{m}");
        assert!((FH.population_mean().unwrap() - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        assert_eq!(FH.conditional_expected_spend(0, 0.0), FH.population_mean());
        let heavy = GammaGammaParams { q: 0.5, ..FH };
        assert_eq!(heavy.population_mean(), None);
        assert_eq!(heavy.conditional_expected_spend(0, 0.0), None);
        assert!(heavy.conditional_expected_spend(1, 10.0).is_some());
    }

    #[test]
    fn the_likelihood_matches_the_density_summed_by_hand() {
        let pairs = [(1, 10.0), (3, 25.0), (3, 25.0), (0, 5.0), (2, 0.0)];
        let data = GammaGammaData::from_spend(pairs);
        assert_eq!(data.customers(), 3);
        let by_hand: f64 = [(1.0, 10.0), (3.0, 25.0), (3.0, 25.0)]
            .iter()
            .map(|&(x, m): &(f64, f64)| {
                let GammaGammaParams { p, q, v } = FH;
                ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
                    + q * v.ln()
                    + (p * x - 1.0) * m.ln()
                    + p * x * x.ln()
                    - (p * x + q) * (v + m * x).ln()
            })
            .sum();
        assert!((log_likelihood(&FH, &data) - by_hand).abs() < 1e-10);
        assert_eq!(
            fit(&GammaGammaData::default(), None, None),
            Err(FitError::NoData)
        );
    }
}
