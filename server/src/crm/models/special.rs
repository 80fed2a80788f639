//! Special functions the models need: log-gamma, log-beta, the Gauss hypergeometric series
//! 2F1 and a double-exponential quadrature over (0, 1). Pure `f64` maths, no model logic.

use std::f64::consts::PI;

/// Lanczos coefficients for g = 7, n = 9 (the widely used set; about 15 significant digits).
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln Γ(x) for x > 0; NaN for x ≤ 0 or NaN, which the likelihoods turn into "reject this point".
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Reflection keeps the accuracy of the Lanczos sum, which is poor close to 0.
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The most series terms [`hyp2f1`] sums before it gives up.
const MAX_SERIES_TERMS: usize = 200_000;

/// Gauss hypergeometric function 2F1(a, b; c; z) for c > 0 and 0 ≤ z < 1, by its power series.
///
/// For z > 1/2 the series is taken after Euler's transformation
/// 2F1(a, b; c; z) = (1 − z)^(c−a−b) 2F1(c − a, c − b; c; z) when that makes the terms fall
/// faster (their tail behaves like n^(a+b−c−1) zⁿ, resp. n^(c−a−b−1) zⁿ). The series always
/// converges for z < 1 but needs about 37 / (1 − z) terms close to 1; `None` means it did not
/// converge within the term budget or the arguments are outside the supported domain.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    if !(c > 0.0 && (0.0..1.0).contains(&z) && a.is_finite() && b.is_finite()) {
        return None;
    }
    if z > 0.5 && c - a - b > a + b - c {
        let s = hyp2f1_series(c - a, c - b, c, z)?;
        return Some(((c - a - b) * (-z).ln_1p()).exp() * s);
    }
    hyp2f1_series(a, b, c, z)
}

/// The plain series Σ (a)ₙ (b)ₙ zⁿ / ((c)ₙ n!).
fn hyp2f1_series(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    let mut sum = 1.0;
    let mut term = 1.0;
    // Terms can shrink and then grow again while n is below |a|, |b| or c, so only trust a
    // small term once n is past them.
    let settled = a.abs().max(b.abs()).max(c) + 2.0;
    for n in 0..MAX_SERIES_TERMS {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term == 0.0 || (n > settled && term.abs() <= 1e-17 * sum.abs()) {
            return sum.is_finite().then_some(sum);
        }
        if !sum.is_finite() {
            return None;
        }
    }
    None
}

/// A point of the unit interval with its complement and logarithms, each computed without
/// cancellation so integrands can use `p` close to 0 and `1 − p` close to 0 alike.
#[derive(Clone, Copy, Debug)]
pub struct UnitPoint {
    /// p in (0, 1).
    pub p: f64,
    /// 1 − p.
    pub q: f64,
    /// ln p.
    pub ln_p: f64,
    /// ln (1 − p).
    pub ln_q: f64,
}

impl UnitPoint {
    /// The point p = 1 / (1 + e^(−u)) for a logit u.
    fn from_logit(u: f64) -> Self {
        // ln(1 + e^−|u|) is the shared piece of ln p and ln q.
        let soft = (-u.abs()).exp().ln_1p();
        let (ln_p, ln_q) = if u >= 0.0 {
            (-soft, -u - soft)
        } else {
            (u - soft, -soft)
        };
        UnitPoint {
            p: ln_p.exp(),
            q: ln_q.exp(),
            ln_p,
            ln_q,
        }
    }
}

/// ∫₀¹ f(p) dp, where `density(pt)` returns f(p)·p·(1 − p), the integrand in the logit variable
/// u = ln(p / (1 − p)). Returning it in that form lets integrable endpoint singularities such as
/// p^(a−1) with a < 1 be evaluated as exp(a·ln p + …) without overflow.
///
/// Uses the sinh–sinh double-exponential rule u = π·sinh(t) with step halving until two levels
/// agree to 1e-11 (relative), down to a step of 1/128. `None` if it did not settle.
pub fn integrate_unit(density: impl Fn(UnitPoint) -> f64) -> Option<f64> {
    // |t| ≤ 8 reaches logits of ±4700, far past where any density here has mass left.
    const T_MAX: f64 = 8.0;
    let node = |t: f64| {
        let value = density(UnitPoint::from_logit(PI * t.sinh())) * PI * t.cosh();
        if value.is_finite() { value } else { 0.0 }
    };
    let mut h = 0.5;
    let mut sum = node(0.0);
    let mut k = 1.0;
    while k * h <= T_MAX {
        sum += node(k * h) + node(-k * h);
        k += 1.0;
    }
    let mut estimate = sum * h;
    for _ in 0..8 {
        // Halving the step only adds the odd nodes of the finer grid.
        h *= 0.5;
        let mut k = 1.0;
        while k * h <= T_MAX {
            sum += node(k * h) + node(-k * h);
            k += 2.0;
        }
        let refined = sum * h;
        if (refined - estimate).abs() <= 1e-11 * refined.abs() {
            return Some(refined);
        }
        estimate = refined;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        // ln Γ(1/2) = ln √π, Γ(10) = 9!, ln Γ(100) and ln Γ(0.001) from tables (mpmath).
        for (x, want) in [
            (0.5, 0.572_364_942_924_700_1),
            (1.0, 0.0),
            (2.0, 0.0),
            (10.0, 12.801_827_480_081_469),
            (100.0, 359.134_205_369_575_4),
            (0.001, 6.907_178_885_383_853),
            (3.7, 1.428_072_326_665_388),
        ] {
            let got = ln_gamma(x);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                "{x}: {got}"
            );
        }
        assert!(ln_gamma(0.0).is_nan());
        assert!(ln_gamma(-1.5).is_nan());
    }

    #[test]
    fn hyp2f1_matches_closed_forms_and_mpmath() {
        // 2F1(1, 1; 2; z) = −ln(1 − z)/z, also close to 1 where the transformation kicks in.
        for z in [0.1_f64, 0.5, 0.9, 0.99] {
            let want = -(-z).ln_1p() / z;
            assert!(close(hyp2f1(1.0, 1.0, 2.0, z).unwrap(), want, 1e-12), "{z}");
        }
        // 2F1(a, b; b; z) = (1 − z)^(−a).
        assert!(close(
            hyp2f1(0.3, 2.5, 2.5, 0.7).unwrap(),
            0.3_f64.powf(-0.3),
            1e-12
        ));
        // Values from mpmath.hyp2f1 at 30 digits.
        for (a, b, c, z, want) in [
            (
                2.243,
                4.426,
                3.219,
                0.474_025_816_175_219_4,
                7.624_157_498_382_971,
            ),
            (0.243, 2.426, 2.219, 0.95, 2.446_186_677_030_992),
            (10.5, 12.0, 20.0, 0.8, 6_076.902_129_104_736),
        ] {
            let got = hyp2f1(a, b, c, z).unwrap();
            assert!(
                close(got, want, 1e-11),
                "2F1({a},{b};{c};{z}) = {got}, want {want}"
            );
        }
        assert_eq!(hyp2f1(1.0, 1.0, 0.0, 0.5), None);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
    }

    #[test]
    fn quadrature_integrates_beta_densities_with_endpoint_singularities() {
        // ∫ p^(a−1) (1−p)^(b−1) dp = B(a, b), with singular ends for a, b < 1.
        for (a, b) in [(0.3, 0.4), (1.0, 1.0), (2.5, 40.0), (0.05, 3.0)] {
            let got = integrate_unit(|pt| (a * pt.ln_p + b * pt.ln_q).exp()).unwrap();
            let want = ln_beta(a, b).exp();
            assert!(close(got, want, 1e-9), "B({a},{b}) = {got}, want {want}");
        }
    }
}
