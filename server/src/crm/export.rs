//! The customer list as CSV: the whole result of the list's current filter and sort, streamed
//! page by page so a million-row export never sits in memory, behind a short-lived sealed
//! ticket (a browser download cannot carry the session token header).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::customers::{self, Cursor, Filter, Row, Sort};
use crate::db::{ShopDb, ShopId};
use crate::shopify::crypto::Cipher;
use crate::sync::money::decimal;

/// How long a ticket may wait before its download starts: it is fetched right after it is
/// made, so a leaked URL is useless within minutes. The download itself may take longer.
pub const TICKET_TTL: Duration = Duration::from_secs(300);

/// Rows read per query while streaming.
const PAGE: i64 = 1_000;

/// The header row.
pub const HEADER: &str = "id,first_name,last_name,email,segment,orders,total_spent,currency,\
    last_order_at,recency_score,frequency_score,monetary_score\r\n";

/// What a download may export: one shop's list under one filter and sort, until `exp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub shop: i64,
    pub segment: Option<String>,
    pub query: Option<String>,
    pub sort: String,
    /// Unix seconds after which the ticket is refused.
    pub exp: i64,
}

/// Why a ticket was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TicketError {
    /// Not made by this server (or altered).
    Invalid,
    /// Made by this server but too old.
    Expired,
}

impl Ticket {
    /// Seals the ticket (AES-256-GCM: nobody can read or alter it) as URL-safe text.
    pub fn seal(&self, cipher: &Cipher) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(cipher.seal(&json))
    }

    /// Opens a sealed ticket, refusing altered and expired ones.
    pub fn open(text: &str, cipher: &Cipher, now: DateTime<Utc>) -> Result<Ticket, TicketError> {
        let sealed = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| TicketError::Invalid)?;
        let json = cipher.open(&sealed).map_err(|_| TicketError::Invalid)?;
        let ticket: Ticket = serde_json::from_str(&json).map_err(|_| TicketError::Invalid)?;
        if now.timestamp() > ticket.exp {
            return Err(TicketError::Expired);
        }
        Ok(ticket)
    }

    /// The shop the ticket was made for. Only this server can seal a ticket, and it seals
    /// shop ids it read from the `shops` table.
    pub fn shop_id(&self) -> ShopId {
        ShopId::from_db(self.shop)
    }

    /// The list filter it exports.
    pub fn filter(&self) -> Filter {
        Filter {
            segment: self.segment.clone(),
            query: self.query.clone(),
        }
    }

    /// The list order it exports.
    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or(Sort::Spent)
    }
}

/// The CSV body: the header, then every matching customer in list order. Each chunk is one
/// page of rows; a database error ends the stream with that error (the client sees a cut-off
/// download, never a file that looks complete).
pub fn stream(
    db: ShopDb,
    filter: Filter,
    sort: Sort,
    currency: String,
) -> impl futures::Stream<Item = Result<Bytes, sqlx::Error>> + Send + 'static {
    let start = State::Header;
    futures::stream::try_unfold(start, move |state| {
        let (db, filter, currency) = (db.clone(), filter.clone(), currency.clone());
        async move {
            let after = match state {
                State::Done => return Ok(None),
                State::Header => return Ok(Some((Bytes::from(HEADER), State::Page(None)))),
                State::Page(after) => after,
            };
            let (rows, more) = customers::page(&db, &filter, sort, PAGE, after).await?;
            let mut chunk = String::with_capacity(rows.len() * 128);
            for row in &rows {
                push_row(&mut chunk, row, &currency);
            }
            let next = match rows.last() {
                Some(last) if more => State::Page(Some(Cursor {
                    key: last.sort_key,
                    id: last.id,
                })),
                _ => State::Done,
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}

enum State {
    Header,
    Page(Option<Cursor>),
    Done,
}

fn push_row(out: &mut String, r: &Row, currency: &str) {
    let score = |s: Option<i64>| s.map(|v| v.to_string()).unwrap_or_default();
    let fields = [
        r.id.to_string(),
        r.first_name.clone().unwrap_or_default(),
        r.last_name.clone().unwrap_or_default(),
        r.email.clone().unwrap_or_default(),
        r.segment.clone(),
        r.orders_count.to_string(),
        decimal(r.total_spent, currency),
        currency.to_string(),
        r.last_order_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        score(r.r_score),
        score(r.f_score),
        score(r.m_score),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Only the free-text fields (names, email) can carry a formula or a delimiter.
        if (1..=3).contains(&i) {
            push_text(out, field);
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// One text cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@`, tab or carriage return first) gets a leading `'`: names come from shoppers, and
/// an export must not become a way to run code on the merchant's machine.
fn push_text(out: &mut String, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || text.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in text.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quote {
        out.push('"');
    }
}

/// The download's file name: `customers-at_risk-2026-11-22.csv`.
pub fn file_name(segment: Option<&str>, today: chrono::NaiveDate) -> String {
    match segment {
        Some(s) => format!("customers-{s}-{today}.csv"),
        None => format!("customers-{today}.csv"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        push_text(&mut out, s);
        out
    }

    #[test]
    fn a_cell_with_a_comma_or_quote_is_quoted_and_a_formula_is_defused() {
        assert_eq!(text("Ann"), "Ann");
        assert_eq!(text("Smith, Jr."), "\"Smith, Jr.\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("-2+3"), "\"'-2+3\"");
        assert_eq!(text("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_sealed_ticket_opens_until_it_expires_and_not_after_any_change() {
        let cipher = Cipher::new(&[3; 32]);
        let now = Utc::now();
        let ticket = Ticket {
            shop: 7,
            segment: Some("loyal".into()),
            query: Some("ann".into()),
            sort: "LAST_ORDER".into(),
            exp: now.timestamp() + 60,
        };
        let sealed = ticket.seal(&cipher);
        assert_eq!(Ticket::open(&sealed, &cipher, now), Ok(ticket.clone()));
        let later = now + chrono::Duration::seconds(61);
        assert_eq!(
            Ticket::open(&sealed, &cipher, later),
            Err(TicketError::Expired)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(
            Ticket::open(&altered, &cipher, now),
            Err(TicketError::Invalid)
        );
        assert_eq!(
            Ticket::open(&sealed, &Cipher::new(&[4; 32]), now),
            Err(TicketError::Invalid)
        );
        assert_eq!(
            Ticket::open("not a ticket", &cipher, now),
            Err(TicketError::Invalid)
        );
    }
}
