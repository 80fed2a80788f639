//! The customer a compliance request is about, and whether a JSON document mentions them.
//!
//! Shopify may identify a customer by id, email or phone only (SHOPIFY.md §6), so a document
//! matches on any of them: the customer's email or phone as any string value, their id as a
//! `customer` object's `id`, a `customer_id` or a `gid://shopify/Customer/…`, and the request's
//! listed orders by `gid://shopify/Order/…`. Names and addresses are not matched on their own
//! (too ambiguous across customers); they leave with the whole matched document.

use serde::Deserialize;
use serde_json::Value;

/// Who a request concerns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// Shopify's customer id.
    pub id: Option<i64>,
    /// Email, compared case-insensitively.
    pub email: Option<String>,
    /// Phone, compared by its digits.
    pub phone: Option<String>,
    /// Orders the request lists (`orders_to_redact` / `orders_requested`).
    pub orders: Vec<i64>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    customer: Customer,
    #[serde(default)]
    orders_to_redact: Vec<i64>,
    #[serde(default)]
    orders_requested: Vec<i64>,
}

#[derive(Deserialize, Default)]
struct Customer {
    id: Option<i64>,
    email: Option<String>,
    phone: Option<String>,
}

/// Shortest digit string treated as a phone number, so short numbers never match by accident.
const MIN_PHONE_DIGITS: usize = 7;

impl Subject {
    /// Reads the subject of a `customers/redact` or `customers/data_request` payload.
    pub fn from_payload(payload: &str) -> serde_json::Result<Subject> {
        let r: Request = serde_json::from_str(payload)?;
        let mut orders = r.orders_to_redact;
        orders.extend(r.orders_requested);
        let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(Subject {
            id: r.customer.id,
            email: blank(r.customer.email).map(|e| e.trim().to_lowercase()),
            phone: blank(r.customer.phone).filter(|p| digits(p).len() >= MIN_PHONE_DIGITS),
            orders,
        })
    }

    /// Whether the subject names anyone at all (a request without id, email or phone matches
    /// nothing rather than everything).
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.email.is_none() && self.phone.is_none() && self.orders.is_empty()
    }

    /// Whether a JSON document mentions the subject.
    pub fn mentioned_in(&self, doc: &Value) -> bool {
        !self.is_empty() && self.walk(doc, None)
    }

    fn walk(&self, v: &Value, key: Option<&str>) -> bool {
        match v {
            Value::String(s) => self.matches_str(s),
            Value::Number(n) => key == Some("customer_id") && n.as_i64() == self.id,
            Value::Array(items) => items.iter().any(|i| self.walk(i, key)),
            Value::Object(map) => {
                if key == Some("customer")
                    && self.id.is_some()
                    && map.get("id").and_then(Value::as_i64) == self.id
                {
                    return true;
                }
                map.iter().any(|(k, v)| self.walk(v, Some(k)))
            }
            Value::Null | Value::Bool(_) => false,
        }
    }

    fn matches_str(&self, s: &str) -> bool {
        if let Some(email) = &self.email
            && s.trim().eq_ignore_ascii_case(email)
        {
            return true;
        }
        if let Some(phone) = &self.phone
            && same_phone(s, phone)
        {
            return true;
        }
        if let Some(id) = self.id
            && s == format!("gid://shopify/Customer/{id}")
        {
            return true;
        }
        self.orders
            .iter()
            .any(|o| s == format!("gid://shopify/Order/{o}"))
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Same number, allowing a country code of up to three digits on either side
/// (`+1 613-555-0101` and `613 555 0101`). Only strings shaped like a phone are compared.
fn same_phone(candidate: &str, phone: &str) -> bool {
    if !candidate
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return false;
    }
    let (a, b) = (digits(candidate), digits(phone));
    if a.len() < MIN_PHONE_DIGITS || b.len() < MIN_PHONE_DIGITS {
        return false;
    }
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    long.len() - short.len() <= 3 && long.ends_with(&short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn x() -> Subject {
        Subject {
            id: Some(42),
            email: Some("x@example.com".into()),
            phone: Some("613-555-0101".into()),
            orders: vec![7],
        }
    }

    #[test]
    fn matches_each_identifier() {
        let s = x();
        assert!(s.mentioned_in(&json!({"email": "X@Example.com "})));
        assert!(s.mentioned_in(&json!({"a": [{"phone": "+1 (613) 555-0101"}]})));
        assert!(s.mentioned_in(&json!({"customer": {"id": 42}})));
        assert!(s.mentioned_in(&json!({"customer_id": 42})));
        assert!(s.mentioned_in(&json!({"admin_graphql_api_id": "gid://shopify/Customer/42"})));
        assert!(s.mentioned_in(&json!({"admin_graphql_api_id": "gid://shopify/Order/7"})));
    }

    #[test]
    fn ignores_other_customers_and_lookalikes() {
        let s = x();
        assert!(
            !s.mentioned_in(&json!({"customer": {"id": 43}, "id": 42, "total": "6135550101.00"}))
        );
        assert!(!s.mentioned_in(&json!({"email": "y@example.com", "order_id": 42})));
        assert!(!Subject::default().mentioned_in(&json!({"customer": {"id": null}})));
    }
}
