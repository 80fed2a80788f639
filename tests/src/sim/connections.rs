//! Paginated record connections as the Admin API serves them: `customers`, `orders`, `products`
//! and `abandonedCheckouts` with `first`/`after`, `last`/`before`, `reverse`, `sortKey` (`ID`,
//! `UPDATED_AT`, `CREATED_AT`, `PROCESSED_AT`, `CHECKOUT_ID`; others answer an error) and `query`
//! (search syntax: `updated_at`, `created_at`, `processed_at` and `id` with `:`, `:>`, `:>=`,
//! `:<`, `:<=`, values quoted or not, terms joined by spaces or `AND`; other terms are ignored,
//! as Shopify ignores what it cannot parse). Cursors are opaque base64 JSON
//! (`{"last_id":N,"last_value":N}`), stable across changes: a page continues after the last
//! record seen in the sort order, so a record updated meanwhile moves to the end of an
//! `UPDATED_AT` scan rather than being lost.
//!
//! Nested connections (`lineItems`, `variants`, `images`) and `refunds(first:)` take their page
//! size from the first occurrence in the node selection; nested pages do not paginate further.

use async_graphql_parser::types::{Field, SelectionSet};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value as Json, json};

use super::records::{Kind, Nested, Records, SortField, Src, sort_value};
use super::resolve::{Ctx, Resolved, RootField};

/// The largest page Shopify serves.
pub const MAX_PAGE: usize = 250;

/// A position in a sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub value: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        BASE64.encode(format!(
            "{{\"last_id\":{},\"last_value\":{}}}",
            self.id, self.value
        ))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = BASE64.decode(text).ok()?;
        let json: Json = serde_json::from_slice(&bytes).ok()?;
        Some(Self {
            id: json.get("last_id")?.as_i64()?,
            value: json.get("last_value")?.as_i64()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A parsed `query:` search string (the terms the simulator understands).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    terms: Vec<(SortField, Op, i64)>,
}

impl Filter {
    pub fn parse(query: &str) -> Self {
        let mut terms = Vec::new();
        for token in tokens(query) {
            let Some((field, rest)) = token.split_once(':') else {
                continue;
            };
            let field = match field.to_ascii_lowercase().as_str() {
                "updated_at" => SortField::UpdatedAt,
                "created_at" | "processed_at" => SortField::CreatedAt,
                "id" => SortField::Id,
                _ => continue,
            };
            let (op, value) = if let Some(v) = rest.strip_prefix(">=") {
                (Op::Ge, v)
            } else if let Some(v) = rest.strip_prefix("<=") {
                (Op::Le, v)
            } else if let Some(v) = rest.strip_prefix('>') {
                (Op::Gt, v)
            } else if let Some(v) = rest.strip_prefix('<') {
                (Op::Lt, v)
            } else {
                (Op::Eq, rest)
            };
            let value = value.trim_matches(|c| c == '\'' || c == '"');
            let parsed = if field == SortField::Id {
                value.rsplit('/').next().and_then(|n| n.parse::<i64>().ok())
            } else {
                parse_time(value)
            };
            if let Some(v) = parsed {
                terms.push((field, op, v));
            }
        }
        Self { terms }
    }

    pub fn matches(&self, id: i64, updated: i64, created: i64) -> bool {
        self.terms.iter().all(|&(field, op, v)| {
            let x = sort_value(field, id, updated, created);
            match op {
                Op::Eq => x == v,
                Op::Gt => x > v,
                Op::Ge => x >= v,
                Op::Lt => x < v,
                Op::Le => x <= v,
            }
        })
    }

    /// The smallest value of `field` that can match, if a term bounds it from below.
    fn lower_bound(&self, field: SortField) -> Option<i64> {
        self.terms
            .iter()
            .filter(|(f, _, _)| *f == field)
            .filter_map(|&(_, op, v)| match op {
                Op::Gt => Some(v.saturating_add(1)),
                Op::Ge | Op::Eq => Some(v),
                _ => None,
            })
            .max()
    }
}

/// Splits a search string on whitespace outside quotes, dropping `AND`.
fn tokens(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in query.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.retain(|t| t != "AND");
    out
}

fn parse_time(value: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.timestamp());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc().timestamp());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// What one connection request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PageArgs {
    /// Page size.
    pub count: usize,
    /// Whether `last`/`before` was used (the page is taken from the end).
    pub backward: bool,
    pub cursor: Option<Cursor>,
    pub reverse: bool,
    pub sort: SortField,
    pub filter: Filter,
}

impl PageArgs {
    /// Reads `first`, `after`, `last`, `before`, `reverse`, `sortKey`, `query`.
    pub fn parse(kind: Kind, args: &Map<String, Json>) -> Result<Self, String> {
        let int = |name: &str| args.get(name).and_then(Json::as_i64);
        let text = |name: &str| args.get(name).and_then(Json::as_str);
        let (count, backward) = match (int("first"), int("last")) {
            (Some(_), Some(_)) => {
                return Err(
                    "Passing both `first` and `last` to paginate the connection is not supported."
                        .into(),
                );
            }
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                return Err("you must provide one of first or last".into());
            }
        };
        if count < 0 || count as usize > MAX_PAGE {
            return Err(format!(
                "The requested page size {count} is outside 0..={MAX_PAGE}"
            ));
        }
        let cursor_text = if backward {
            text("before")
        } else {
            text("after")
        };
        let cursor = match cursor_text {
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| format!("Invalid cursor `{c}`"))?),
            None => None,
        };
        let sort = match text("sortKey").unwrap_or("ID") {
            "ID" | "CHECKOUT_ID" => SortField::Id,
            "UPDATED_AT" if kind != Kind::Checkout => SortField::UpdatedAt,
            "CREATED_AT" | "PROCESSED_AT" => SortField::CreatedAt,
            other => {
                return Err(format!(
                    "shopify-sim sorts by ID, UPDATED_AT and CREATED_AT only, not {other}"
                ));
            }
        };
        Ok(Self {
            count: count as usize,
            backward,
            cursor,
            reverse: args.get("reverse").and_then(Json::as_bool).unwrap_or(false),
            sort,
            filter: Filter::parse(text("query").unwrap_or("")),
        })
    }
}

/// One page of a connection, in the order it is answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<(Src, Cursor)>,
    pub has_next: bool,
    pub has_previous: bool,
}

/// Takes one page from the merged (generated + overlay) records.
pub fn page(records: &Records, kind: Kind, args: &PageArgs) -> Page {
    let descending = args.reverse ^ args.backward;
    let field = args.sort;
    let index = records.sorted(kind, field);
    let key = |i: u32| {
        let (id, updated, created) = records.base_keys(kind, i as usize);
        (
            Cursor {
                value: sort_value(field, id, updated, created),
                id,
            },
            updated,
            created,
        )
    };
    let mut overlay: Vec<(Cursor, i64, i64)> = records
        .overlay_keys(kind)
        .into_iter()
        .map(|(id, updated, created)| {
            (
                Cursor {
                    value: sort_value(field, id, updated, created),
                    id,
                },
                updated,
                created,
            )
        })
        .collect();
    overlay.sort_by_key(|x| x.0);
    let keep = |c: Cursor, updated: i64, created: i64| args.filter.matches(c.id, updated, created);
    let want = args.count + 1;
    let mut out: Vec<(Src, Cursor)> = Vec::with_capacity(want.min(MAX_PAGE + 1));
    if descending {
        let end = match args.cursor {
            Some(c) => index.partition_point(|&i| key(i).0 < c),
            None => index.len(),
        };
        let mut over = overlay
            .into_iter()
            .rev()
            .filter(|(c, u, cr)| args.cursor.is_none_or(|cur| *c < cur) && keep(*c, *u, *cr))
            .peekable();
        let mut base = index[..end]
            .iter()
            .rev()
            .map(|&i| (i, key(i)))
            .filter(|(_, (c, u, cr))| !records.overridden(kind, c.id) && keep(*c, *u, *cr))
            .peekable();
        while out.len() < want {
            let take_over = match (base.peek(), over.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((_, (b, _, _))), Some((o, _, _))) => o > b,
            };
            if take_over {
                if let Some((c, _, _)) = over.next() {
                    out.push((Src::Over(c.id), c));
                }
            } else if let Some((i, (c, _, _))) = base.next() {
                out.push((Src::Base(i), c));
            }
        }
    } else {
        let mut start = match args.cursor {
            Some(c) => index.partition_point(|&i| key(i).0 <= c),
            None => 0,
        };
        if let Some(low) = args.filter.lower_bound(field) {
            start = start.max(index.partition_point(|&i| key(i).0.value < low));
        }
        let mut over = overlay
            .into_iter()
            .filter(|(c, u, cr)| args.cursor.is_none_or(|cur| *c > cur) && keep(*c, *u, *cr))
            .peekable();
        let mut base = index[start..]
            .iter()
            .map(|&i| (i, key(i)))
            .filter(|(_, (c, u, cr))| !records.overridden(kind, c.id) && keep(*c, *u, *cr))
            .peekable();
        while out.len() < want {
            let take_over = match (base.peek(), over.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((_, (b, _, _))), Some((o, _, _))) => o < b,
            };
            if take_over {
                if let Some((c, _, _)) = over.next() {
                    out.push((Src::Over(c.id), c));
                }
            } else if let Some((i, (c, _, _))) = base.next() {
                out.push((Src::Base(i), c));
            }
        }
    }
    let more = out.len() > args.count;
    out.truncate(args.count);
    if args.backward {
        out.reverse();
        Page {
            items: out,
            has_next: args.cursor.is_some(),
            has_previous: more,
        }
    } else {
        Page {
            items: out,
            has_next: more,
            has_previous: args.cursor.is_some(),
        }
    }
}

/// The kind a root field name reads.
pub fn root_kind(name: &str) -> Option<Kind> {
    match name {
        "customers" => Some(Kind::Customer),
        "orders" => Some(Kind::Order),
        "products" => Some(Kind::Product),
        "abandonedCheckouts" => Some(Kind::Checkout),
        _ => None,
    }
}

/// The selection sets that apply to a connection's nodes (`nodes {…}` and `edges { node {…} }`).
fn node_sets<'a>(ctx: &'a Ctx<'a>, set: &'a SelectionSet) -> Vec<&'a SelectionSet> {
    let mut sets = Vec::new();
    if let Some(nodes) = ctx.find_field(set, "nodes", 0) {
        sets.push(&nodes.selection_set.node);
    }
    if let Some(edges) = ctx.find_field(set, "edges", 0)
        && let Some(node) = ctx.find_field(&edges.selection_set.node, "node", 0)
    {
        sets.push(&node.selection_set.node);
    }
    sets
}

/// Page sizes of nested connections selected under a record's selection sets.
pub fn nested_sizes(ctx: &Ctx<'_>, sets: &[&SelectionSet]) -> Nested {
    let first = |name: &str| -> Option<usize> {
        sets.iter().find_map(|set| {
            let field: &Field = ctx.find_field(set, name, 0)?;
            let args = ctx.arguments(field);
            Some(
                ["first", "last"]
                    .iter()
                    .find_map(|a| args.get(*a).and_then(Json::as_u64))
                    .map_or(if name == "refunds" { usize::MAX } else { 0 }, |n| {
                        n as usize
                    }),
            )
        })
    };
    Nested {
        line_items: Some(first("lineItems").unwrap_or(0)),
        variants: Some(first("variants").unwrap_or(0)),
        images: Some(first("images").unwrap_or(0)),
        refunds: first("refunds"),
    }
}

/// Answers one of the four record connections.
pub fn resolve(ctx: &Ctx<'_>, records: &Records, kind: Kind, root: &RootField<'_>) -> Resolved {
    let args = match PageArgs::parse(kind, &root.args) {
        Ok(args) => args,
        Err(message) => return Resolved::Error(message),
    };
    let sets: Vec<&SelectionSet> = root
        .fields
        .iter()
        .flat_map(|f| node_sets(ctx, &f.node.selection_set.node))
        .collect();
    let nested = nested_sizes(ctx, &sets);
    let page = page(records, kind, &args);
    Resolved::Value(connection_json(records, kind, &page, nested))
}

pub fn connection_json(records: &Records, kind: Kind, page: &Page, nested: Nested) -> Json {
    let type_name = match kind {
        Kind::Customer => "Customer",
        Kind::Order => "Order",
        Kind::Product => "Product",
        Kind::Checkout => "AbandonedCheckout",
    };
    let nodes: Vec<Json> = page
        .items
        .iter()
        .map(|(src, _)| records.node(kind, *src, nested))
        .collect();
    let edges: Vec<Json> = page
        .items
        .iter()
        .zip(&nodes)
        .map(|((_, cursor), node)| {
            json!({"__typename": format!("{type_name}Edge"), "cursor": cursor.encode(), "node": node})
        })
        .collect();
    json!({
        "__typename": format!("{type_name}Connection"),
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": page.has_next,
            "hasPreviousPage": page.has_previous,
            "startCursor": page.items.first().map(|(_, c)| c.encode()),
            "endCursor": page.items.last().map(|(_, c)| c.encode()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_parse() {
        let f = Filter::parse("updated_at:>'2026-01-01T00:00:00Z' AND created_at:<=2026-02-01");
        assert!(f.matches(1, 1_767_225_601, 1_769_904_000));
        assert!(!f.matches(1, 1_767_225_600, 0));
        assert!(!f.matches(1, 1_767_225_601, 1_769_904_001));
        let g = Filter::parse("updated_at:>=\"2026-01-01T00:00:00Z\" status:open");
        assert!(g.matches(1, 1_767_225_600, 0));
        assert_eq!(g.lower_bound(SortField::UpdatedAt), Some(1_767_225_600));
        let c = Cursor {
            value: 5,
            id: 1 << 60,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }
}
