//! The actual cost of an executed query (SHOPIFY.md §9.1): the requested cost's per-field rules
//! (`cost.rs`) applied to the `data` that was returned, so a connection counts the nodes it
//! returned instead of its `first`/`last`. The caller refunds `requested - actual` to the bucket.

use async_graphql_parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use serde_json::Value as Json;

use super::admin_schema::{AdminSchema, TypeDef};
use super::cost::is_connection;

/// Deeper fragment nesting than this is not followed (validation already refused cycles).
const MAX_DEPTH: usize = 32;

/// What an executed operation really cost, never more than `requested`. Mutations cost a flat
/// amount per field, so their actual cost is the requested one.
///
/// A field missing from `data` did not run (`@skip`, or a fragment on another type) and costs
/// nothing; a `null` object or connection costs its own 1 or 2 but nothing below it.
pub fn actual_cost(
    schema: &AdminSchema,
    doc: &ExecutableDocument,
    op_type: OperationType,
    set: &SelectionSet,
    data: &Json,
    requested: u64,
) -> u64 {
    if op_type == OperationType::Mutation {
        return requested;
    }
    let actual = Actual { schema, doc };
    schema
        .get(&schema.query_type)
        .map_or(0, |root| actual.set(set, root, data, 0))
        .min(requested)
}

struct Actual<'a> {
    schema: &'a AdminSchema,
    doc: &'a ExecutableDocument,
}

impl Actual<'_> {
    /// The cost of the selection `set` on `parent`, answered by the object `value`.
    fn set(&self, set: &SelectionSet, parent: &TypeDef, value: &Json, depth: usize) -> u64 {
        if depth > MAX_DEPTH {
            return 0;
        }
        let mut total = 0;
        for item in &set.items {
            total += match &item.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let Some(answer) = value.get(f.response_key().node.as_str()) else {
                        continue;
                    };
                    let Some(target) = self.field_type(parent, f.name.node.as_str()) else {
                        continue;
                    };
                    let inner = &f.selection_set.node;
                    if target.is_leaf() {
                        0
                    } else if is_connection(target) {
                        2 + self.connection_items(inner, target, answer, depth + 1)
                    } else {
                        1 + self.object(inner, target, answer, depth + 1)
                    }
                }
                Selection::InlineFragment(inline) => {
                    let ty = inline
                        .node
                        .type_condition
                        .as_ref()
                        .and_then(|c| self.schema.get(c.node.on.node.as_str()));
                    let inner = &inline.node.selection_set.node;
                    self.set(inner, ty.unwrap_or(parent), value, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment) => {
                            let on = fragment.node.type_condition.node.on.node.as_str();
                            let ty = self.schema.get(on).unwrap_or(parent);
                            self.set(&fragment.node.selection_set.node, ty, value, depth + 1)
                        }
                        None => 0,
                    }
                }
            };
        }
        total
    }

    /// An object field's contents. A plain list of objects is charged like one object, as the
    /// requested cost does, so its most expensive item counts.
    fn object(&self, set: &SelectionSet, ty: &TypeDef, value: &Json, depth: usize) -> u64 {
        match value {
            Json::Array(items) => items
                .iter()
                .map(|item| self.object(set, ty, item, depth))
                .max()
                .unwrap_or(0),
            Json::Object(_) => self.set(set, ty, value, depth),
            _ => 0,
        }
    }

    /// The returned items of a connection: each `nodes` item costs 1 plus its selection, each
    /// `edges` item its selection (where `node` costs 1); `pageInfo` is free.
    fn connection_items(
        &self,
        set: &SelectionSet,
        connection: &TypeDef,
        value: &Json,
        depth: usize,
    ) -> u64 {
        if depth > MAX_DEPTH {
            return 0;
        }
        let mut total = 0;
        for item in &set.items {
            total += match &item.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    let Some(answer) = value.get(f.response_key().node.as_str()) else {
                        continue;
                    };
                    let Some(target) = self.field_type(connection, name) else {
                        continue;
                    };
                    let inner = &f.selection_set.node;
                    let each = |item: &Json| match name {
                        "edges" => self.set(inner, target, item, depth + 1),
                        _ => 1 + self.set(inner, target, item, depth + 1),
                    };
                    match answer {
                        _ if name == "pageInfo" || target.is_leaf() => 0,
                        Json::Array(items) => items.iter().map(each).sum(),
                        Json::Object(_) => each(answer),
                        _ => 0,
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inner = &inline.node.selection_set.node;
                    self.connection_items(inner, connection, value, depth + 1)
                }
                Selection::FragmentSpread(spread) => self
                    .doc
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| {
                        let inner = &fragment.node.selection_set.node;
                        self.connection_items(inner, connection, value, depth + 1)
                    }),
            };
        }
        total
    }

    fn field_type(&self, parent: &TypeDef, field: &str) -> Option<&TypeDef> {
        let def = parent.fields.get(field)?;
        self.schema.get(def.ty.named())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::admin_schema::admin_schema;
    use super::super::cost::requested_cost;
    use super::*;

    /// (requested, actual) of `query` answered by `data`.
    fn costs(query: &str, data: Json) -> (u64, u64) {
        let schema = admin_schema().expect("schema");
        let doc = async_graphql_parser::parse_query(query).expect("parses");
        let (_, op) = doc.operations.iter().next().expect("one operation");
        let (ty, set) = (op.node.ty, &op.node.selection_set.node);
        let requested = requested_cost(schema, &doc, ty, set, &json!({}));
        let actual = actual_cost(schema, &doc, ty, set, &data, requested);
        (requested, actual)
    }

    #[test]
    fn connections_count_the_nodes_they_returned() {
        let query = "{ orders(first: 3) { nodes { id lineItems(first: 30) { nodes { id } } } pageInfo { hasNextPage } } }";
        let order = |lines: usize| {
            let nodes: Vec<Json> = (0..lines).map(|i| json!({"id": i})).collect();
            json!({"id": "o", "lineItems": {"nodes": nodes}})
        };
        let data =
            json!({"orders": {"nodes": [order(2), order(1)], "pageInfo": {"hasNextPage": false}}});
        assert_eq!(
            costs(query, data),
            (2 + 3 * (1 + 2 + 30), 2 + (3 + 2) + (3 + 1))
        );

        let edges = "{ customers(first: 10) { edges { cursor node { id } } } }";
        let data = json!({"customers": {"edges": [{"cursor": "a", "node": {"id": 1}}]}});
        assert_eq!(costs(edges, data), (12, 3));
    }

    #[test]
    fn objects_cost_as_requested_and_unrun_fields_nothing() {
        let shop = "{ shop { name plan { displayName } } }";
        let data = json!({"shop": {"name": "x", "plan": {"displayName": "y"}}});
        assert_eq!(costs(shop, data), (2, 2));
        let null = json!({"shop": {"name": "x", "plan": null}});
        assert_eq!(costs(shop, null), (2, 2), "a null object still costs its 1");
        let skipped = "{ shop { name plan @skip(if: true) { displayName } } }";
        assert_eq!(costs(skipped, json!({"shop": {"name": "x"}})), (2, 1));
        let mutation = "mutation { tagsAdd(id: \"1\", tags: [\"x\"]) { node { id } } }";
        assert_eq!(costs(mutation, json!({"tagsAdd": null})), (10, 10));
    }
}
