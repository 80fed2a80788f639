//! Rows as one JSON array of arrays, for SQLite's `json_each`: each value written exactly as
//! sqlx would have bound it, so the stored rows are the same whichever path wrote them.

use std::fmt::Write;

use chrono::SecondsFormat;

use crate::db::Arg;

/// `[[v, …], …]`, or `None` when a value has no JSON form SQLite reads back unchanged (bytes,
/// a non-finite float); the caller then binds parameters instead.
pub fn encode(rows: &[Vec<Arg>]) -> Option<String> {
    let mut out = String::with_capacity(rows.len() * 256);
    out.push('[');
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push(',');
        }
        out.push('[');
        for (i, arg) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push(&mut out, arg)?;
        }
        out.push(']');
    }
    out.push(']');
    Some(out)
}

fn push(out: &mut String, arg: &Arg) -> Option<()> {
    match arg {
        Arg::I64(Some(v)) => write!(out, "{v}").ok()?,
        Arg::F64(Some(v)) if v.is_finite() => {
            // `{:?}` keeps a decimal point (`3.0`), so SQLite reads a REAL as sqlx binds it.
            write!(out, "{v:?}").ok()?
        }
        Arg::F64(Some(_)) | Arg::Bytes(Some(_)) => return None,
        // sqlx binds booleans as the integers 0 and 1.
        Arg::Bool(Some(v)) => out.push(if *v { '1' } else { '0' }),
        Arg::Text(Some(s)) => string(out, s),
        // The text sqlx's SQLite encoder writes for `DateTime<Utc>`.
        Arg::Time(Some(t)) => string(out, &t.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
        // A JSON document is stored as its text: carried as a string, unpacked to that text.
        Arg::Json(Some(v)) => string(out, &v.to_string()),
        Arg::I64(None)
        | Arg::F64(None)
        | Arg::Bool(None)
        | Arg::Text(None)
        | Arg::Time(None)
        | Arg::Json(None)
        | Arg::Bytes(None) => out.push_str("null"),
    }
    Some(())
}

fn string(out: &mut String, s: &str) {
    // serde_json escapes exactly what JSON requires; writing into a String cannot fail.
    if let Ok(quoted) = serde_json::to_string(s) {
        out.push_str(&quoted);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn values_are_written_as_sqlx_binds_them() {
        let t = Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).unwrap();
        let rows = vec![vec![
            Arg::I64(Some(i64::MAX)),
            Arg::F64(Some(3.0)),
            Arg::Bool(Some(true)),
            Arg::Text(Some("a \"b\"\n".into())),
            Arg::Time(Some(t)),
            Arg::Json(Some(serde_json::json!({"k": [1]}))),
            Arg::Text(None),
        ]];
        assert_eq!(
            encode(&rows).unwrap(),
            r#"[[9223372036854775807,3.0,1,"a \"b\"\n","2025-03-04T05:06:07+00:00","{\"k\":[1]}",null]]"#
        );
    }

    #[test]
    fn bytes_fall_back_to_bound_parameters() {
        assert_eq!(encode(&[vec![Arg::Bytes(Some(vec![1]))]]), None);
    }
}
