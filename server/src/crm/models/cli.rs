//! `ecomcrm models fit --transactions FILE.csv [--as-of YYYY-MM-DD]`: fits BG/NBD and
//! Gamma-Gamma to an exported transactions file and prints the parameters as one JSON line.
//! Needs no configuration or database; `main.rs` dispatches here before loading either.
//!
//! Input errors (unreadable file, missing column, bad date or amount, no data) print one line
//! naming the line number to stderr and exit with code 2.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use clap::Parser;

use super::bgnbd::BgNbdParams;
use super::gamma_gamma::GammaGammaParams;
use super::shop::{Method, fit_shop};
use super::summary::{Purchase, summarise};

/// Exit code for bad input, as clap uses for bad arguments.
pub const EXIT_BAD_INPUT: u8 = 2;

/// The `models` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Fit BG/NBD and Gamma-Gamma to a transactions CSV and print the parameters as one JSON
    /// line (time in days).
    Fit(FitArgs),
}

/// Arguments of `models fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// CSV with the header `customer_id,date,amount` (date as YYYY-MM-DD, amount net of
    /// refunds). Several purchases by one customer on one day count as one.
    #[arg(long, value_name = "FILE.csv")]
    pub transactions: PathBuf,
    /// Last day of the observation period (inclusive); later purchases are ignored. Defaults
    /// to the latest date in the file.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

/// `models …` parsed on its own, for callers that have the arguments but not the whole CLI.
#[derive(Debug, Parser)]
#[command(name = "ecomcrm models", about = "Purchase-prediction models")]
struct ModelsCli {
    #[command(subcommand)]
    command: ModelsCommand,
}

/// What `models fit` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FitReport {
    /// BG/NBD parameters, `alpha` in days.
    pub bgnbd: BgNbdParams,
    /// Gamma-Gamma parameters, `v` in the file's currency; `None` when no amount is positive.
    pub gamma_gamma: Option<GammaGammaParams>,
    /// Always "days".
    pub time_unit: &'static str,
    /// Customers with a purchase on or before the as-of date.
    pub customers: usize,
    /// Of those, customers with a repeat purchase day.
    pub repeaters: usize,
    /// How the parameters were obtained (small files get the small-shop prior). Not in the
    /// JSON, whose keys are fixed; a note on stderr says when it is not a plain fit.
    #[serde(skip)]
    pub method: Method,
}

/// A problem with the input, worded for the operator.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A problem on one line of the file (1-based; the header is line 1).
    #[error("{path}: line {line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// The line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The transactions parse but no model can be fitted to them.
    #[error("{path}: the models could not be fitted to these transactions")]
    Unfittable {
        /// The file.
        path: String,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        message: String,
    },
}

/// Runs a `models` subcommand, writing the result to `out` and errors to `err`; returns the
/// process exit code.
pub fn run(command: &ModelsCommand, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match command {
        ModelsCommand::Fit(args) => {
            let result = read_to_string(&args.transactions)
                .and_then(|text| fit_transactions(&text, &display(&args.transactions), args.as_of));
            match result {
                Ok(report) => match serde_json::to_string(&report) {
                    Ok(line) => {
                        if report.method != Method::Fitted {
                            let note = format!(
                                "note: too few customers or repeaters for a plain fit; method: {}",
                                report.method.as_str()
                            );
                            write_line(err, &note, 0);
                        }
                        write_line(out, &line, 0)
                    }
                    Err(e) => write_line(err, &format!("error: {e}"), 1),
                },
                Err(e) => write_line(err, &format!("error: {e}"), EXIT_BAD_INPUT),
            }
        }
    }
}

/// Parses `args` as the words after `ecomcrm models` (e.g. `["fit", "--transactions", …]`)
/// and runs them; usage errors are printed like the binary prints them.
pub fn run_args<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv =
        std::iter::once(OsString::from("ecomcrm-models")).chain(args.into_iter().map(Into::into));
    match ModelsCli::try_parse_from(argv) {
        Ok(cli) => run(&cli.command, out, err),
        Err(e) => {
            let code = u8::try_from(e.exit_code()).unwrap_or(EXIT_BAD_INPUT);
            let target: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(target, "{}", e.render());
            code
        }
    }
}

fn write_line(w: &mut dyn Write, line: &str, code: u8) -> u8 {
    match writeln!(w, "{line}") {
        Ok(()) => code,
        Err(_) => 1,
    }
}

fn display(path: &std::path::Path) -> String {
    path.display().to_string()
}

fn read_to_string(path: &std::path::Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Read {
        path: display(path),
        message: e.to_string(),
    })
}

/// The header the file must have (in any column order; extra columns are ignored).
const COLUMNS: [&str; 3] = ["customer_id", "date", "amount"];

/// Fits the models to the CSV `text` (`path` only names the file in errors), observing up to
/// and including `as_of` (default: the latest date in the file).
pub fn fit_transactions(
    text: &str,
    path: &str,
    as_of: Option<NaiveDate>,
) -> Result<FitReport, InputError> {
    let at = |line: usize, message: String| InputError::Line {
        path: path.to_owned(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (_, header) = lines
        .next()
        .filter(|(_, l)| !l.trim().is_empty())
        .ok_or_else(|| {
            at(
                1,
                "the file is empty; expected the header customer_id,date,amount".into(),
            )
        })?;
    let header = split_fields(header.trim_start_matches('\u{feff}'));
    let mut index = [0_usize; 3];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                at(
                    1,
                    format!("missing column `{name}`; the header must be customer_id,date,amount"),
                )
            })?;
    }
    let needed = index.iter().max().map_or(0, |m| m + 1);

    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut purchases: Vec<Vec<Purchase>> = Vec::new();
    let mut latest: Option<NaiveDate> = None;
    // The earliest transaction and its line, to point at when it is after --as-of.
    let mut earliest: Option<(NaiveDate, usize)> = None;
    for (line, raw) in lines {
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split_fields(raw);
        if fields.len() < needed {
            return Err(at(
                line,
                format!("expected {needed} fields, found {}", fields.len()),
            ));
        }
        let customer = fields[index[0]].trim();
        if customer.is_empty() {
            return Err(at(line, "empty customer_id".into()));
        }
        let date_text = fields[index[1]].trim();
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .map_err(|_| at(line, format!("bad date `{date_text}`; expected YYYY-MM-DD")))?;
        let amount_text = fields[index[2]].trim();
        let amount: f64 = amount_text
            .parse()
            .ok()
            .filter(|a: &f64| a.is_finite())
            .ok_or_else(|| {
                at(
                    line,
                    format!("bad amount `{amount_text}`; expected a number"),
                )
            })?;
        if amount < 0.0 {
            return Err(at(
                line,
                format!(
                    "negative amount `{amount_text}`; amounts must be 0 or more (net of refunds)"
                ),
            ));
        }
        let next = ids.len();
        let id = *ids.entry(customer.to_owned()).or_insert(next);
        if id == purchases.len() {
            purchases.push(Vec::new());
        }
        purchases[id].push(Purchase {
            day: f64::from(date.num_days_from_ce()),
            amount,
        });
        latest = latest.max(Some(date));
        if earliest.is_none_or(|(d, _)| date < d) {
            earliest = Some((date, line));
        }
    }
    let latest = latest.ok_or_else(|| at(2, "no transactions after the header".into()))?;
    let as_of = as_of.unwrap_or(latest);
    let end = f64::from(as_of.num_days_from_ce());
    let summaries: Vec<_> = purchases.iter().filter_map(|p| summarise(p, end)).collect();
    if let (true, Some((date, line))) = (summaries.is_empty(), earliest) {
        return Err(at(
            line,
            format!("the earliest transaction ({date}) is after the as-of date {as_of}"),
        ));
    }
    let model = fit_shop(&summaries);
    // fit_shop has BG/NBD parameters unless even the prior-penalised fit failed and it fell
    // back to cadence: then there are no parameters to print.
    let bgnbd = model.bgnbd.ok_or_else(|| InputError::Unfittable {
        path: path.to_owned(),
    })?;
    Ok(FitReport {
        bgnbd,
        gamma_gamma: model.gamma_gamma,
        time_unit: "days",
        customers: model.customers,
        repeaters: model.repeaters,
        method: model.method,
    })
}

/// Splits one CSV line into fields, honouring double quotes (with `""` for a quote inside).
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(text: &str) -> Result<FitReport, String> {
        fit_transactions(text, "t.csv", None).map_err(|e| e.to_string())
    }

    #[test]
    fn bad_files_name_the_line() {
        let cases = [
            ("", "t.csv: line 1: the file is empty"),
            (
                "customer_id,date\n1,2020-01-01\n",
                "t.csv: line 1: missing column `amount`",
            ),
            (
                "customer_id,date,amount\n",
                "t.csv: line 2: no transactions after the header",
            ),
            (
                "customer_id,date,amount\n1,2020-01-01,3\n2,2020-13-01,4\n",
                "t.csv: line 3: bad date `2020-13-01`",
            ),
            (
                "customer_id,date,amount\n1,2020-01-01,-3\n",
                "t.csv: line 2: negative amount `-3`",
            ),
            (
                "customer_id,date,amount\n1,2020-01-01,abc\n",
                "t.csv: line 2: bad amount `abc`",
            ),
            (
                "customer_id,date,amount\n1,2020-01-01,NaN\n",
                "t.csv: line 2: bad amount `NaN`",
            ),
            (
                "customer_id,date,amount\n1,2020-01-01\n",
                "t.csv: line 2: expected 3 fields, found 2",
            ),
            (
                "customer_id,date,amount\n,2020-01-01,1\n",
                "t.csv: line 2: empty customer_id",
            ),
        ];
        for (text, want) in cases {
            let got = fit(text).unwrap_err();
            assert!(got.starts_with(want), "{text:?}: {got}");
            assert!(!got.contains('\n'), "{got}");
        }
        let early = fit_transactions(
            "customer_id,date,amount\n1,2020-01-05,3\n",
            "t.csv",
            NaiveDate::from_ymd_opt(2020, 1, 1),
        );
        assert_eq!(
            early.unwrap_err().to_string(),
            "t.csv: line 2: the earliest transaction (2020-01-05) is after the as-of date 2020-01-01"
        );
    }

    #[test]
    fn quotes_reordered_columns_and_crlf_are_accepted() {
        assert_eq!(
            split_fields("\"1,5\",a,\"say \"\"hi\"\"\""),
            ["1,5", "a", "say \"hi\""]
        );
        let text = [
            "\u{feff}amount,\"customer_id\",date,note\r\n",
            "\"1.5\",a,2020-01-01,\"a, b\"\r\n",
            "2,a,2020-01-01,\r\n",
            "\r\n",
            "4,b,2020-01-03,\"say \"\"hi\"\"\"\r\n",
        ]
        .concat();
        let report = fit(&text).unwrap();
        assert_eq!((report.customers, report.repeaters), (2, 0));
        assert_eq!(report.method, Method::SmallShopPrior);
        assert_eq!(report.time_unit, "days");
    }

    #[test]
    fn usage_errors_exit_with_code_two() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run_args(["fit"], &mut out, &mut err), 2);
        assert!(String::from_utf8_lossy(&err).contains("--transactions"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_args(
            ["fit", "--transactions", "/nonexistent/file.csv"],
            &mut out,
            &mut err,
        );
        assert_eq!(code, 2);
        let msg = String::from_utf8_lossy(&err);
        assert!(
            msg.starts_with("error: cannot read /nonexistent/file.csv"),
            "{msg}"
        );
        assert!(out.is_empty());
    }
}
