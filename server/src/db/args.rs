//! Query parameters that bind the same way on SQLite and PostgreSQL.

use chrono::{DateTime, Utc};

/// One bound value. Each variant maps to a native type on both engines
/// (TEXT/TIMESTAMPTZ for times, TEXT/JSONB for JSON), so the same SQL runs on either.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A 64-bit integer (Shopify ids, money in minor units, counters).
    I64(Option<i64>),
    /// A float (model parameters; never money).
    F64(Option<f64>),
    /// A boolean.
    Bool(Option<bool>),
    /// Text.
    Text(Option<String>),
    /// A UTC instant.
    Time(Option<DateTime<Utc>>),
    /// A JSON document.
    Json(Option<serde_json::Value>),
    /// Raw bytes (encrypted secrets).
    Bytes(Option<Vec<u8>>),
}

macro_rules! arg_from {
    ($variant:ident, $ty:ty, $conv:expr) => {
        impl From<$ty> for Arg {
            fn from(v: $ty) -> Self {
                Arg::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$ty>> for Arg {
            fn from(v: Option<$ty>) -> Self {
                Arg::$variant(v.map($conv))
            }
        }
    };
}

arg_from!(I64, i64, |v| v);
arg_from!(I64, i32, i64::from);
arg_from!(I64, u32, i64::from);
arg_from!(F64, f64, |v| v);
arg_from!(Bool, bool, |v| v);
arg_from!(Text, String, |v| v);
arg_from!(Text, &str, str::to_string);
arg_from!(Text, &String, String::clone);
arg_from!(Time, DateTime<Utc>, |v| v);
arg_from!(Json, serde_json::Value, |v| v);
arg_from!(Bytes, Vec<u8>, |v| v);
arg_from!(Text, uuid::Uuid, |v: uuid::Uuid| v.to_string());
