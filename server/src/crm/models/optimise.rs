//! Small unconstrained minimisers for the model fits: Nelder–Mead to get close from a rough
//! start, then BFGS with central-difference gradients to finish precisely. The models work in
//! log-parameter space, so "unconstrained" is enough; an objective signals an invalid point by
//! returning a non-finite value, which both methods treat as +∞.

/// The result of a minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The best point found.
    pub x: Vec<f64>,
    /// The objective at `x`.
    pub value: f64,
    /// How many times the objective was evaluated.
    pub evaluations: usize,
    /// Whether the stopping test passed (rather than the evaluation budget running out).
    pub converged: bool,
}

/// Evaluates `f`, mapping NaN and −∞ (an invalid point) to +∞ so comparisons stay total.
fn eval(f: &mut impl FnMut(&[f64]) -> f64, x: &[f64], count: &mut usize) -> f64 {
    *count += 1;
    let v = f(x);
    if v.is_nan() || v == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        v
    }
}

/// Nelder–Mead simplex search from `x0` with an initial edge of `step` along each axis.
///
/// Stops when the objective values across the simplex differ by at most
/// `f_tol · (1 + |f_best|)`, or after `max_evaluations`.
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    step: f64,
    f_tol: f64,
    max_evaluations: usize,
) -> Minimum {
    let n = x0.len();
    let mut count = 0;
    if n == 0 {
        return Minimum {
            x: Vec::new(),
            value: eval(&mut f, x0, &mut count),
            evaluations: count,
            converged: true,
        };
    }
    // Each vertex is (value, point); n ≤ 4 here, so sorting the whole simplex is cheap.
    let mut simplex: Vec<(f64, Vec<f64>)> = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let mut v = x0.to_vec();
        if i > 0 {
            v[i - 1] += step;
        }
        simplex.push((eval(&mut f, &v, &mut count), v));
    }
    let mut centroid = vec![0.0; n];
    let mut reflected_x = vec![0.0; n];
    let mut other_x = vec![0.0; n];
    let mut converged = false;
    // Overwrites a vertex in place, so iterations do not allocate.
    let set = |vertex: &mut (f64, Vec<f64>), value: f64, x: &[f64]| {
        vertex.0 = value;
        vertex.1.copy_from_slice(x);
    };
    // The point centroid + coef·(worst − centroid).
    let towards = |out: &mut [f64], worst: &[f64], coef: f64, centroid: &[f64]| {
        for ((o, c), w) in out.iter_mut().zip(centroid).zip(worst) {
            *o = c + coef * (w - c);
        }
    };
    while count < max_evaluations {
        simplex.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (best, worst) = (simplex[0].0, simplex[n].0);
        if best.is_finite() && worst - best <= f_tol * (1.0 + best.abs()) {
            converged = true;
            break;
        }
        centroid.iter_mut().for_each(|c| *c = 0.0);
        for (_, v) in &simplex[..n] {
            for (c, x) in centroid.iter_mut().zip(v) {
                *c += x / n as f64;
            }
        }
        // Reflect the worst vertex through the centroid of the others.
        towards(&mut reflected_x, &simplex[n].1, -1.0, &centroid);
        let reflected = eval(&mut f, &reflected_x, &mut count);
        if reflected < best {
            towards(&mut other_x, &simplex[n].1, -2.0, &centroid);
            let expanded = eval(&mut f, &other_x, &mut count);
            if expanded < reflected {
                set(&mut simplex[n], expanded, &other_x);
            } else {
                set(&mut simplex[n], reflected, &reflected_x);
            }
            continue;
        }
        if reflected < simplex[n - 1].0 {
            set(&mut simplex[n], reflected, &reflected_x);
            continue;
        }
        // Contract: outside if the reflection helped a little, inside otherwise.
        let (coef, target) = if reflected < worst {
            (-0.5, reflected)
        } else {
            (0.5, worst)
        };
        towards(&mut other_x, &simplex[n].1, coef, &centroid);
        let contracted = eval(&mut f, &other_x, &mut count);
        if contracted < target {
            set(&mut simplex[n], contracted, &other_x);
            continue;
        }
        // Nothing worked: shrink everything towards the best vertex.
        let first = simplex[0].1.clone();
        for vertex in &mut simplex[1..] {
            for (x, b) in vertex.1.iter_mut().zip(&first) {
                *x = b + 0.5 * (*x - b);
            }
            vertex.0 = eval(&mut f, &vertex.1, &mut count);
        }
    }
    simplex.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (value, x) = simplex.swap_remove(0);
    Minimum {
        x,
        value,
        evaluations: count,
        converged,
    }
}

/// Central-difference step in log-parameter space: the truncation error (∝ h²) and the rounding
/// error (∝ ε·|f|/h) balance near 1e-5 for objectives of size 1e3–1e7.
const GRADIENT_STEP: f64 = 1e-5;

fn gradient(f: &mut impl FnMut(&[f64]) -> f64, x: &[f64], g: &mut [f64], count: &mut usize) {
    let mut probe = x.to_vec();
    for i in 0..x.len() {
        probe[i] = x[i] + GRADIENT_STEP;
        let up = eval(f, &probe, count);
        probe[i] = x[i] - GRADIENT_STEP;
        let down = eval(f, &probe, count);
        probe[i] = x[i];
        g[i] = (up - down) / (2.0 * GRADIENT_STEP);
    }
}

/// BFGS quasi-Newton descent from `x0` with numerical gradients and a backtracking (Armijo)
/// line search.
///
/// Converged means the largest gradient component fell below `g_tol · (1 + |f|)`, or that no
/// step along the search direction improves `f` any more while the gradient is already small
/// at the precision numerical differences allow.
pub fn bfgs(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    g_tol: f64,
    max_evaluations: usize,
) -> Minimum {
    let n = x0.len();
    let mut count = 0;
    let mut x = x0.to_vec();
    let mut fx = eval(&mut f, &x, &mut count);
    let mut g = vec![0.0; n];
    let mut h_inv = identity(n);
    let mut converged = false;
    if !fx.is_finite() {
        return Minimum {
            x,
            value: fx,
            evaluations: count,
            converged,
        };
    }
    gradient(&mut f, &x, &mut g, &mut count);
    let mut dir = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut first_step = true;
    while count < max_evaluations {
        if !g.iter().all(|v| v.is_finite()) {
            break;
        }
        if norm_inf(&g) <= g_tol * (1.0 + fx.abs()) {
            converged = true;
            break;
        }
        for i in 0..n {
            dir[i] = -(0..n).map(|j| h_inv[i][j] * g[j]).sum::<f64>();
        }
        let mut slope = dot(&dir, &g);
        if slope >= 0.0 {
            // The approximation lost positive definiteness: restart from steepest descent.
            h_inv = identity(n);
            dir.iter_mut().zip(&g).for_each(|(d, gi)| *d = -gi);
            slope = -dot(&g, &g);
        }
        // The first step has no curvature information, so keep it short in parameter space.
        let mut step = if first_step {
            (1.0 / norm_inf(&dir)).min(1.0)
        } else {
            1.0
        };
        let mut f_new = f64::INFINITY;
        let mut accepted = false;
        for _ in 0..50 {
            for i in 0..n {
                x_new[i] = x[i] + step * dir[i];
            }
            f_new = eval(&mut f, &x_new, &mut count);
            if f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No descent left along this direction: we are at the optimum to within the noise
            // of the numerical gradient.
            converged = norm_inf(&g) <= 1e3 * g_tol * (1.0 + fx.abs());
            break;
        }
        gradient(&mut f, &x_new, &mut g_new, &mut count);
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if first_step {
                // Scale the initial inverse Hessian to the observed curvature (Nocedal & Wright
                // eq. 6.20) so the next unit step is about the right size.
                let scale = sy / dot(&y, &y);
                h_inv = identity(n);
                h_inv
                    .iter_mut()
                    .for_each(|row| row.iter_mut().for_each(|v| *v *= scale));
            }
            bfgs_update(&mut h_inv, &s, &y, sy);
        }
        first_step = false;
        let improvement = fx - f_new;
        x.clone_from(&x_new);
        g.clone_from(&g_new);
        fx = f_new;
        if improvement <= 1e-15 * (1.0 + fx.abs()) && norm_inf(&g) <= 1e3 * g_tol * (1.0 + fx.abs())
        {
            converged = true;
            break;
        }
    }
    Minimum {
        x,
        value: fx,
        evaluations: count,
        converged,
    }
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s).
fn bfgs_update(h: &mut [Vec<f64>], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n).map(|i| dot(&h[i], y)).collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i][j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
        }
    }
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Nelder–Mead from `x0`, then BFGS from where it stopped; returns the better of the two.
pub fn minimise(mut f: impl FnMut(&[f64]) -> f64, x0: &[f64]) -> Minimum {
    let rough = nelder_mead(&mut f, x0, 0.5, 1e-8, 2_000);
    let mut fine = bfgs(&mut f, &rough.x, 1e-9, 2_000);
    fine.evaluations += rough.evaluations;
    if fine.value <= rough.value {
        fine
    } else {
        Minimum {
            evaluations: fine.evaluations,
            ..rough
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64]) -> f64 {
        (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
    }

    #[test]
    fn both_methods_find_the_rosenbrock_valley_floor() {
        let m = minimise(rosenbrock, &[-1.2, 1.0]);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4,
            "{m:?}"
        );
    }

    #[test]
    fn invalid_points_are_walked_around() {
        // A quadratic that is undefined left of x = 0.5: the minimum at 1 is still found.
        let f = |x: &[f64]| {
            if x[0] < 0.5 {
                f64::NAN
            } else {
                (x[0] - 1.0).powi(2) + (x[1] + 2.0).powi(2)
            }
        };
        let m = minimise(f, &[3.0, 3.0]);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] + 2.0).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn an_invalid_start_is_reported_not_panicked_on() {
        let m = bfgs(|_: &[f64]| f64::NAN, &[0.0], 1e-9, 100);
        assert!(!m.converged);
        assert!(m.value.is_infinite());
    }
}
