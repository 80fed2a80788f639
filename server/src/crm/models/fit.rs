//! What every model fit shares: the optional prior that shrinks small shops towards typical
//! parameters, the fit result, the errors, and the penalised objective in log-parameter space.

/// A Gaussian prior on the log-parameters, used to shrink small shops towards typical values:
/// the fit maximises `log_likelihood − strength · Σ (ln θ − ln θ₀)²`. `strength` 0 is plain
/// maximum likelihood; `strength` s means a standard deviation of 1/√(2s) on each ln θ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prior<P> {
    /// Where the prior is centred.
    pub centre: P,
    /// Penalty weight (see above).
    pub strength: f64,
}

/// A fitted model and how the fit went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit<P> {
    /// The fitted parameters.
    pub params: P,
    /// The log-likelihood at `params` (without any prior penalty).
    pub log_likelihood: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
}

/// Why a fit produced no usable parameters.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum FitError {
    /// There was no data to fit.
    #[error("no customers to fit")]
    NoData,
    /// The optimiser did not find a finite optimum.
    #[error("the fit did not converge")]
    NotConverged,
    /// A parameter ran off to 0 or ∞: the data cannot pin the model down (e.g. no repeaters).
    #[error("the data do not identify the parameters")]
    NotIdentified,
}

/// Parameters beyond e^±20 are treated as outside the model, which keeps the optimiser away
/// from overflow; a fit ending beyond e^±15 is reported as [`FitError::NotIdentified`].
pub(crate) const LOG_BOUND: f64 = 20.0;
pub(crate) const LOG_IDENTIFIED: f64 = 15.0;

/// The penalised negative log-likelihood at log-parameters `theta`, for the optimiser: NaN
/// (rejected) outside ±[`LOG_BOUND`], otherwise `−log_likelihood(theta)` plus
/// `strength · Σ (θ − centre)²` when a prior `(strength, centre logs)` is given.
pub(crate) fn objective(
    theta: &[f64],
    log_likelihood: impl FnOnce(&[f64]) -> f64,
    prior: Option<(f64, &[f64])>,
) -> f64 {
    if theta.iter().any(|v| v.abs() > LOG_BOUND) {
        return f64::NAN;
    }
    let mut value = -log_likelihood(theta);
    if let Some((strength, centre)) = prior {
        value += strength
            * theta
                .iter()
                .zip(centre)
                .map(|(t, c)| (t - c).powi(2))
                .sum::<f64>();
    }
    value
}

/// The search both models run in log-parameter space: yesterday's optimum first (it is almost
/// always next to today's, so one local search suffices), else a local search from the two best
/// grid points and the prior's centre. `params` turns a log vector into parameters and `ll`
/// scores them unpenalised; an optimum at the edge of the identified range is refused.
pub(crate) fn search<P: Copy, const N: usize>(
    f: impl Fn(&[f64]) -> f64 + Copy,
    grid: &[[f64; N]],
    warm: Option<[f64; N]>,
    centre: Option<[f64; N]>,
    params: impl Fn(&[f64]) -> P,
    ll: impl Fn(&P) -> f64,
) -> Result<Fit<P>, FitError> {
    let finish = |best: super::optimise::Minimum| -> Result<Fit<P>, FitError> {
        if !best.value.is_finite() {
            return Err(FitError::NotConverged);
        }
        if best.x.iter().any(|v| v.abs() > LOG_IDENTIFIED) {
            return Err(FitError::NotIdentified);
        }
        let p = params(&best.x);
        Ok(Fit {
            params: p,
            log_likelihood: ll(&p),
            evaluations: best.evaluations,
        })
    };
    if let Some(w) = warm.filter(|w| ll(&params(w)).is_finite())
        && let Ok(fit) = finish(super::optimise::minimise(f, &w))
    {
        return Ok(fit);
    }
    let mut starts: Vec<(f64, [f64; N])> = grid.iter().map(|t| (f(t), *t)).collect();
    starts.sort_by(|p, q| p.0.total_cmp(&q.0));
    starts.truncate(2);
    if let Some(c) = centre {
        starts.push((f(&c), c));
    }
    let best = starts
        .iter()
        .map(|(_, theta)| super::optimise::minimise(f, theta))
        .min_by(|p, q| p.value.total_cmp(&q.value))
        .ok_or(FitError::NotConverged)?;
    finish(best)
}
