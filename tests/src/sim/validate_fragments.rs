//! Fragment rules of Admin operation validation: inline fragments and spreads name composite
//! types that can apply where they are used, every spread fragment is defined, none loops, and
//! each fragment body is checked once. Field rules are in `validate_fields.rs`.

use async_graphql_parser::types::{FragmentDefinition, FragmentSpread, InlineFragment};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::Name;
use serde_json::json;

use super::admin_schema::TypeDef;
use super::validate::{Scope, Validator};

impl<'a> Validator<'a> {
    pub(super) fn inline_fragment(
        &mut self,
        inline: &'a Positioned<InlineFragment>,
        parent: &'a TypeDef,
        path: &mut Vec<String>,
        scope: &mut Scope,
        report: bool,
    ) {
        self.directives(
            &inline.node.directives,
            "INLINE_FRAGMENT",
            path,
            scope,
            report,
        );
        let target = match &inline.node.type_condition {
            None => parent,
            Some(cond) => {
                let name = cond.node.on.node.as_str();
                let Some(ty) = self.condition_type(name, cond.pos, path, report) else {
                    return;
                };
                if !self.schema.overlaps(name, &parent.name) {
                    self.report(report, format!("Fragment on {name} can't be spread inside {}", parent.name), inline.pos, path,
                        json!({"code": "cannotSpreadFragment", "typeName": name, "fragmentName": "unknown", "parentName": parent.name}));
                }
                ty
            }
        };
        let label = inline.node.type_condition.as_ref().map_or_else(
            || "...".to_string(),
            |c| format!("... on {}", c.node.on.node),
        );
        path.push(label);
        self.selection_set(&inline.node.selection_set.node, target, path, scope, report);
        path.pop();
    }

    pub(super) fn condition_type(
        &mut self,
        name: &str,
        pos: Pos,
        path: &[String],
        report: bool,
    ) -> Option<&'a TypeDef> {
        let schema = self.schema;
        match schema.get(name) {
            None => {
                self.report(
                    report,
                    format!("No such type {name}, so it can't be a fragment condition"),
                    pos,
                    path,
                    json!({"code": "undefinedType", "typeName": name}),
                );
                None
            }
            Some(ty) if !ty.is_composite() => {
                self.report(
                    report,
                    format!("Invalid fragment on type {name} (must be Union, Interface or Object)"),
                    pos,
                    path,
                    json!({"code": "fragmentOnNonCompositeType", "typeName": name}),
                );
                None
            }
            Some(ty) => Some(ty),
        }
    }

    pub(super) fn fragment_spread(
        &mut self,
        spread: &'a Positioned<FragmentSpread>,
        parent: &'a TypeDef,
        path: &[String],
        scope: &mut Scope,
        report: bool,
    ) {
        let name = &spread.node.fragment_name.node;
        self.directives(
            &spread.node.directives,
            "FRAGMENT_SPREAD",
            path,
            scope,
            report,
        );
        self.spread.insert(name.clone());
        let doc = self.doc;
        let Some(fragment) = doc.fragments.get(name) else {
            self.report(
                report,
                format!("Fragment {name} was used, but not defined"),
                spread.pos,
                path,
                json!({"code": "useAndDefineFragment", "fragmentName": name.as_str()}),
            );
            return;
        };
        if scope.stack.contains(name) {
            self.report(
                report,
                format!("Fragment {name} contains an infinite loop"),
                spread.pos,
                path,
                json!({"code": "infiniteLoop", "fragmentName": name.as_str()}),
            );
            return;
        }
        let cond = fragment.node.type_condition.node.on.node.as_str();
        if self.schema.get(cond).is_some_and(TypeDef::is_composite)
            && !self.schema.overlaps(cond, &parent.name)
        {
            self.report(report, format!("Fragment {name} on {cond} can't be spread inside {}", parent.name), spread.pos, path,
                json!({"code": "cannotSpreadFragment", "typeName": cond, "fragmentName": name.as_str(), "parentName": parent.name}));
        }
        // A fragment body is reported once, however often it is spread; usages count every time.
        let first_time = self.checked_fragments.insert(name.clone());
        scope.stack.push(name.clone());
        self.fragment_body(name, fragment, scope, first_time);
        scope.stack.pop();
    }

    pub(super) fn fragment_body(
        &mut self,
        name: &Name,
        fragment: &'a Positioned<FragmentDefinition>,
        scope: &mut Scope,
        report: bool,
    ) {
        let mut path = vec![format!("fragment {name}")];
        let cond = &fragment.node.type_condition;
        let Some(ty) = self.condition_type(cond.node.on.node.as_str(), cond.pos, &path, report)
        else {
            return;
        };
        self.directives(
            &fragment.node.directives,
            "FRAGMENT_DEFINITION",
            &path,
            scope,
            report,
        );
        self.selection_set(
            &fragment.node.selection_set.node,
            ty,
            &mut path,
            scope,
            report,
        );
    }
}
