//! Value rules of Admin operation validation: argument literals against their input types,
//! variable usages against declared variable types (with the default-value relaxation of the
//! GraphQL spec), and variable values sent in the request. The document walk is in `validate.rs`.

use async_graphql_parser::Pos;
use async_graphql_value::{Name, Value};

use super::admin_schema::{AdminSchema, Kind, TypeDef, TypeRef};

/// One place an operation uses a variable.
#[derive(Debug, Clone)]
pub struct VarUse {
    pub name: Name,
    /// The type the location expects.
    pub expected: TypeRef,
    /// The argument or input field has a default, so a nullable variable may feed a non-null slot.
    pub location_has_default: bool,
    /// The argument or input field name, for messages.
    pub target: String,
    pub pos: Pos,
}

/// How a literal or variable value is read: operation literals spell enums as bare names, JSON
/// variables spell them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Literal,
    Json,
}

/// Checks `value` against `ty`, collecting variable usages. `Err(Some(msg))` names a specific
/// problem inside an input object; `Err(None)` is a plain type mismatch.
#[expect(
    clippy::too_many_arguments,
    reason = "recursive check threading where the value sits"
)]
pub fn check_value(
    schema: &AdminSchema,
    value: &Value,
    ty: &TypeRef,
    location_has_default: bool,
    target: &str,
    pos: Pos,
    source: Source,
    uses: &mut Vec<VarUse>,
) -> Result<(), Option<String>> {
    if let Value::Variable(name) = value {
        uses.push(VarUse {
            name: name.clone(),
            expected: ty.clone(),
            location_has_default,
            target: target.to_string(),
            pos,
        });
        return Ok(());
    }
    match ty {
        TypeRef::NonNull(inner) => {
            if matches!(value, Value::Null) {
                return Err(None);
            }
            check_value(schema, value, inner, false, target, pos, source, uses)
        }
        TypeRef::List(inner) => match value {
            Value::Null => Ok(()),
            Value::List(items) => {
                // Visit every item so variable usages in later items are still collected.
                let mut result = Ok(());
                for item in items {
                    let checked =
                        check_value(schema, item, inner, false, target, pos, source, uses);
                    if result.is_ok() {
                        result = checked;
                    }
                }
                result
            }
            // A single value where a list is expected is coerced to a one-item list.
            single => check_value(schema, single, inner, false, target, pos, source, uses),
        },
        TypeRef::Named(name) => {
            if matches!(value, Value::Null) {
                return Ok(());
            }
            let Some(def) = schema.get(name) else {
                return Err(None);
            };
            match def.kind {
                Kind::Scalar => scalar_accepts(name, value, source)
                    .then_some(())
                    .ok_or(None),
                Kind::Enum => {
                    let given = match (value, source) {
                        (Value::Enum(v), _) => Some(v.as_str()),
                        (Value::String(v), Source::Json) => Some(v.as_str()),
                        _ => None,
                    };
                    given
                        .is_some_and(|v| def.enum_values.contains(v))
                        .then_some(())
                        .ok_or(None)
                }
                Kind::InputObject => input_object(schema, def, value, pos, source, uses),
                Kind::Object | Kind::Interface | Kind::Union => Err(None),
            }
        }
    }
}

fn scalar_accepts(name: &str, value: &Value, source: Source) -> bool {
    match name {
        "Int" => {
            matches!(value, Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()))
        }
        "Float" => matches!(value, Value::Number(_)),
        "String" => matches!(value, Value::String(_)),
        "Boolean" => matches!(value, Value::Boolean(_)),
        "ID" => match value {
            Value::String(_) => true,
            Value::Number(n) => n.is_i64() || n.is_u64(),
            _ => false,
        },
        "JSON" => true,
        // Shopify's custom scalars (DateTime, URL, Money, Decimal, UnsignedInt64, ...) travel as
        // strings, a few as numbers; their formats are checked when resolving, not here.
        _ => {
            matches!(
                value,
                Value::String(_) | Value::Number(_) | Value::Boolean(_)
            ) || (source == Source::Json
                && matches!(value, Value::Object(_) | Value::List(_))
                && name == "JSON")
        }
    }
}

fn input_object(
    schema: &AdminSchema,
    def: &TypeDef,
    value: &Value,
    pos: Pos,
    source: Source,
    uses: &mut Vec<VarUse>,
) -> Result<(), Option<String>> {
    let Value::Object(map) = value else {
        return Err(None);
    };
    let mut result = Ok(());
    let mut keep_first = |r: Result<(), Option<String>>| {
        if result.is_ok() {
            result = r;
        }
    };
    for (key, item) in map {
        match def.input_fields.iter().find(|f| f.name == key.as_str()) {
            None => keep_first(Err(Some(format!(
                "InputObject '{}' doesn't accept argument '{key}'",
                def.name
            )))),
            Some(field) => {
                let checked = check_value(
                    schema,
                    item,
                    &field.ty,
                    field.has_default,
                    &field.name,
                    pos,
                    source,
                    uses,
                );
                keep_first(checked.map_err(|detail| {
                    detail.or_else(|| {
                        Some(format!(
                            "Argument '{}' on InputObject '{}' has an invalid value ({item}). Expected type '{}'.",
                            field.name, def.name, field.ty
                        ))
                    })
                }));
            }
        }
    }
    for field in def.input_fields.iter().filter(|f| f.is_required()) {
        if !map.contains_key(field.name.as_str()) {
            keep_first(Err(Some(format!(
                "Argument '{}' on InputObject '{}' is required. Expected type {}",
                field.name, def.name, field.ty
            ))));
        }
    }
    if def.one_of && map.values().filter(|v| !matches!(v, Value::Null)).count() != 1 {
        keep_first(Err(Some(format!(
            "OneOf Input Object '{}' must specify exactly one key.",
            def.name
        ))));
    }
    result
}

/// Why a variable cannot feed a location, in graphql-ruby's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    Type,
    ListDimension,
    Nullability,
}

impl Mismatch {
    /// The first words of the error message.
    pub fn words(self) -> &'static str {
        match self {
            Self::Type => "Type mismatch",
            Self::ListDimension => "List dimension mismatch",
            Self::Nullability => "Nullability mismatch",
        }
    }
}

/// Compares a declared variable type with the type a location expects. A nullable variable may
/// feed a non-null location when the variable or the location has a default.
pub fn compare(
    var: &TypeRef,
    var_has_default: bool,
    expected: &TypeRef,
    location_has_default: bool,
) -> Option<Mismatch> {
    let expected = match expected {
        TypeRef::NonNull(inner)
            if !var.is_non_null() && (var_has_default || location_has_default) =>
        {
            inner
        }
        other => other,
    };
    if var.named() != expected.named() {
        return Some(Mismatch::Type);
    }
    if list_depth(var) != list_depth(expected) {
        return Some(Mismatch::ListDimension);
    }
    (!nullability_fits(var, expected)).then_some(Mismatch::Nullability)
}

fn list_depth(ty: &TypeRef) -> usize {
    match ty {
        TypeRef::Named(_) => 0,
        TypeRef::NonNull(inner) => list_depth(inner),
        TypeRef::List(inner) => 1 + list_depth(inner),
    }
}

fn nullability_fits(var: &TypeRef, expected: &TypeRef) -> bool {
    match (var, expected) {
        (TypeRef::NonNull(v), TypeRef::NonNull(e)) => nullability_fits(v, e),
        (TypeRef::NonNull(v), e) => nullability_fits(v, e),
        (_, TypeRef::NonNull(_)) => false,
        (TypeRef::List(v), TypeRef::List(e)) => nullability_fits(v, e),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> TypeRef {
        let parsed = async_graphql_parser::types::Type::new(s).expect("type");
        TypeRef::from_ast(&parsed)
    }

    #[test]
    fn variable_type_compatibility() {
        assert_eq!(compare(&t("ID!"), false, &t("ID!"), false), None);
        assert_eq!(compare(&t("ID!"), false, &t("ID"), false), None);
        assert_eq!(
            compare(&t("ID"), false, &t("ID!"), false),
            Some(Mismatch::Nullability)
        );
        assert_eq!(compare(&t("ID"), true, &t("ID!"), false), None);
        assert_eq!(compare(&t("Int"), false, &t("Int!"), true), None);
        assert_eq!(
            compare(&t("String!"), false, &t("ID!"), false),
            Some(Mismatch::Type)
        );
        assert_eq!(
            compare(&t("[ID!]!"), false, &t("ID!"), false),
            Some(Mismatch::ListDimension)
        );
        assert_eq!(
            compare(&t("[ID]!"), false, &t("[ID!]!"), false),
            Some(Mismatch::Nullability)
        );
    }
}
