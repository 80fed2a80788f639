//! Field-level rules of Admin operation validation: fields exist on their parent type (objects,
//! interfaces, unions), arguments exist and required ones are given, leaf fields have no
//! selections and object fields have some, directives are known and placed where they may be.
//! Document-level rules are in `validate.rs`, fragments in `validate_fragments.rs`.

use async_graphql_parser::types::{Directive, Field, Selection, SelectionSet};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::{Name, Value};
use serde_json::json;

use super::admin_schema::{InputValue, Kind, TypeDef};
use super::validate::{Scope, Validator};
use super::validate_values::{Source, check_value};

impl<'a> Validator<'a> {
    pub(super) fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        parent: &'a TypeDef,
        path: &mut Vec<String>,
        scope: &mut Scope,
        report: bool,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => self.field(field, parent, path, scope, report),
                Selection::InlineFragment(inline) => {
                    self.inline_fragment(inline, parent, path, scope, report)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment_spread(spread, parent, path, scope, report)
                }
            }
        }
    }

    pub(super) fn field(
        &mut self,
        field: &'a Positioned<Field>,
        parent: &'a TypeDef,
        path: &mut Vec<String>,
        scope: &mut Scope,
        report: bool,
    ) {
        let f = &field.node;
        let name = f.name.node.as_str();
        path.push(f.response_key().node.to_string());
        self.directives(&f.directives, "FIELD", path, scope, report);
        let has_selections = !f.selection_set.node.items.is_empty();
        if name == "__typename" {
            if has_selections {
                self.leaf_with_selections(field, "String", path, report);
            }
            path.pop();
            return;
        }
        let Some(def) = parent.fields.get(name) else {
            if parent.kind == Kind::Union {
                self.report(
                    report,
                    format!(
                        "Selections can't be made directly on unions (see selections on {})",
                        parent.name
                    ),
                    field.pos,
                    path,
                    json!({"code": "selectionMismatch", "nodeName": parent.name}),
                );
            } else {
                self.report(
                    report,
                    format!("Field '{name}' doesn't exist on type '{}'", parent.name),
                    field.pos,
                    path,
                    json!({"code": "undefinedField", "typeName": parent.name, "fieldName": name}),
                );
            }
            path.pop();
            return;
        };
        self.arguments(
            &f.arguments,
            &def.args,
            name,
            "Field",
            field.pos,
            path,
            scope,
            report,
        );
        match self.schema.get(def.ty.named()) {
            Some(ty) if ty.is_leaf() && has_selections => {
                self.leaf_with_selections(field, &ty.name, path, report)
            }
            Some(ty) if ty.is_leaf() => {}
            Some(ty) if !has_selections => {
                self.report(report, format!("Field must have selections (field '{name}' returns {} but has no selections. Did you mean '{name} {{ ... }}'?)", ty.name),
                    field.pos, path, json!({"code": "selectionMismatch", "nodeName": format!("field '{name}'"), "typeName": ty.name}));
            }
            Some(ty) => self.selection_set(&f.selection_set.node, ty, path, scope, report),
            None => {}
        }
        path.pop();
    }

    pub(super) fn leaf_with_selections(
        &mut self,
        field: &Positioned<Field>,
        type_name: &str,
        path: &[String],
        report: bool,
    ) {
        let f = &field.node;
        let names: Vec<String> = f
            .selection_set
            .node
            .items
            .iter()
            .filter_map(|s| match &s.node {
                Selection::Field(sub) => Some(sub.node.name.node.to_string()),
                _ => None,
            })
            .collect();
        let kind = if self
            .schema
            .get(type_name)
            .is_some_and(|t| t.kind == Kind::Enum)
        {
            "enums"
        } else {
            "scalars"
        };
        self.report(report, format!("Selections can't be made on {kind} (field '{}' returns {type_name} but has selections [{}])", f.name.node, names.join(", ")),
            field.pos, path, json!({"code": "selectionMismatch", "nodeName": format!("field '{}'", f.name.node), "typeName": type_name}));
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "fields and directives share this check"
    )]
    pub(super) fn arguments(
        &mut self,
        given: &'a [(Positioned<Name>, Positioned<Value>)],
        defs: &[InputValue],
        owner: &str,
        class: &str,
        pos: Pos,
        path: &mut Vec<String>,
        scope: &mut Scope,
        report: bool,
    ) {
        for (arg_name, value) in given {
            let arg = arg_name.node.as_str();
            let Some(def) = defs.iter().find(|d| d.name == arg) else {
                path.push(arg.to_string());
                self.report(report, format!("{class} '{owner}' doesn't accept argument '{arg}'"), arg_name.pos, path,
                    json!({"code": "argumentNotAccepted", "name": owner, "typeName": class, "argumentName": arg}));
                path.pop();
                continue;
            };
            if let Err(detail) = check_value(
                self.schema,
                &value.node,
                &def.ty,
                def.has_default,
                arg,
                value.pos,
                Source::Literal,
                &mut scope.uses,
            ) {
                path.push(arg.to_string());
                let message = detail.unwrap_or_else(|| format!("Argument '{arg}' on {class} '{owner}' has an invalid value ({}). Expected type '{}'.", value.node, def.ty));
                self.report(report, message, value.pos, path,
                    json!({"code": "argumentLiteralsIncompatible", "typeName": class, "argumentName": arg}));
                path.pop();
            }
        }
        let missing: Vec<&str> = defs
            .iter()
            .filter(|d| d.is_required() && !given.iter().any(|(n, _)| n.node.as_str() == d.name))
            .map(|d| d.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.report(report, format!("{class} '{owner}' is missing required arguments: {}", missing.join(", ")), pos, path,
                json!({"code": "missingRequiredArguments", "className": class, "name": owner, "arguments": missing.join(", ")}));
        }
    }

    pub(super) fn directives(
        &mut self,
        directives: &'a [Positioned<Directive>],
        location: &str,
        path: &[String],
        scope: &mut Scope,
        report: bool,
    ) {
        for directive in directives {
            let name = directive.node.name.node.as_str();
            let Some(def) = self.schema.directives.get(name) else {
                self.report(
                    report,
                    format!("Directive @{name} is not defined"),
                    directive.pos,
                    path,
                    json!({"code": "undefinedDirective", "directiveName": name}),
                );
                continue;
            };
            if !def.locations.iter().any(|l| l == location) {
                self.report(report, format!("'@{name}' can't be applied to {} (allowed: {})", location.to_lowercase().replace('_', " "), def.locations.join(", ").to_lowercase()),
                    directive.pos, path, json!({"code": "directiveCannotBeApplied", "targetName": location, "name": name}));
            }
            let mut at = path.to_vec();
            self.arguments(
                &directive.node.arguments,
                &def.args,
                name,
                "Directive",
                directive.pos,
                &mut at,
                scope,
                report,
            );
        }
    }
}
