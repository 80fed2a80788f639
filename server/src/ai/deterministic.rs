//! The deterministic writer: the facts in plain sentences, without a model. It answers when no
//! LLM is configured and whenever the LLM cannot be asked (rate limit, plan limit) or fails.
//!
//! It states what the facts say and nothing else. Names are never turned into gendered
//! pronouns (the data has no gender): sentences use the first name, or "This customer" and
//! "their" when there is none.

use super::facts::CustomerFacts;
use super::format::{count, day, days_ago, list, month};
use super::writer::{Insight, InsightWriter, WriteFuture};

/// The provider name of this writer's texts.
pub const PROVIDER: &str = "deterministic";

/// Writes insights from the facts alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeterministicWriter;

impl InsightWriter for DeterministicWriter {
    fn write<'a>(&'a self, facts: &'a CustomerFacts) -> WriteFuture<'a> {
        Box::pin(async move { Ok(insight(facts)) })
    }
}

/// The deterministic insight (no IO, so callers need not await a writer for it).
pub fn insight(facts: &CustomerFacts) -> Insight {
    Insight {
        text: describe(facts),
        provider: PROVIDER.to_string(),
        model: None,
    }
}

/// How the customer is named: a first name, or "This customer" when there is none.
struct Names {
    /// The subject at the start of a sentence ("Ada", "This customer").
    who: String,
    /// The possessive at the start of a sentence ("Ada's", "Their").
    whose: String,
    /// The possessive inside a sentence ("Ada's", "their").
    whose_mid: String,
}

impl Names {
    fn of(f: &CustomerFacts) -> Self {
        match &f.first_name {
            Some(name) => Self {
                who: name.clone(),
                whose: format!("{name}'s"),
                whose_mid: format!("{name}'s"),
            },
            None => Self {
                who: "This customer".into(),
                whose: "Their".into(),
                whose_mid: "their".into(),
            },
        }
    }
}

/// The sentences.
pub fn describe(f: &CustomerFacts) -> String {
    let n = Names::of(f);
    let mut sentences = vec![history(f, &n)];
    sentences.extend(last_order(f, &n));
    sentences.extend(segment(f, &n));
    sentences.extend(products(f, &n));
    if f.refunds_count > 0 {
        let there = if f.refunds_count == 1 {
            "There has been"
        } else {
            "There have been"
        };
        sentences.push(format!(
            "{there} {} on {} orders.",
            count(f.refunds_count, "refund", "refunds"),
            n.whose_mid
        ));
    }
    sentences.extend(prediction(f));
    sentences.join(" ")
}

/// The first sentence: how many orders, worth how much, since when, and how often.
fn history(f: &CustomerFacts, n: &Names) -> String {
    let who = &n.who;
    let spent = f.total_spent.formatted();
    let net = if f.refunds_count > 0 {
        " after refunds"
    } else {
        ""
    };
    match f.orders_count {
        0 => format!("{who} has not placed an order yet."),
        1 => {
            let when = match (f.first_order_on, f.days_since_last_order) {
                (Some(d), Some(days)) => format!(", on {} ({})", day(d, f.as_of), days_ago(days)),
                (Some(d), None) => format!(", on {}", day(d, f.as_of)),
                (None, _) => String::new(),
            };
            format!("{who} has placed 1 order, worth {spent}{net}{when}.")
        }
        orders => {
            let mut s = format!("{who} has placed {orders} orders");
            if let Some(first) = f.first_order_on {
                s.push_str(&format!(" since {}", month(first)));
            }
            s.push_str(&format!(", worth {spent}{net}"));
            match f.average_days_between_orders {
                Some(gap) if gap >= 1 => {
                    s.push_str(&format!(", about one every {}", count(gap, "day", "days")));
                }
                Some(_) => s.push_str(", all within a day"),
                None => {}
            }
            s.push('.');
            s
        }
    }
}

fn last_order(f: &CustomerFacts, n: &Names) -> Option<String> {
    let last = f.last_order_on?;
    Some(match (f.orders_count, f.days_since_last_order) {
        // The first sentence already dates a single order.
        (0 | 1, _) => return None,
        (_, Some(days)) => format!(
            "{} last order was {} ({}).",
            n.whose,
            days_ago(days),
            day(last, f.as_of)
        ),
        (_, None) => format!("{} last order was on {}.", n.whose, day(last, f.as_of)),
    })
}

fn segment(f: &CustomerFacts, n: &Names) -> Option<String> {
    if let Some(c) = &f.latest_change {
        let reason = c.reason.trim().trim_end_matches('.');
        let because = if reason.is_empty() {
            String::new()
        } else {
            format!(": {}", sentence_case_off(reason))
        };
        return Some(format!(
            "On {} {} segment changed from {} to {}{because}.",
            day(c.on, f.as_of),
            n.whose_mid,
            c.from.label(),
            c.to.label(),
        ));
    }
    let s = f.scores?;
    Some(format!(
        "{} segment is {} (recency {}/5, frequency {}/5, spend {}/5).",
        n.whose,
        f.segment.label(),
        s.recency,
        s.frequency,
        s.monetary
    ))
}

fn products(f: &CustomerFacts, n: &Names) -> Option<String> {
    let titles: Vec<String> = f.top_products.iter().map(|p| p.title.clone()).collect();
    match titles.len() {
        0 => None,
        _ if f.orders_count <= 1 => Some(format!("That order included {}.", list(&titles))),
        1 => Some(format!(
            "{} most ordered product is {}.",
            n.whose, titles[0]
        )),
        _ => Some(format!(
            "{} most ordered products are {}.",
            n.whose,
            list(&titles)
        )),
    }
}

fn prediction(f: &CustomerFacts) -> Option<String> {
    let p = f.prediction.as_ref()?;
    let mut parts = Vec::new();
    if let Some(prob) = p.probability_order_365d {
        let percent = (prob.clamp(0.0, 1.0) * 100.0).round() as i64;
        parts.push(format!(
            "a {percent}% chance of another order within a year"
        ));
    }
    if let Some(on) = p.expected_next_order_on {
        parts.push(format!("a next order expected around {}", day(on, f.as_of)));
    }
    if let Some(clv) = &p.clv_365d {
        parts.push(format!(
            "about {} expected over the next 12 months",
            clv.formatted()
        ));
    }
    let mut s = if parts.is_empty() {
        String::new()
    } else {
        format!("The prediction gives {}.", list(&parts))
    };
    if let Some(reason) = p.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(reason);
        if !reason.ends_with('.') {
            s.push('.');
        }
    }
    (!s.is_empty()).then_some(s)
}

/// "Last order 200 days ago" → "last order 200 days ago", to follow a colon; a word in
/// capitals (an acronym) keeps its case.
fn sentence_case_off(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), s.chars().nth(1)) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
#[path = "deterministic_tests.rs"]
mod tests;
