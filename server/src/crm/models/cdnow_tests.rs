//! Validation against the CDNOW sample (2,357 customers, 39-week calibration to 1997-09-30)
//! and the parameters Fader, Hardie & Lee (2005) and Fader & Hardie (2013) report for it.
//! The fixtures are described in `tests/fixtures/cdnow/README.md`.

use chrono::{Datelike, NaiveDate};

use super::bgnbd::{self, BgNbdData};
use super::gamma_gamma::{self, GammaGammaData};
use super::shop::{Method, fit_shop};
use super::summary::{CustomerSummary, Purchase, summarise};

const SUMMARY: &str =
    include_str!("../../../../tests/fixtures/cdnow/cdnow_customers_summary_with_transactions.csv");
const TRANSACTIONS: &str = include_str!("../../../../tests/fixtures/cdnow/CDNOW_sample.txt");

/// The published summary: (x, t_x, T) in weeks and the mean repeat spend.
fn weekly_summary() -> Vec<CustomerSummary> {
    SUMMARY
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<f64> = l.trim().split(',').map(|v| v.parse().unwrap()).collect();
            CustomerSummary {
                x: f[1] as u32,
                t_x: f[2],
                t: f[3],
                monetary: f[4],
                first_amount: 0.0,
            }
        })
        .collect()
}

/// The raw transactions summarised in days at the end of the calibration period, in the
/// order of the sample's customer ids (1..=2357, as in the summary file).
fn daily_summary_from_transactions() -> Vec<CustomerSummary> {
    let day = |yyyymmdd: &str| {
        let d = NaiveDate::parse_from_str(yyyymmdd, "%Y%m%d").unwrap();
        f64::from(d.num_days_from_ce())
    };
    let mut by_customer: Vec<Vec<Purchase>> = vec![Vec::new(); 2357];
    for line in TRANSACTIONS.lines().filter(|l| !l.trim().is_empty()) {
        // master id, sample id, date, number of CDs, dollar value
        let f: Vec<&str> = line.split_whitespace().collect();
        let id: usize = f[1].parse().unwrap();
        by_customer[id - 1].push(Purchase {
            day: day(f[2]),
            amount: f[4].parse().unwrap(),
        });
    }
    let end = day("19970930");
    by_customer
        .iter()
        .map(|p| summarise(p, end).unwrap())
        .collect()
}

fn in_weeks(days: &[CustomerSummary]) -> Vec<CustomerSummary> {
    days.iter()
        .map(|c| CustomerSummary {
            t_x: c.t_x / 7.0,
            t: c.t / 7.0,
            ..*c
        })
        .collect()
}

#[test]
fn the_raw_transactions_summarise_to_the_published_summary() {
    let weekly = weekly_summary();
    let daily = daily_summary_from_transactions();
    assert_eq!(weekly.len(), 2357);
    for (i, (w, d)) in weekly.iter().zip(&daily).enumerate() {
        // The published file rounds weeks and dollars to 2 decimals.
        assert_eq!(w.x, d.x, "customer {}", i + 1);
        assert!((w.t_x - d.t_x / 7.0).abs() < 0.0051, "customer {}", i + 1);
        assert!((w.t - d.t / 7.0).abs() < 0.0051, "customer {}", i + 1);
        assert!(
            (w.monetary - d.monetary).abs() < 0.0051,
            "customer {}",
            i + 1
        );
    }
}

#[test]
fn bgnbd_reproduces_fader_hardie_lee_on_cdnow() {
    let data = BgNbdData::new(&weekly_summary());
    let fit = bgnbd::fit(&data, None, None).unwrap();
    let p = fit.params;
    // FHL 2005: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    assert!((p.r - 0.243).abs() < 0.005, "{p:?}");
    assert!((p.alpha - 4.414).abs() < 0.05, "{p:?}");
    assert!((p.a - 0.793).abs() < 0.005, "{p:?}");
    assert!((p.b - 2.426).abs() < 0.005, "{p:?}");
    assert!(
        (fit.log_likelihood - -9582.4).abs() < 0.05,
        "{}",
        fit.log_likelihood
    );
    // And the optimum is a real one: scipy (Nelder–Mead then BFGS) finds the same point.
    assert!((p.r - 0.242_593).abs() < 1e-4, "{p:?}");
    assert!((p.alpha - 4.413_532).abs() < 2e-3, "{p:?}");
    assert!((p.a - 0.792_886).abs() < 1e-4, "{p:?}");
    assert!((p.b - 2.425_754).abs() < 1e-3, "{p:?}");
    assert!((fit.log_likelihood - -9_582.425_561).abs() < 1e-4);

    // The paper's example customer: x = 2, t_x = 30.43, T = 38.86 expects 1.226 in 39 weeks.
    let expected = p.conditional_expected_purchases(39.0, 2, 30.43, 38.86);
    assert!((expected - 1.226).abs() < 0.001, "{expected}");
}

#[test]
fn fitting_in_days_scales_alpha_by_seven_and_nothing_else() {
    let daily = daily_summary_from_transactions();
    let days = bgnbd::fit(&BgNbdData::new(&daily), None, None).unwrap();
    let weeks = bgnbd::fit(&BgNbdData::new(&in_weeks(&daily)), None, None).unwrap();
    let (d, w) = (days.params, weeks.params);
    assert!(
        (d.alpha / w.alpha - 7.0).abs() < 7.0 * 1e-4,
        "{d:?} vs {w:?}"
    );
    for (x, y) in [(d.r, w.r), (d.a, w.a), (d.b, w.b)] {
        assert!((x - y).abs() < 1e-4 * y, "{d:?} vs {w:?}");
    }
    // The likelihood of times in days has a Jacobian of 7 per repeat purchase.
    let repeats: f64 = daily.iter().map(|c| f64::from(c.x)).sum();
    let shifted = weeks.log_likelihood - repeats * 7.0_f64.ln();
    assert!((days.log_likelihood - shifted).abs() < 1e-3, "{days:?}");
    // Unrounded raw times give FHL's values too (scipy: α = 30.8952 days, LL = −14363.53).
    assert!((d.alpha - 4.414 * 7.0).abs() < 0.05 * 7.0, "{d:?}");
    assert!((d.alpha - 30.895_2).abs() < 0.01, "{d:?}");
    assert!(
        (days.log_likelihood - -14_363.530_4).abs() < 1e-3,
        "{days:?}"
    );
}

#[test]
fn gamma_gamma_reproduces_fader_hardie_on_cdnow() {
    let data = GammaGammaData::new(&weekly_summary());
    assert_eq!(data.customers(), 946);
    let fit = gamma_gamma::fit(&data, None, None).unwrap();
    let g = fit.params;
    // Fader & Hardie 2013: p = 6.25, q = 3.74, v = 15.44 (lifetimes: 6.25, 3.74, 15.45).
    assert!((g.p - 6.25).abs() < 0.03, "{g:?}");
    assert!((g.q - 3.74).abs() < 0.03, "{g:?}");
    assert!((g.v - 15.44).abs() < 0.08, "{g:?}");
    // scipy on the same file: LL = −4055.9232 at (6.248803, 3.744588, 15.447746).
    assert!(
        (fit.log_likelihood - -4_055.923_2).abs() < 1e-3,
        "{}",
        fit.log_likelihood
    );
    // Their example customer: 2 repeats averaging $22.35 is expected to spend about $24.66.
    let spend = g.conditional_expected_spend(2, 22.35).unwrap();
    assert!((spend - 24.66).abs() < 0.01, "{spend}");
}

#[test]
fn the_shop_fit_on_cdnow_is_a_plain_fit() {
    let daily = daily_summary_from_transactions();
    let model = fit_shop(&daily);
    assert_eq!(model.method, Method::Fitted);
    assert_eq!((model.customers, model.repeaters), (2357, 946));
    let bg = model.bgnbd.unwrap();
    assert!((bg.alpha - 30.895).abs() < 0.01, "{bg:?}");
}
