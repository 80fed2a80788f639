//! Static validation of Admin API operations against Shopify's schema, answering with
//! graphql-ruby's messages and `extensions.code`s (what Shopify returns): unknown fields,
//! arguments and types, required arguments, leaf/object selections, fragments, directives and
//! variables. Value rules are in `validate_values.rs`; the schema model in `admin_schema.rs`.

use std::collections::{HashMap, HashSet};

use async_graphql_parser::types::{
    ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType,
};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::{Name, Value};
use serde_json::{Map, Value as Json, json};

use super::admin_schema::{AdminSchema, TypeRef};
use super::validate_values::{Source, VarUse, check_value, compare};

/// One validation error, shaped like Shopify's.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub message: String,
    pub locations: Vec<Pos>,
    pub path: Vec<String>,
    pub extensions: Map<String, Json>,
}

impl Violation {
    /// `{"message", "locations", "path", "extensions"}` as in a GraphQL response's `errors`.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("message".into(), json!(self.message));
        let locations: Vec<Json> = self
            .locations
            .iter()
            .map(|p| json!({"line": p.line, "column": p.column}))
            .collect();
        out.insert("locations".into(), Json::Array(locations));
        if !self.path.is_empty() {
            out.insert("path".into(), json!(self.path));
        }
        if !self.extensions.is_empty() {
            out.insert("extensions".into(), Json::Object(self.extensions.clone()));
        }
        Json::Object(out)
    }
}

fn violation(message: String, pos: Pos, path: &[String], extensions: Json) -> Violation {
    let extensions = match extensions {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    Violation {
        message,
        locations: vec![pos],
        path: path.to_vec(),
        extensions,
    }
}

/// Parses and validates a document; a syntax error is the only violation when parsing fails.
pub fn validate_source(schema: &AdminSchema, source: &str) -> Vec<Violation> {
    match async_graphql_parser::parse_query(source) {
        Ok(doc) => validate_document(schema, &doc),
        Err(err) => vec![parse_violation(&err)],
    }
}

/// A syntax error as a violation, located where the parser stopped.
pub fn parse_violation(err: &async_graphql_parser::Error) -> Violation {
    let pos = err.positions().next().unwrap_or(Pos { line: 1, column: 1 });
    // The parser's text spans several lines with a caret drawing; the last line says what was expected.
    let text = err.to_string();
    let detail = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_start_matches("= ");
    let message = format!("Parse error at [{}, {}]: {detail}", pos.line, pos.column);
    Violation {
        message,
        locations: vec![pos],
        path: vec![],
        extensions: Map::new(),
    }
}

/// Validates every operation and fragment of a parsed document, sorted by position.
pub fn validate_document(schema: &AdminSchema, doc: &ExecutableDocument) -> Vec<Violation> {
    let mut v = Validator {
        schema,
        doc,
        out: Vec::new(),
        checked_fragments: HashSet::new(),
        spread: HashSet::new(),
    };
    for (name, op) in doc.operations.iter() {
        v.operation(name, op);
    }
    let mut unused: Vec<(&Name, &Positioned<FragmentDefinition>)> = doc
        .fragments
        .iter()
        .filter(|(name, _)| !v.spread.contains(*name))
        .collect();
    unused.sort_by_key(|(_, f)| (f.pos.line, f.pos.column));
    for (name, fragment) in unused {
        v.out.push(violation(
            format!("Fragment {name} was defined, but not used"),
            fragment.pos,
            &[format!("fragment {name}")],
            json!({"code": "useAndDefineFragment", "fragmentName": name.as_str()}),
        ));
        let mut scope = Scope::default();
        if v.checked_fragments.insert(name.clone()) {
            v.fragment_body(name, fragment, &mut scope, true);
        }
    }
    v.out
        .sort_by_key(|x| x.locations.first().map(|p| (p.line, p.column)));
    v.out
}

/// Per-operation bookkeeping.
#[derive(Default)]
pub(super) struct Scope {
    pub(super) uses: Vec<VarUse>,
    /// Fragments being expanded, to catch cycles.
    pub(super) stack: Vec<Name>,
}

/// Walks a document, collecting violations; its methods are spread over the `validate*` files.
pub(super) struct Validator<'a> {
    pub(super) schema: &'a AdminSchema,
    pub(super) doc: &'a ExecutableDocument,
    out: Vec<Violation>,
    /// Fragments whose bodies were already checked (and reported).
    pub(super) checked_fragments: HashSet<Name>,
    /// Fragments spread somewhere, to find unused ones.
    pub(super) spread: HashSet<Name>,
}

impl<'a> Validator<'a> {
    pub(super) fn report(
        &mut self,
        report: bool,
        message: String,
        pos: Pos,
        path: &[String],
        extensions: Json,
    ) {
        if report {
            self.out.push(violation(message, pos, path, extensions));
        }
    }

    fn operation(&mut self, name: Option<&Name>, op: &'a Positioned<OperationDefinition>) {
        let kind = op.node.ty;
        let label = name.map_or_else(|| kind.to_string(), |n| format!("{kind} {n}"));
        let subject = name.map_or_else(|| format!("anonymous {kind}"), |n| n.to_string());
        let path = vec![label];
        let root = match kind {
            OperationType::Query => Some(self.schema.query_type.as_str()),
            OperationType::Mutation => self.schema.mutation_type.as_deref(),
            OperationType::Subscription => None,
        };
        let Some(root) = root.and_then(|r| self.schema.get(r)) else {
            let message = format!("Schema is not configured for {kind}s");
            let code = if kind == OperationType::Subscription {
                "missingSubscriptionConfiguration"
            } else {
                "missingMutationConfiguration"
            };
            self.report(true, message, op.pos, &path, json!({"code": code}));
            return;
        };
        let mut scope = Scope::default();
        let mut declared: HashMap<&Name, (TypeRef, bool, Pos)> = HashMap::new();
        for var in &op.node.variable_definitions {
            let var_name = &var.node.name.node;
            let ty = TypeRef::from_ast(&var.node.var_type.node);
            match self.schema.get(ty.named()) {
                None => self.report(true, format!("{} isn't a defined input type (on ${var_name})", ty.named()), var.pos, &path,
                    json!({"code": "variableRequiresValidType", "typeName": ty.named(), "variableName": var_name.as_str()})),
                Some(def) if !def.is_input() => self.report(true, format!("{} isn't a valid input type (on ${var_name})", ty.named()), var.pos, &path,
                    json!({"code": "variableRequiresValidType", "typeName": ty.named(), "variableName": var_name.as_str()})),
                Some(_) => {}
            }
            let default = var
                .node
                .default_value
                .as_ref()
                .map(|d| d.node.clone().into_value());
            if let Some(default) = &default {
                let mut ignored = Vec::new();
                if check_value(
                    self.schema,
                    default,
                    &ty,
                    false,
                    var_name,
                    var.pos,
                    Source::Literal,
                    &mut ignored,
                )
                .is_err()
                {
                    self.report(true, format!("Default value for ${var_name} doesn't match type {ty}"), var.pos, &path,
                        json!({"code": "defaultValueInvalidType", "variableName": var_name.as_str(), "typeName": ty.to_string()}));
                }
            }
            let has_default = default.is_some_and(|d| !matches!(d, Value::Null));
            if declared
                .insert(var_name, (ty, has_default, var.pos))
                .is_some()
            {
                self.report(
                    true,
                    format!("There can only be one variable named \"{var_name}\""),
                    var.pos,
                    &path,
                    json!({"code": "variableNotUnique", "variableName": var_name.as_str()}),
                );
            }
        }
        let location = if kind == OperationType::Query {
            "QUERY"
        } else {
            "MUTATION"
        };
        self.directives(&op.node.directives, location, &path, &mut scope, true);
        let mut walk_path = path.clone();
        self.selection_set(
            &op.node.selection_set.node,
            root,
            &mut walk_path,
            &mut scope,
            true,
        );
        let mut undefined_reported = HashSet::new();
        for usage in &scope.uses {
            let Some((ty, has_default, _)) = declared.get(&usage.name) else {
                if undefined_reported.insert(usage.name.clone()) {
                    self.report(
                        true,
                        format!(
                            "Variable ${} is used by {subject} but not declared",
                            usage.name
                        ),
                        usage.pos,
                        &path,
                        json!({"code": "variableNotDefined", "variableName": usage.name.as_str()}),
                    );
                }
                continue;
            };
            if let Some(mismatch) = compare(
                ty,
                *has_default,
                &usage.expected,
                usage.location_has_default,
            ) {
                self.report(true, format!("{} on variable ${} and argument {} ({ty} / {})", mismatch.words(), usage.name, usage.target, usage.expected),
                    usage.pos, &path, json!({"code": "variableMismatch", "variableName": usage.name.as_str(), "typeName": ty.to_string(),
                        "argumentName": usage.target, "errorMessage": mismatch.words()}));
            }
        }
        let used: HashSet<&Name> = scope.uses.iter().map(|u| &u.name).collect();
        let mut unused: Vec<_> = declared
            .iter()
            .filter(|(name, _)| !used.contains(*name))
            .collect();
        unused.sort_by_key(|(_, (_, _, pos))| (pos.line, pos.column));
        for (name, (_, _, pos)) in unused {
            self.report(
                true,
                format!("Variable ${name} is declared by {subject} but not used"),
                *pos,
                &path,
                json!({"code": "variableNotUsed", "variableName": name.as_str()}),
            );
        }
    }
}
