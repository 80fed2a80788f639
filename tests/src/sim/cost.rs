//! Admin API rate limiting as the simulator applies it (SHOPIFY.md §9.1–9.2): the requested cost of
//! an operation (leaf 0, object 1, connection 2 + page size × item cost, mutation field 10) and a
//! per-shop leaky bucket whose state every response reports in `extensions.cost`. The actual cost,
//! refunded after the query ran, is in `cost_actual.rs`.

use async_graphql_parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql_value::Value;
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::admin_schema::{AdminSchema, TypeDef};

/// Shopify's documented cost of one top-level mutation field.
const MUTATION_FIELD_COST: u64 = 10;
/// Deeper fragment nesting than this is not followed (validation already refused cycles).
const MAX_DEPTH: usize = 32;

/// The worst-case cost Shopify charges up front for an operation.
pub fn requested_cost(
    schema: &AdminSchema,
    doc: &ExecutableDocument,
    op_type: OperationType,
    set: &SelectionSet,
    variables: &Json,
) -> u64 {
    let cost = Cost {
        schema,
        doc,
        variables,
    };
    match op_type {
        OperationType::Mutation => cost.mutation_fields(set, 0) * MUTATION_FIELD_COST,
        _ => schema
            .get(&schema.query_type)
            .map_or(0, |root| cost.set(set, root, 0)),
    }
}

struct Cost<'a> {
    schema: &'a AdminSchema,
    doc: &'a ExecutableDocument,
    variables: &'a Json,
}

impl Cost<'_> {
    /// Top-level mutation fields, also those inside fragments on the mutation root. The payload's
    /// own selection is not charged: Shopify reports a flat 10 per mutation field.
    fn mutation_fields(&self, set: &SelectionSet, depth: usize) -> u64 {
        if depth > MAX_DEPTH {
            return 0;
        }
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => u64::from(f.node.name.node != "__typename"),
                Selection::InlineFragment(inline) => {
                    self.mutation_fields(&inline.node.selection_set.node, depth + 1)
                }
                Selection::FragmentSpread(spread) => self
                    .doc
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |f| {
                        self.mutation_fields(&f.node.selection_set.node, depth + 1)
                    }),
            })
            .sum()
    }

    fn set(&self, set: &SelectionSet, parent: &TypeDef, depth: usize) -> u64 {
        if depth > MAX_DEPTH {
            return 0;
        }
        let mut total = 0;
        for item in &set.items {
            total += match &item.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let Some(def) = parent.fields.get(f.name.node.as_str()) else {
                        continue;
                    };
                    let Some(target) = self.schema.get(def.ty.named()) else {
                        continue;
                    };
                    if target.is_leaf() {
                        0
                    } else if is_connection(target) {
                        let page = ["first", "last"]
                            .iter()
                            .filter_map(|arg| f.get_argument(arg).and_then(|v| self.int(&v.node)))
                            .max()
                            .unwrap_or(0);
                        2 + page * self.connection_item(&f.selection_set.node, target, depth + 1)
                    } else {
                        1 + self.set(&f.selection_set.node, target, depth + 1)
                    }
                }
                Selection::InlineFragment(inline) => {
                    let ty = inline
                        .node
                        .type_condition
                        .as_ref()
                        .and_then(|c| self.schema.get(c.node.on.node.as_str()));
                    self.set(
                        &inline.node.selection_set.node,
                        ty.unwrap_or(parent),
                        depth + 1,
                    )
                }
                Selection::FragmentSpread(spread) => {
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment) => {
                            let ty = self
                                .schema
                                .get(fragment.node.type_condition.node.on.node.as_str());
                            self.set(
                                &fragment.node.selection_set.node,
                                ty.unwrap_or(parent),
                                depth + 1,
                            )
                        }
                        None => 0,
                    }
                }
            };
        }
        total
    }

    /// Cost of one item of a connection: `edges { node {…} }` and `nodes {…}` count per item,
    /// `pageInfo` and the edge wrapper are free.
    fn connection_item(&self, set: &SelectionSet, connection: &TypeDef, depth: usize) -> u64 {
        let mut total = 0;
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let Some(def) = connection.fields.get(name) else {
                        continue;
                    };
                    let Some(target) = self.schema.get(def.ty.named()) else {
                        continue;
                    };
                    total += match name {
                        "pageInfo" => 0,
                        "edges" => self.set(&field.node.selection_set.node, target, depth + 1),
                        _ if target.is_leaf() => 0,
                        _ => 1 + self.set(&field.node.selection_set.node, target, depth + 1),
                    };
                }
                Selection::InlineFragment(inline) => {
                    total +=
                        self.connection_item(&inline.node.selection_set.node, connection, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    {
                        total += self.connection_item(
                            &fragment.node.selection_set.node,
                            connection,
                            depth + 1,
                        );
                    }
                }
            }
        }
        total
    }

    fn int(&self, value: &Value) -> Option<u64> {
        match value {
            Value::Number(n) => n.as_u64(),
            Value::Variable(name) => self.variables.get(name.as_str()).and_then(Json::as_u64),
            _ => None,
        }
    }
}

/// Connections are charged per item (`cost_actual.rs` counts the items they returned).
pub(super) fn is_connection(ty: &TypeDef) -> bool {
    ty.name.ends_with("Connection") && ty.fields.contains_key("edges")
}

/// `extensions.cost.throttleStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: i64,
    pub restore_rate: f64,
}

/// A leaky bucket of query cost points per shop, refilled continuously.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyBucket {
    pub maximum: f64,
    pub restore_rate: f64,
    available: f64,
    updated_ms: i64,
}

impl LeakyBucket {
    /// A full bucket.
    pub fn new(maximum: f64, restore_rate: f64, now_ms: i64) -> Self {
        Self {
            maximum,
            restore_rate,
            available: maximum,
            updated_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: i64) {
        let elapsed = (now_ms - self.updated_ms).max(0) as f64 / 1000.0;
        self.available = (self.available + elapsed * self.restore_rate).min(self.maximum);
        self.updated_ms = self.updated_ms.max(now_ms);
    }

    /// Takes `cost` points, or reports the bucket unchanged when there are not enough.
    pub fn try_take(&mut self, cost: u64, now_ms: i64) -> Result<ThrottleStatus, ThrottleStatus> {
        self.refill(now_ms);
        if cost as f64 > self.available {
            return Err(self.status());
        }
        self.available -= cost as f64;
        Ok(self.status())
    }

    /// Gives back the difference between requested and actual cost, after the query ran.
    pub fn refund(&mut self, points: u64) {
        self.available = (self.available + points as f64).min(self.maximum);
    }

    /// Empties the bucket, so tests can provoke throttling.
    pub fn drain(&mut self, now_ms: i64) {
        self.refill(now_ms);
        self.available = 0.0;
    }

    /// The current state, as reported to clients.
    pub fn status(&self) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: self.maximum,
            currently_available: self.available.floor() as i64,
            restore_rate: self.restore_rate,
        }
    }
}

/// `extensions.cost` of a response; `actual` is `None` when the query did not run (throttled).
pub fn cost_extension(requested: u64, actual: Option<u64>, status: ThrottleStatus) -> Json {
    json!({
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": status,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(query: &str, variables: Json) -> u64 {
        let schema = super::super::admin_schema::admin_schema().expect("schema");
        let doc = async_graphql_parser::parse_query(query).expect("parses");
        let (_, op) = doc.operations.iter().next().expect("one operation");
        requested_cost(
            schema,
            &doc,
            op.node.ty,
            &op.node.selection_set.node,
            &variables,
        )
    }

    #[test]
    fn requested_cost_follows_shopifys_table() {
        assert_eq!(cost_of("{ shop { name } }", json!({})), 1);
        assert_eq!(
            cost_of("{ shop { name plan { displayName } } }", json!({})),
            2
        );
        assert_eq!(
            cost_of(
                "{ customers(first: 10) { edges { cursor node { id email } } pageInfo { hasNextPage } } }",
                json!({})
            ),
            12
        );
        assert_eq!(
            cost_of(
                "query($n: Int) { orders(first: $n) { nodes { id customer { id } } } }",
                json!({"n": 5})
            ),
            12
        );
        assert_eq!(
            cost_of(
                "{ shop { ...F } } fragment F on Shop { plan { displayName } }",
                json!({})
            ),
            2
        );
        assert_eq!(
            cost_of(
                "mutation { a: tagsAdd(id: \"1\", tags: [\"x\"]) { node { id } } b: tagsRemove(id: \"1\", tags: [\"x\"]) { node { id } } }",
                json!({})
            ),
            20
        );
        assert_eq!(
            cost_of(
                "mutation { __typename ...M } fragment M on Mutation { webhookSubscriptionDelete(id: \"1\") { userErrors { message } } }",
                json!({})
            ),
            10,
            "fields inside fragments on the mutation root count too"
        );
    }

    #[test]
    fn bucket_drains_refills_and_refunds() {
        let mut bucket = LeakyBucket::new(1000.0, 50.0, 0);
        assert_eq!(
            bucket.try_take(752, 0).map(|s| s.currently_available),
            Ok(248)
        );
        let throttled = bucket.try_take(752, 1_000).expect_err("not enough points");
        assert_eq!(throttled.currently_available, 298);
        assert_eq!(
            bucket.try_take(752, 11_000).map(|s| s.currently_available),
            Ok(46)
        );
        bucket.refund(100);
        assert_eq!(bucket.status().currently_available, 146);
        assert_eq!(
            bucket.try_take(0, 1_000_000).map(|s| s.currently_available),
            Ok(1000),
            "never above the maximum"
        );
        bucket.drain(1_000_000);
        assert!(bucket.try_take(1, 1_000_000).is_err());
    }
}
