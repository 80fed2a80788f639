//! Shop-specific webhook subscriptions (SHOPIFY.md §5.5): what `webhookSubscriptionCreate` and
//! `webhookSubscriptionDelete` keep per shop, and the `webhookSubscriptions` / `webhookSubscription`
//! query roots that read them back. Only API-created subscriptions live here: app-specific ones
//! from `shopify.app.toml` are not returned by the Admin API, so the sim does not model them.

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::mutate::MutationEnv;
use super::resolve::Resolved;
use super::state::SimShop;

/// Which access scope a topic needs, by topic prefix. Small on purpose: the topics this app and
/// its tests subscribe to. A topic not listed is allowed with any scopes.
const TOPIC_SCOPES: &[(&str, &str)] = &[
    ("ORDERS_", "read_orders"),
    ("ORDER_TRANSACTIONS_", "read_orders"),
    ("REFUNDS_", "read_orders"),
    ("CUSTOMERS_", "read_customers"),
    ("CUSTOMER_TAGS_", "read_customers"),
    ("CHECKOUTS_", "read_checkouts"),
    ("PRODUCTS_", "read_products"),
];

/// Where Shopify files address errors. The 2025-10 input names the field `uri`, but the model
/// attribute Shopify reports is still the callback URL.
const ADDRESS_FIELD: [&str; 2] = ["webhookSubscription", "callbackUrl"];

/// One subscription as the shop stores it; also what `GET /_sim/shops/{shop}/webhook_subscriptions`
/// lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimWebhookSubscription {
    /// `gid://shopify/WebhookSubscription/N`.
    pub id: String,
    /// The `N` of the gid: unique per simulator and increasing, so it orders by creation too.
    pub legacy_resource_id: u64,
    /// The GraphQL enum value, e.g. `ORDERS_CREATE`.
    pub topic: String,
    pub uri: String,
    /// `JSON` or `XML`.
    pub format: String,
    pub name: Option<String>,
    pub filter: Option<String>,
    pub include_fields: Vec<String>,
    pub metafield_namespaces: Vec<String>,
    /// The sim's webhook API version: what deliveries would be serialised with.
    pub api_version: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `WebhookSubscription` object, including the deprecated `callbackUrl` and `endpoint` that
/// pre-2025-10 clients (the Node library) still select.
fn node(sub: &SimWebhookSubscription) -> Json {
    json!({
        "__typename": "WebhookSubscription",
        "id": sub.id,
        "legacyResourceId": sub.legacy_resource_id.to_string(),
        "topic": sub.topic,
        "uri": sub.uri,
        "callbackUrl": sub.uri,
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": sub.uri},
        "format": sub.format,
        "name": sub.name,
        "filter": sub.filter,
        "includeFields": sub.include_fields,
        "metafieldNamespaces": sub.metafield_namespaces,
        "metafields": [],
        "apiVersion": {
            "__typename": "ApiVersion",
            "handle": sub.api_version,
            "displayName": sub.api_version,
            "supported": true,
        },
        "createdAt": iso(sub.created_at),
        "updatedAt": iso(sub.updated_at),
    })
}

fn user_error(field: &[&str], message: impl Into<String>) -> Json {
    json!({"__typename": "UserError", "field": field, "message": message.into()})
}

fn strings(value: Option<&Json>) -> Vec<String> {
    value
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: Option<&Json>) -> Option<String> {
    value.and_then(Json::as_str).map(str::to_string)
}

/// The scope `topic` needs, if the sim knows one.
pub fn required_scope(topic: &str) -> Option<&'static str> {
    TOPIC_SCOPES
        .iter()
        .find(|(prefix, _)| topic.starts_with(prefix))
        .map(|(_, scope)| *scope)
}

/// Whether comma-separated `scopes` grant `read_x`; `write_x` implies it, as on Shopify.
fn has_scope(scopes: &str, read_scope: &str) -> bool {
    let write_scope = read_scope.replacen("read_", "write_", 1);
    scopes
        .split(',')
        .map(str::trim)
        .any(|s| s == read_scope || s == write_scope)
}

/// Why Shopify would refuse `uri` as an HTTP delivery address, if it would.
fn address_error(uri: &str) -> Option<String> {
    if uri.trim().is_empty() {
        return Some("Address can't be blank".into());
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return Some("Address is invalid".into());
    };
    if url.host().is_none() {
        return Some("Address is invalid".into());
    }
    match url.scheme() {
        "https" => None,
        // Shopify only delivers over HTTPS. The sim also takes plain HTTP to loopback hosts,
        // because in dev and in tests the app it delivers to listens on 127.0.0.1 without TLS.
        "http" if is_loopback(&url) => None,
        scheme => Some(format!("Address protocol {scheme}:// is not supported")),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `webhookSubscriptionCreate(topic:, webhookSubscription:)`: stores a subscription or answers
/// with `userErrors` and a null `webhookSubscription`, as Shopify does.
pub fn create(env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let topic = args.get("topic").and_then(Json::as_str).unwrap_or("");
    let empty = Map::new();
    let input = args
        .get("webhookSubscription")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    // 2025-10 unified the address into `uri`; `callbackUrl` is the deprecated pre-2025-10 form
    // that the Node library still sends, and the schema still accepts.
    let uri = text(input.get("uri"))
        .or_else(|| text(input.get("callbackUrl")))
        .unwrap_or_default();
    let mut errors = Vec::new();
    if let Some(scope) = required_scope(topic)
        && !has_scope(env.scopes, scope)
    {
        errors.push(user_error(
            &["topic"],
            format!("Access denied for topic {topic}. Required access: `{scope}` access scope."),
        ));
    }
    if let Some(message) = address_error(&uri) {
        errors.push(user_error(&ADDRESS_FIELD, message));
    } else if shop
        .webhook_subscriptions
        .iter()
        .any(|s| s.topic == topic && s.uri == uri)
    {
        errors.push(user_error(
            &ADDRESS_FIELD,
            "Address for this topic has already been taken",
        ));
    }
    if !errors.is_empty() {
        return Resolved::Value(json!({
            "__typename": "WebhookSubscriptionCreatePayload",
            "webhookSubscription": null,
            "userErrors": errors,
        }));
    }
    let number = env.ids.fetch_add(1, Ordering::Relaxed);
    let subscription = SimWebhookSubscription {
        id: format!("gid://shopify/WebhookSubscription/{number}"),
        legacy_resource_id: number,
        topic: topic.to_string(),
        uri,
        format: text(input.get("format")).unwrap_or_else(|| "JSON".into()),
        name: text(input.get("name")),
        filter: text(input.get("filter")),
        include_fields: strings(input.get("includeFields")),
        metafield_namespaces: strings(input.get("metafieldNamespaces")),
        api_version: env.webhook_api_version.to_string(),
        created_at: env.now,
        updated_at: env.now,
    };
    let created = node(&subscription);
    shop.webhook_subscriptions.push(subscription);
    Resolved::Value(json!({
        "__typename": "WebhookSubscriptionCreatePayload",
        "webhookSubscription": created,
        "userErrors": [],
    }))
}

/// `webhookSubscriptionDelete(id:)`.
pub fn delete(_env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let id = args.get("id").and_then(Json::as_str).unwrap_or("");
    let before = shop.webhook_subscriptions.len();
    shop.webhook_subscriptions.retain(|s| s.id != id);
    let deleted = shop.webhook_subscriptions.len() < before;
    let errors = if deleted {
        vec![]
    } else {
        vec![user_error(&["id"], "Webhook subscription does not exist")]
    };
    Resolved::Value(json!({
        "__typename": "WebhookSubscriptionDeletePayload",
        "deletedWebhookSubscriptionId": if deleted { json!(id) } else { Json::Null },
        "userErrors": errors,
    }))
}

/// `webhookSubscription(id:)`: the subscription or null.
pub fn find(subscriptions: &[SimWebhookSubscription], args: &Map<String, Json>) -> Resolved {
    let id = args.get("id").and_then(Json::as_str).unwrap_or("");
    Resolved::Value(
        subscriptions
            .iter()
            .find(|s| s.id == id)
            .map_or(Json::Null, node),
    )
}

/// An opaque cursor in Shopify's shape (base64 JSON with `last_id`). Ids grow with creation time,
/// so `last_id` alone positions both sort keys.
fn cursor(sub: &SimWebhookSubscription) -> String {
    BASE64.encode(
        json!({"last_id": sub.legacy_resource_id, "last_value": iso(sub.created_at)}).to_string(),
    )
}

fn decode_cursor(raw: &str) -> Option<u64> {
    let bytes = BASE64.decode(raw).ok()?;
    let json: Json = serde_json::from_slice(&bytes).ok()?;
    json.get("last_id")?.as_u64()
}

fn count(args: &Map<String, Json>, name: &str) -> Option<usize> {
    args.get(name)
        .and_then(Json::as_i64)
        .map(|n| usize::try_from(n).unwrap_or(0))
}

/// `webhookSubscriptions(first:, after:, last:, before:, topics:, uri:, callbackUrl:, format:,
/// reverse:, sortKey:)`: a connection over the shop's subscriptions, oldest first.
pub fn connection(subscriptions: &[SimWebhookSubscription], args: &Map<String, Json>) -> Resolved {
    if args.get("query").is_some_and(|q| !q.is_null()) {
        return Resolved::NotImplemented(Some(
            "shopify-sim does not implement the `query` argument of webhookSubscriptions yet"
                .into(),
        ));
    }
    let first = count(args, "first");
    let last = count(args, "last");
    if first.is_none() && last.is_none() {
        return Resolved::Error("you must provide one of first or last".into());
    }
    let topics = strings(args.get("topics"));
    let uri = text(args.get("uri")).or_else(|| text(args.get("callbackUrl")));
    let format = text(args.get("format"));
    let reverse = args.get("reverse").and_then(Json::as_bool) == Some(true);
    let mut items: Vec<&SimWebhookSubscription> = subscriptions
        .iter()
        .filter(|s| topics.is_empty() || topics.contains(&s.topic))
        .filter(|s| uri.as_ref().is_none_or(|u| *u == s.uri))
        .filter(|s| format.as_ref().is_none_or(|f| *f == s.format))
        .collect();
    items.sort_by_key(|s| s.legacy_resource_id);
    if reverse {
        items.reverse();
    }
    // Whether `id` comes before the cursor's item in the listing's order.
    let precedes = |id: u64, cursor: u64| if reverse { id > cursor } else { id < cursor };
    let mut lo = 0;
    let mut hi = items.len();
    for (name, is_after) in [("after", true), ("before", false)] {
        let Some(raw) = text(args.get(name)) else {
            continue;
        };
        let Some(at) = decode_cursor(&raw) else {
            return Resolved::Error(format!("Invalid cursor for `{name}`: {raw}"));
        };
        let position = items.partition_point(|s| {
            precedes(s.legacy_resource_id, at) || (is_after && s.legacy_resource_id == at)
        });
        if is_after {
            lo = position;
        } else {
            hi = position.max(lo);
        }
    }
    if let Some(first) = first {
        hi = hi.min(lo + first);
    }
    if let Some(last) = last {
        lo = lo.max(hi.saturating_sub(last));
    }
    let page = &items[lo..hi];
    let edges: Vec<Json> = page
        .iter()
        .map(|s| json!({"__typename": "WebhookSubscriptionEdge", "cursor": cursor(s), "node": node(s)}))
        .collect();
    Resolved::Value(json!({
        "__typename": "WebhookSubscriptionConnection",
        "edges": edges,
        "nodes": page.iter().map(|s| node(s)).collect::<Vec<_>>(),
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": hi < items.len(),
            "hasPreviousPage": lo > 0,
            "startCursor": page.first().map(|s| cursor(s)),
            "endCursor": page.last().map(|s| cursor(s)),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_scopes_follow_shopify() {
        assert_eq!(address_error("https://app.example.com/webhooks"), None);
        assert_eq!(address_error("http://127.0.0.1:8080/webhooks"), None);
        assert_eq!(address_error("http://localhost/webhooks"), None);
        assert_eq!(
            address_error("http://app.example.com/webhooks").as_deref(),
            Some("Address protocol http:// is not supported")
        );
        assert_eq!(
            address_error(" ").as_deref(),
            Some("Address can't be blank")
        );
        assert_eq!(
            address_error("not a url").as_deref(),
            Some("Address is invalid")
        );
        assert_eq!(required_scope("ORDERS_CREATE"), Some("read_orders"));
        assert_eq!(required_scope("APP_UNINSTALLED"), None);
        assert!(has_scope("write_orders,read_customers", "read_orders"));
        assert!(!has_scope("read_customers", "read_orders"));
    }
}
