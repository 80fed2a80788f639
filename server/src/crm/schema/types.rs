//! GraphQL types shared by the CRM views: money, segments with counts, segment changes.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use shared::Segment;

use crate::crm::customers::ChangeRow;
use crate::sync::money;

/// An exact amount: a decimal string in the currency's minor-unit places, and its code.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// E.g. "1234.50" (never a float).
    pub amount: String,
    /// ISO 4217 code.
    pub currency_code: String,
}

impl Money {
    /// Minor units of `currency`.
    pub fn of(minor: i64, currency: &str) -> Money {
        Money {
            amount: money::decimal(minor, currency),
            currency_code: currency.to_string(),
        }
    }
}

/// A segment and how many customers it holds.
#[derive(SimpleObject, Clone, Debug)]
pub struct SegmentCount {
    /// The stored name (`at_risk`).
    pub segment: String,
    /// What the merchant reads (`At risk`).
    pub label: String,
    pub count: i64,
}

/// Every segment with its count (zeros included, in the fixed order), from grouped rows.
pub fn segment_counts(rows: &[(String, i64)]) -> Vec<SegmentCount> {
    Segment::ALL
        .into_iter()
        .map(|s| SegmentCount {
            segment: s.as_str().to_string(),
            label: s.label().to_string(),
            count: rows
                .iter()
                .find(|(name, _)| name == s.as_str())
                .map_or(0, |(_, n)| *n),
        })
        .collect()
}

/// The label of a stored segment name (the name itself if unknown).
pub fn label(segment: &str) -> String {
    segment
        .parse::<Segment>()
        .map_or_else(|_| segment.to_string(), |s| s.label().to_string())
}

/// A recorded change of segment.
#[derive(SimpleObject, Clone, Debug)]
pub struct SegmentChange {
    pub customer_id: ID,
    pub customer_name: Option<String>,
    pub from_segment: String,
    pub to_segment: String,
    pub from_label: String,
    pub to_label: String,
    pub changed_at: DateTime<Utc>,
    /// The numbers behind the move, in a sentence.
    pub reason: String,
    /// The customer's total spent net of refunds.
    pub value: Money,
}

impl SegmentChange {
    pub fn from_row(r: ChangeRow, currency: &str) -> SegmentChange {
        SegmentChange {
            customer_id: ID(r.customer_id.to_string()),
            customer_name: display_name(r.first_name, r.last_name, None),
            from_label: label(&r.from_segment),
            to_label: label(&r.to_segment),
            from_segment: r.from_segment,
            to_segment: r.to_segment,
            changed_at: r.changed_at,
            reason: r.reason,
            value: Money::of(r.total_spent, currency),
        }
    }
}

/// "First Last", else the email, else none (a redacted or anonymous customer).
pub fn display_name(
    first: Option<String>,
    last: Option<String>,
    email: Option<&str>,
) -> Option<String> {
    let full = [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !full.is_empty() {
        return Some(full);
    }
    email.filter(|e| !e.is_empty()).map(str::to_string)
}
