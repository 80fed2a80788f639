//! Shopify's real Admin GraphQL schema, version 2026-10, loaded from the introspection JSON that
//! `@shopify/dev-mcp` ships (tests/fixtures/shopify/admin_2026-10.json.gz, embedded in the binary so
//! it works from any directory). Only what validation and cost need is kept: types, fields,
//! arguments, input fields, enum values, possible types, directives. Reading the JSON is in
//! `introspection.rs`; validation rules live in `validate*.rs`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

/// The Admin API version whose schema is embedded.
pub const SCHEMA_VERSION: &str = "2026-10";

static SCHEMA_GZ: &[u8] = include_bytes!("../../fixtures/shopify/admin_2026-10.json.gz");

/// A GraphQL type reference such as `[ID!]!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    /// The named type at the bottom of lists and non-nulls.
    pub fn named(&self) -> &str {
        match self {
            Self::Named(name) => name,
            Self::List(inner) | Self::NonNull(inner) => inner.named(),
        }
    }

    /// Whether the outermost wrapper is non-null.
    pub fn is_non_null(&self) -> bool {
        matches!(self, Self::NonNull(_))
    }

    /// Converts a parsed operation type (`$x: [ID!]`) into a reference.
    pub fn from_ast(ty: &async_graphql_parser::types::Type) -> Self {
        use async_graphql_parser::types::BaseType;
        let base = match &ty.base {
            BaseType::Named(name) => Self::Named(name.to_string()),
            BaseType::List(inner) => Self::List(Box::new(Self::from_ast(inner))),
        };
        if ty.nullable {
            base
        } else {
            Self::NonNull(Box::new(base))
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Named(name) => f.write_str(name),
            Self::List(inner) => write!(f, "[{inner}]"),
            Self::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

/// The kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

/// An argument or input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputValue {
    pub name: String,
    pub ty: TypeRef,
    pub has_default: bool,
}

impl InputValue {
    /// Non-null without a default: the caller must give it.
    pub fn is_required(&self) -> bool {
        self.ty.is_non_null() && !self.has_default
    }
}

/// A field of an object or interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub ty: TypeRef,
    pub args: Vec<InputValue>,
}

impl FieldDef {
    /// The argument definition called `name`.
    pub fn arg(&self, name: &str) -> Option<&InputValue> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    pub name: String,
    pub kind: Kind,
    pub fields: HashMap<String, FieldDef>,
    pub input_fields: Vec<InputValue>,
    pub enum_values: HashSet<String>,
    /// Object types an interface or union can be; for an object, itself.
    pub possible_types: HashSet<String>,
    pub one_of: bool,
}

impl TypeDef {
    /// Scalars and enums end a selection.
    pub fn is_leaf(&self) -> bool {
        matches!(self.kind, Kind::Scalar | Kind::Enum)
    }

    /// Objects, interfaces and unions need a selection.
    pub fn is_composite(&self) -> bool {
        matches!(self.kind, Kind::Object | Kind::Interface | Kind::Union)
    }

    /// Scalars, enums and input objects may be variables and arguments.
    pub fn is_input(&self) -> bool {
        matches!(self.kind, Kind::Scalar | Kind::Enum | Kind::InputObject)
    }
}

/// A directive definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveDef {
    pub args: Vec<InputValue>,
    pub locations: Vec<String>,
}

/// The schema, indexed by type name.
#[derive(Debug, Clone)]
pub struct AdminSchema {
    pub types: HashMap<String, TypeDef>,
    pub query_type: String,
    pub mutation_type: Option<String>,
    pub directives: HashMap<String, DirectiveDef>,
}

impl AdminSchema {
    /// Loads the embedded 2026-10 schema.
    pub fn embedded() -> Result<Self, String> {
        let mut json = Vec::with_capacity(12 << 20);
        flate2::read::GzDecoder::new(SCHEMA_GZ)
            .read_to_end(&mut json)
            .map_err(|e| format!("gunzip schema: {e}"))?;
        Self::from_introspection(&json)
    }

    /// The named type.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// A field of an object or interface type.
    pub fn field(&self, type_name: &str, field: &str) -> Option<&FieldDef> {
        self.types.get(type_name)?.fields.get(field)
    }

    /// Whether a fragment on `a` can apply inside a selection on `b` (their possible types meet).
    pub fn overlaps(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        match (self.get(a), self.get(b)) {
            (Some(x), Some(y)) => x
                .possible_types
                .iter()
                .any(|t| y.possible_types.contains(t)),
            _ => false,
        }
    }

    /// Whether the object type `object` is one of the possible types of `abstract_or_object`.
    pub fn is_possible(&self, abstract_or_object: &str, object: &str) -> bool {
        self.get(abstract_or_object)
            .is_some_and(|t| t.possible_types.contains(object))
    }
}

/// The embedded schema, parsed once on first use.
pub fn admin_schema() -> Result<&'static AdminSchema, String> {
    static SCHEMA: OnceLock<Result<AdminSchema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(AdminSchema::embedded)
        .as_ref()
        .map_err(Clone::clone)
}

/// Validates an operation document against Shopify's 2026-10 Admin schema, as Shopify would before
/// running it. `Err` holds Shopify-style messages such as `Field 'domain' doesn't exist on type 'Shop'`.
pub fn validate_admin_operation(doc: &str) -> Result<(), Vec<String>> {
    let schema = admin_schema().map_err(|e| vec![e])?;
    let violations = super::validate::validate_source(schema, doc);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations.into_iter().map(|v| v.message).collect())
    }
}
