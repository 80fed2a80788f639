//! Answers validated Admin API queries from a shop's data. Root fields build plain JSON objects
//! (with `__typename`), and the selection set is projected onto them, honouring aliases,
//! fragments and `@skip`/`@include`. A field the simulator has no data for comes back `null`
//! with a `SIM_NOT_IMPLEMENTED` error, so a test learns at once that it reached the sim's edge.

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::Value;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json, json};

use super::admin_schema::AdminSchema;
use super::demo::DemoStore;
use super::demo::calendar::utc_offset_minutes;
use super::state::ShopInfo;

/// What a query runs against.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub schema: &'a AdminSchema,
    pub doc: &'a ExecutableDocument,
    pub variables: &'a Json,
    pub info: &'a ShopInfo,
    pub data: &'a DemoStore,
    /// Scopes of the calling token, for `currentAppInstallation`.
    pub scopes: &'a str,
    pub app_url: &'a str,
}

/// Runs the root selection of a query or mutation; returns `data` and `errors`.
pub fn execute(ctx: &Ctx<'_>, root_type: &str, set: &SelectionSet) -> (Json, Vec<Json>) {
    let mut errors = Vec::new();
    let mut root = Map::new();
    root.insert("__typename".into(), json!(root_type));
    if root_type == ctx.schema.query_type {
        for (name, value) in query_roots(ctx, set) {
            root.insert(name, value);
        }
    }
    let mut path = Vec::new();
    let data = ctx.project(&Json::Object(root), set, &mut path, &mut errors);
    (data, errors)
}

/// The query root fields the simulator knows, computed only when selected.
fn query_roots(ctx: &Ctx<'_>, set: &SelectionSet) -> Vec<(String, Json)> {
    let mut selected = Vec::new();
    ctx.root_fields(set, &mut selected, 0);
    let mut out: Vec<(String, Json)> = Vec::new();
    for (name, limit) in selected {
        if out.iter().any(|(done, _)| *done == name) {
            continue;
        }
        let count = |n: usize| {
            let limit = limit.unwrap_or(10_000);
            let exact = (n as u64) <= limit;
            json!({"__typename": "Count", "count": if exact { n as u64 } else { limit },
                "precision": if exact { "EXACT" } else { "AT_LEAST" }})
        };
        let value = match name.as_str() {
            "shop" => shop(ctx.info),
            "customersCount" => count(ctx.data.customers.len()),
            "ordersCount" => count(ctx.data.orders.len()),
            "productsCount" => count(ctx.data.products.len()),
            "abandonedCheckoutsCount" => count(ctx.data.abandoned_checkouts.len()),
            "currentAppInstallation" => app_installation(ctx),
            _ => continue,
        };
        out.push((name, value));
    }
    out
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

fn app_installation(ctx: &Ctx<'_>) -> Json {
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
        "activeSubscriptions": [],
    })
}

impl Ctx<'_> {
    /// Root field names (through fragments) with their `limit` argument, skipping `@skip`ped ones.
    fn root_fields(&self, set: &SelectionSet, out: &mut Vec<(String, Option<u64>)>, depth: usize) {
        if depth > 16 {
            return;
        }
        for item in &set.items {
            if !self.included(item.node.directives()) {
                continue;
            }
            match &item.node {
                Selection::Field(f) => {
                    let limit = f.node.get_argument("limit").and_then(|v| self.int(&v.node));
                    out.push((f.node.name.node.to_string(), limit));
                }
                Selection::InlineFragment(inline) => {
                    self.root_fields(&inline.node.selection_set.node, out, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.root_fields(&fragment.node.selection_set.node, out, depth + 1);
                    }
                }
            }
        }
    }

    fn int(&self, value: &Value) -> Option<u64> {
        match value {
            Value::Number(n) => n.as_u64(),
            Value::Variable(name) => self.variables.get(name.as_str()).and_then(Json::as_u64),
            _ => None,
        }
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

    fn project(
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
