//! Answers validated Admin API queries from a shop's data. Root fields build plain JSON objects
//! (with `__typename`), and the selection set is projected onto them, honouring aliases,
//! fragments and `@skip`/`@include`. A field the simulator has no data for comes back `null`
//! with a `SIM_NOT_IMPLEMENTED` error, so a test learns at once that it reached the sim's edge.
//! Root fields are resolved one response key at a time ([`RootField`] → [`Resolved`]) and then
//! assembled by [`Ctx::assemble`]; mutations (`mutate.rs`) share that assembly.

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{Directive, ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql_value::{ConstValue, Value};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json, json};

use super::admin_schema::AdminSchema;
use super::billing::{self, SimAppSubscription};
use super::bulk::{self, BulkOp};
use super::connections;
use super::demo::DemoStore;
use super::demo::calendar::utc_offset_minutes;
use super::records::{Kind, Records};
use super::state::ShopInfo;
use super::subscriptions::{self, SimWebhookSubscription};

/// What a query runs against.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub schema: &'a AdminSchema,
    pub doc: &'a ExecutableDocument,
    pub variables: &'a Json,
    pub info: &'a ShopInfo,
    pub data: &'a DemoStore,
    /// A snapshot of the shop's API-created webhook subscriptions, for `webhookSubscriptions`.
    pub webhook_subscriptions: &'a [SimWebhookSubscription],
    /// A snapshot of the shop's app subscriptions (Billing API), for `currentAppInstallation`.
    pub app_subscriptions: &'a [SimAppSubscription],
    /// Scopes of the calling token, for `currentAppInstallation`.
    pub scopes: &'a str,
    pub app_url: &'a str,
    /// Generated records plus control-API changes, for the record connections and `node(id:)`.
    pub records: &'a Records,
    /// A snapshot of the shop's bulk operations, newest last.
    pub bulk_operations: &'a [BulkOp],
}

/// One selected root field: its response key (alias or name), the field name, its arguments with
/// variables filled in (enums as strings), and every occurrence in the document, since GraphQL
/// merges same-key fields into one answer (and runs a mutation once, not once per occurrence).
#[derive(Debug)]
pub struct RootField<'d> {
    pub key: String,
    pub name: String,
    pub args: Map<String, Json>,
    pub fields: Vec<&'d Positioned<Field>>,
}

/// What a root resolver made of one root field.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// The field's value (objects carry `__typename`), projected onto the selection afterwards.
    Value(Json),
    /// The sim cannot answer this (yet): `null` plus a `SIM_NOT_IMPLEMENTED` error, with an
    /// optional message naming what exactly is missing.
    NotImplemented(Option<String>),
    /// Shopify would answer with a top-level error (bad arguments): `null` plus the message.
    Error(String),
}

/// Runs the root selection of a query; returns `data` and `errors`. Mutations go through
/// [`super::mutate::execute`], which resolves under the shop lock and then calls
/// [`Ctx::assemble`] the same way.
pub fn execute(ctx: &Ctx<'_>, root_type: &str, set: &SelectionSet) -> (Json, Vec<Json>) {
    let roots = ctx.root_selection(set);
    let values = roots
        .iter()
        .map(|root| {
            if root_type == ctx.schema.query_type {
                query_root(ctx, root)
            } else {
                Resolved::NotImplemented(None)
            }
        })
        .collect();
    ctx.assemble(root_type, &roots, values)
}

/// The query root fields the simulator knows.
fn query_root(ctx: &Ctx<'_>, root: &RootField<'_>) -> Resolved {
    let count = |n: usize| {
        let limit = root
            .args
            .get("limit")
            .and_then(Json::as_u64)
            .unwrap_or(10_000);
        let exact = (n as u64) <= limit;
        json!({"__typename": "Count", "count": if exact { n as u64 } else { limit },
            "precision": if exact { "EXACT" } else { "AT_LEAST" }})
    };
    let value = match root.name.as_str() {
        "shop" => shop(ctx.info),
        "customersCount" => count(ctx.records.count(Kind::Customer)),
        "ordersCount" => count(ctx.records.count(Kind::Order)),
        "productsCount" => count(ctx.records.count(Kind::Product)),
        "abandonedCheckoutsCount" => count(ctx.records.count(Kind::Checkout)),
        "currentAppInstallation" => return app_installation(ctx, root),
        "customers" | "orders" | "products" | "abandonedCheckouts" => {
            return match connections::root_kind(&root.name) {
                Some(kind) => connections::resolve(ctx, ctx.records, kind, root),
                None => Resolved::NotImplemented(None),
            };
        }
        "currentBulkOperation" | "bulkOperation" => return bulk::query_root(ctx, root),
        "node" => {
            let id = root.args.get("id").and_then(Json::as_str).unwrap_or("");
            if id.starts_with("gid://shopify/AppSubscription/") {
                billing::find_node(ctx.app_subscriptions, id)
            } else if id.starts_with("gid://shopify/BulkOperation/") {
                bulk::find_node(ctx.bulk_operations, id)
            } else if let Some(node) = ctx.records.find_gid(id) {
                node
            } else {
                return Resolved::NotImplemented(Some(format!(
                    "shopify-sim implements node(id:) for AppSubscription, BulkOperation, Customer, Order, Product and AbandonedCheckout ids only, not {id}"
                )));
            }
        }
        "webhookSubscriptions" => {
            return subscriptions::connection(ctx.webhook_subscriptions, &root.args);
        }
        "webhookSubscription" => return subscriptions::find(ctx.webhook_subscriptions, &root.args),
        _ => return Resolved::NotImplemented(None),
    };
    Resolved::Value(value)
}

/// Merges a second answer for the same response key into the first (`{ shop { name } shop {
/// email } }` answers one `shop` with both fields).
fn merge(into: &mut Json, from: Json) {
    match (into, from) {
        (Json::Object(a), Json::Object(b)) => {
            for (key, value) in b {
                match a.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        a.insert(key, value);
                    }
                }
            }
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                merge(x, y);
            }
        }
        (slot, other) => *slot = other,
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn shop(info: &ShopInfo) -> Json {
    let domain = info.domain.as_str();
    let offset = utc_offset_minutes(&info.timezone);
    let sign = if offset < 0 { '-' } else { '+' };
    let development = info.plan == "Development";
    json!({
        "__typename": "Shop",
        "id": format!("gid://shopify/Shop/{}", info.id),
        "name": info.name,
        "email": info.email,
        "contactEmail": info.email,
        "myshopifyDomain": domain,
        "url": format!("https://{domain}"),
        "currencyCode": info.currency.code(),
        "enabledPresentmentCurrencies": std::iter::once(info.currency).chain(info.presentment_currencies.iter().copied())
            .map(|c| c.code()).collect::<Vec<_>>(),
        "ianaTimezone": info.timezone,
        "timezoneOffsetMinutes": offset,
        "timezoneOffset": format!("{sign}{:02}{:02}", offset.abs() / 60, offset.abs() % 60),
        "createdAt": iso(info.created_at),
        "updatedAt": iso(info.created_at),
        "shopOwnerName": format!("{} {}", info.owner.first_name, info.owner.last_name),
        "description": Json::Null,
        "taxesIncluded": false,
        "taxShipping": false,
        "setupRequired": false,
        "checkoutApiSupported": true,
        "transactionalSmsDisabled": false,
        "marketingSmsConsentEnabledAtCheckout": true,
        "orderNumberFormatPrefix": "#",
        "orderNumberFormatSuffix": "",
        "weightUnit": "POUNDS",
        "unitSystem": "IMPERIAL_SYSTEM",
        "plan": {
            "__typename": "ShopPlan",
            "displayName": info.plan,
            "publicDisplayName": info.plan,
            "partnerDevelopment": development,
            "shopifyPlus": info.plan == "Shopify Plus",
        },
        "primaryDomain": {
            "__typename": "Domain",
            "id": format!("gid://shopify/Domain/{}", info.id + 1),
            "host": domain,
            "url": format!("https://{domain}"),
            "sslEnabled": true,
        },
    })
}

/// `currentAppInstallation`. `allSubscriptions` takes arguments, which the generic projection
/// does not pass down, so they are read here from the (first) `allSubscriptions` selected.
fn app_installation(ctx: &Ctx<'_>, root: &RootField<'_>) -> Resolved {
    let all_args = root
        .fields
        .iter()
        .find_map(|f| ctx.find_field(&f.node.selection_set.node, "allSubscriptions", 0))
        .map(|field| ctx.arguments(field));
    let all = match all_args {
        Some(args) => match billing::connection(ctx.app_subscriptions, &args) {
            Ok(connection) => connection,
            Err(message) => return Resolved::Error(message),
        },
        None => Json::Null,
    };
    let mut value = app_installation_base(ctx);
    value["activeSubscriptions"] = billing::active_nodes(ctx.app_subscriptions);
    value["allSubscriptions"] = all;
    Resolved::Value(value)
}

fn app_installation_base(ctx: &Ctx<'_>) -> Json {
    let scopes: Vec<Json> = ctx
        .scopes
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|handle| json!({"__typename": "AccessScope", "handle": handle, "description": format!("Access to {handle}")}))
        .collect();
    json!({
        "__typename": "AppInstallation",
        "id": format!("gid://shopify/AppInstallation/{}", ctx.info.id + 7),
        "accessScopes": scopes,
        "launchUrl": ctx.app_url,
    })
}

impl<'a> Ctx<'a> {
    /// The root fields of `set` in document order, through fragments, without `@skip`ped ones,
    /// grouped by response key.
    pub fn root_selection(&self, set: &'a SelectionSet) -> Vec<RootField<'a>> {
        let mut out: Vec<RootField<'a>> = Vec::new();
        self.collect_roots(set, &mut out, 0);
        out
    }

    fn collect_roots(&self, set: &'a SelectionSet, out: &mut Vec<RootField<'a>>, depth: usize) {
        if depth > 16 {
            return;
        }
        for item in &set.items {
            if !self.included(item.node.directives()) {
                continue;
            }
            match &item.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.to_string();
                    if let Some(root) = out.iter_mut().find(|r| r.key == key) {
                        root.fields.push(f);
                    } else {
                        out.push(RootField {
                            key,
                            name: f.node.name.node.to_string(),
                            args: self.arguments(&f.node),
                            fields: vec![f],
                        });
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.collect_roots(&inline.node.selection_set.node, out, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.collect_roots(&fragment.node.selection_set.node, out, depth + 1);
                    }
                }
            }
        }
    }

    /// The first field named `name` in `set`, looking through fragments (not into subfields).
    pub(crate) fn find_field<'b>(
        &'b self,
        set: &'b SelectionSet,
        name: &str,
        depth: usize,
    ) -> Option<&'b Field> {
        if depth > 16 {
            return None;
        }
        set.items.iter().find_map(|item| match &item.node {
            _ if !self.included(item.node.directives()) => None,
            Selection::Field(f) => (f.node.name.node == name).then_some(&f.node),
            Selection::InlineFragment(inline) => {
                self.find_field(&inline.node.selection_set.node, name, depth + 1)
            }
            Selection::FragmentSpread(spread) => self
                .doc
                .fragments
                .get(&spread.node.fragment_name.node)
                .and_then(|fragment| {
                    self.find_field(&fragment.node.selection_set.node, name, depth + 1)
                }),
        })
    }

    /// A field's arguments as JSON, variables substituted (a missing variable is `null`).
    pub(crate) fn arguments(&self, field: &Field) -> Map<String, Json> {
        field
            .arguments
            .iter()
            .map(|(name, value)| {
                let constant = value.node.clone().into_const_with(|var| {
                    let json = self.variables.get(var.as_str()).cloned();
                    Ok::<_, std::convert::Infallible>(
                        json.and_then(|j| ConstValue::from_json(j).ok())
                            .unwrap_or(ConstValue::Null),
                    )
                });
                let json = constant
                    .ok()
                    .and_then(|c| c.into_json().ok())
                    .unwrap_or(Json::Null);
                (name.node.to_string(), json)
            })
            .collect()
    }

    /// Builds `data` from resolved root values, projecting each onto its selection set(s) like
    /// any nested object, and collects the errors of fields that could not be answered.
    pub fn assemble(
        &self,
        root_type: &str,
        roots: &[RootField<'_>],
        values: Vec<Resolved>,
    ) -> (Json, Vec<Json>) {
        let mut errors = Vec::new();
        let mut data = Map::new();
        for (root, value) in roots.iter().zip(values) {
            let mut path = vec![json!(root.key)];
            let error = |message: String, code: Option<&str>| {
                let first = root.fields[0];
                let mut error = json!({
                    "message": message,
                    "locations": [{"line": first.pos.line, "column": first.pos.column}],
                    "path": [root.key],
                });
                if let Some(code) = code {
                    error["extensions"] = json!({"code": code});
                }
                error
            };
            let answer = match value {
                _ if root.name == "__typename" => json!(root_type),
                Resolved::Value(value) => {
                    let mut answer: Option<Json> = None;
                    for field in &root.fields {
                        let set = &field.node.selection_set.node;
                        let projected = if set.items.is_empty() {
                            value.clone()
                        } else {
                            self.project(&value, set, &mut path, &mut errors)
                        };
                        match answer.as_mut() {
                            Some(existing) => merge(existing, projected),
                            None => answer = Some(projected),
                        }
                    }
                    answer.unwrap_or(Json::Null)
                }
                Resolved::NotImplemented(message) => {
                    let message = message.unwrap_or_else(|| {
                        format!(
                            "shopify-sim does not implement {root_type}.{} yet",
                            root.name
                        )
                    });
                    errors.push(error(message, Some("SIM_NOT_IMPLEMENTED")));
                    Json::Null
                }
                Resolved::Error(message) => {
                    errors.push(error(message, None));
                    Json::Null
                }
            };
            data.insert(root.key.clone(), answer);
        }
        (Json::Object(data), errors)
    }

    fn boolean(&self, value: &Value) -> Option<bool> {
        match value {
            Value::Boolean(b) => Some(*b),
            Value::Variable(name) => self.variables.get(name.as_str()).and_then(Json::as_bool),
            _ => None,
        }
    }

    /// `@skip(if:)` / `@include(if:)`.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|d| {
            let condition = d
                .node
                .get_argument("if")
                .and_then(|v| self.boolean(&v.node));
            match d.node.name.node.as_str() {
                "skip" => condition != Some(true),
                "include" => condition != Some(false),
                _ => true,
            }
        })
    }

    fn applies(&self, condition: Option<&str>, concrete: &str) -> bool {
        condition.is_none_or(|c| c == concrete || self.schema.is_possible(c, concrete))
    }

    pub(crate) fn project(
        &self,
        value: &Json,
        set: &SelectionSet,
        path: &mut Vec<Json>,
        errors: &mut Vec<Json>,
    ) -> Json {
        match value {
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(json!(i));
                        let projected = self.project(item, set, path, errors);
                        path.pop();
                        projected
                    })
                    .collect(),
            ),
            Json::Object(map) => {
                let concrete = map
                    .get("__typename")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string();
                let mut out = Map::new();
                self.collect(map, &concrete, set, &mut out, path, errors, 0);
                Json::Object(out)
            }
            other => other.clone(),
        }
    }

    #[expect(clippy::too_many_arguments, reason = "recursive walker state")]
    fn collect(
        &self,
        map: &Map<String, Json>,
        concrete: &str,
        set: &SelectionSet,
        out: &mut Map<String, Json>,
        path: &mut Vec<Json>,
        errors: &mut Vec<Json>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        for item in &set.items {
            if !self.included(item.node.directives()) {
                continue;
            }
            match &item.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let key = f.response_key().node.to_string();
                    let name = f.name.node.as_str();
                    path.push(json!(key));
                    let value = if name == "__typename" {
                        json!(concrete)
                    } else if let Some(value) = map.get(name) {
                        if f.selection_set.node.items.is_empty() {
                            value.clone()
                        } else {
                            self.project(value, &f.selection_set.node, path, errors)
                        }
                    } else {
                        errors.push(json!({
                            "message": format!("shopify-sim does not implement {concrete}.{name} yet"),
                            "locations": [{"line": field.pos.line, "column": field.pos.column}],
                            "path": path.clone(),
                            "extensions": {"code": "SIM_NOT_IMPLEMENTED"},
                        }));
                        Json::Null
                    };
                    path.pop();
                    out.insert(key, value);
                }
                Selection::InlineFragment(inline) => {
                    let condition = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str());
                    if self.applies(condition, concrete) {
                        self.collect(
                            map,
                            concrete,
                            &inline.node.selection_set.node,
                            out,
                            path,
                            errors,
                            depth + 1,
                        );
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    {
                        let condition = fragment.node.type_condition.node.on.node.as_str();
                        if self.applies(Some(condition), concrete) {
                            self.collect(
                                map,
                                concrete,
                                &fragment.node.selection_set.node,
                                out,
                                path,
                                errors,
                                depth + 1,
                            );
                        }
                    }
                }
            }
        }
    }
}
