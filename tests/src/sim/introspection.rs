//! Reads an introspection result (`{"data":{"__schema":...}}`, as `@shopify/dev-mcp` ships it)
//! into the [`AdminSchema`] model, keeping only what validation and cost need and adding the
//! introspection entry points (`__schema`, `__type`) that introspection does not list.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::admin_schema::{
    AdminSchema, DirectiveDef, FieldDef, InputValue, Kind, TypeDef, TypeRef,
};

#[derive(Deserialize)]
struct Envelope {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "__schema")]
    schema: RawSchema,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSchema {
    query_type: RawName,
    mutation_type: Option<RawName>,
    types: Vec<RawType>,
    directives: Vec<RawDirective>,
}

#[derive(Deserialize)]
struct RawName {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawType {
    kind: String,
    name: String,
    fields: Option<Vec<RawField>>,
    input_fields: Option<Vec<RawInput>>,
    enum_values: Option<Vec<RawName>>,
    possible_types: Option<Vec<RawTypeRef>>,
    is_one_of: Option<bool>,
}

#[derive(Deserialize)]
struct RawField {
    name: String,
    args: Vec<RawInput>,
    #[serde(rename = "type")]
    ty: RawTypeRef,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInput {
    name: String,
    #[serde(rename = "type")]
    ty: RawTypeRef,
    default_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTypeRef {
    kind: String,
    name: Option<String>,
    of_type: Option<Box<RawTypeRef>>,
}

#[derive(Deserialize)]
struct RawDirective {
    name: String,
    args: Vec<RawInput>,
    locations: Vec<String>,
}

fn type_ref(raw: &RawTypeRef) -> Result<TypeRef, String> {
    let inner = || {
        raw.of_type
            .as_deref()
            .ok_or_else(|| format!("{} without ofType", raw.kind))
            .and_then(type_ref)
    };
    Ok(match raw.kind.as_str() {
        "NON_NULL" => TypeRef::NonNull(Box::new(inner()?)),
        "LIST" => TypeRef::List(Box::new(inner()?)),
        _ => TypeRef::Named(raw.name.clone().ok_or("named type without a name")?),
    })
}

fn input_values(raw: &[RawInput]) -> Result<Vec<InputValue>, String> {
    raw.iter()
        .map(|a| {
            Ok(InputValue {
                name: a.name.clone(),
                ty: type_ref(&a.ty)?,
                has_default: a.default_value.is_some(),
            })
        })
        .collect()
}

impl AdminSchema {
    /// Builds the schema from an introspection result (`{"data":{"__schema":...}}`).
    pub fn from_introspection(json: &[u8]) -> Result<Self, String> {
        let envelope: Envelope =
            serde_json::from_slice(json).map_err(|e| format!("introspection JSON: {e}"))?;
        let raw = envelope.data.schema;
        let mut types = HashMap::with_capacity(raw.types.len());
        for t in &raw.types {
            let kind = match t.kind.as_str() {
                "SCALAR" => Kind::Scalar,
                "OBJECT" => Kind::Object,
                "INTERFACE" => Kind::Interface,
                "UNION" => Kind::Union,
                "ENUM" => Kind::Enum,
                "INPUT_OBJECT" => Kind::InputObject,
                other => return Err(format!("type {} has unknown kind {other}", t.name)),
            };
            let mut fields = HashMap::new();
            for f in t.fields.iter().flatten() {
                fields.insert(
                    f.name.clone(),
                    FieldDef {
                        ty: type_ref(&f.ty)?,
                        args: input_values(&f.args)?,
                    },
                );
            }
            let mut possible_types: HashSet<String> = t
                .possible_types
                .iter()
                .flatten()
                .filter_map(|p| p.name.clone())
                .collect();
            if kind == Kind::Object {
                possible_types.insert(t.name.clone());
            }
            types.insert(
                t.name.clone(),
                TypeDef {
                    name: t.name.clone(),
                    kind,
                    fields,
                    input_fields: input_values(t.input_fields.as_deref().unwrap_or_default())?,
                    enum_values: t
                        .enum_values
                        .iter()
                        .flatten()
                        .map(|v| v.name.clone())
                        .collect(),
                    possible_types,
                    one_of: t.is_one_of.unwrap_or(false),
                },
            );
        }
        // Introspection does not list its own entry points; every schema has them on the query root.
        let query_type = raw.query_type.name;
        if let Some(root) = types.get_mut(&query_type) {
            let name_arg = InputValue {
                name: "name".into(),
                ty: TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
                has_default: false,
            };
            root.fields.insert(
                "__schema".into(),
                FieldDef {
                    ty: TypeRef::NonNull(Box::new(TypeRef::Named("__Schema".into()))),
                    args: vec![],
                },
            );
            root.fields.insert(
                "__type".into(),
                FieldDef {
                    ty: TypeRef::Named("__Type".into()),
                    args: vec![name_arg],
                },
            );
        } else {
            return Err(format!("query type {query_type} is not defined"));
        }
        let mut directives = HashMap::new();
        for d in &raw.directives {
            directives.insert(
                d.name.clone(),
                DirectiveDef {
                    args: input_values(&d.args)?,
                    locations: d.locations.clone(),
                },
            );
        }
        Ok(Self {
            types,
            query_type,
            mutation_type: raw.mutation_type.map(|m| m.name),
            directives,
        })
    }
}
