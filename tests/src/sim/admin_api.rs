//! `POST /shops/{shop}/admin/api/{version}/graphql.json`: the Admin GraphQL endpoint. In order:
//! version (404), shop (404), `X-Shopify-Access-Token` (401), queued faults, body, parse and schema
//! validation (200 with `errors`), variables, single-query cost limit, leaky bucket (THROTTLED),
//! then execution with `extensions.cost`, refunding requested minus actual cost (SHOPIFY.md §9).

use std::sync::Arc;

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{DocumentOperations, OperationDefinition};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value as Json, json};

use super::admin_schema::{TypeRef, admin_schema};
use super::billing;
use super::bulk;
use super::cost::{cost_extension, requested_cost};
use super::cost_actual::actual_cost;
use super::mutate::{self, MutationEnv};
use super::resolve::{Ctx, execute};
use super::state::SimState;
use super::validate::{parse_violation, validate_document};
use super::validate_values::{Source, check_value};
use super::web::{json_response, not_found, with_detail};

/// Versions answered (all with the embedded 2026-10 schema): those `@shopify/dev-mcp` ships.
pub const SUPPORTED_VERSIONS: &[&str] = &[
    "2025-10", "2026-01", "2026-04", "2026-07", "2026-10", "unstable",
];

const UNAUTHORIZED: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";
const RATE_LIMITS_DOC: &str = "https://shopify.dev/api/usage/rate-limits";

fn answer(status: StatusCode, body: Json, version: &str, detail: Json) -> Response {
    let mut response = json_response(status, body);
    if let Ok(value) = HeaderValue::from_str(version) {
        response
            .headers_mut()
            .insert("x-shopify-api-version", value);
    }
    with_detail(response, detail)
}

/// A queued fault's answer, with the bodies Shopify uses for those statuses.
fn fault(status: u16, version: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match status {
        401 => json!({"errors": UNAUTHORIZED}),
        402 => json!({"errors": "Unavailable Shop"}),
        403 => {
            json!({"errors": "[API] This action requires merchant approval for the necessary scope."})
        }
        423 => json!({"errors": "Locked"}),
        429 => {
            json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}]})
        }
        _ => json!({"errors": "Internal Server Error"}),
    };
    answer(code, body, version, json!({"fault": status}))
}

struct Request {
    query: String,
    variables: Json,
    operation_name: Option<String>,
}

fn read_request(headers: &HeaderMap, body: &[u8]) -> Option<Request> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/graphql") {
        let query = String::from_utf8(body.to_vec()).ok()?;
        return Some(Request {
            query,
            variables: json!({}),
            operation_name: None,
        });
    }
    let json: Json = serde_json::from_slice(body).ok()?;
    let query = json.get("query")?.as_str()?.to_string();
    let variables = match json.get("variables") {
        None | Some(Json::Null) => json!({}),
        Some(Json::String(s)) => serde_json::from_str(s).ok()?,
        Some(v @ Json::Object(_)) => v.clone(),
        Some(_) => return None,
    };
    let operation_name = json
        .get("operationName")
        .and_then(Json::as_str)
        .map(str::to_string);
    Some(Request {
        query,
        variables,
        operation_name,
    })
}

/// Checks request variables against the operation's declarations, as Shopify does before running.
fn variable_errors(op: &Positioned<OperationDefinition>, variables: &Json) -> Vec<Json> {
    let Ok(schema) = admin_schema() else {
        return vec![];
    };
    let mut errors = Vec::new();
    for def in &op.node.variable_definitions {
        let name = def.node.name.node.as_str();
        let ty = TypeRef::from_ast(&def.node.var_type.node);
        let provided = variables.get(name);
        let value = match provided {
            None if def.node.default_value.is_some() => continue,
            None | Some(Json::Null) => async_graphql_value::Value::Null,
            Some(json) => match async_graphql_value::ConstValue::from_json(json.clone()) {
                Ok(v) => v.into_value(),
                Err(_) => async_graphql_value::Value::Null,
            },
        };
        let mut ignored = Vec::new();
        if check_value(
            schema,
            &value,
            &ty,
            false,
            name,
            def.pos,
            Source::Json,
            &mut ignored,
        )
        .is_err()
        {
            let explanation = if provided.is_none_or(Json::is_null) {
                "Expected value to not be null".to_string()
            } else {
                format!("Could not coerce value to {ty}")
            };
            errors.push(json!({
                "message": format!("Variable ${name} of type {ty} was provided invalid value"),
                "locations": [{"line": def.pos.line, "column": def.pos.column}],
                "extensions": {"value": provided.cloned().unwrap_or(Json::Null), "problems": [{"path": [], "explanation": explanation}]},
            }));
        }
    }
    errors
}

/// The Admin GraphQL endpoint.
pub async fn graphql(
    State(state): State<SimState>,
    Path((shop, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !SUPPORTED_VERSIONS.contains(&version.as_str()) {
        return not_found();
    }
    let domain = shop.to_ascii_lowercase();
    let token = headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let now = state.now();
    let auth = state.with_shop(&domain, |s| {
        let scopes = s
            .tokens
            .authenticate(&token, now.timestamp())
            .map(|t| t.scope.clone());
        let fault = if scopes.is_some() {
            s.faults.pop_front()
        } else {
            None
        };
        let subscriptions = s.webhook_subscriptions.clone();
        // Charges nobody approved within two days expire whenever the shop is read.
        s.billing.expire_stale(s.info.id, now);
        let expired = s.billing.has_pending_webhooks();
        let app_subscriptions = s.billing.subscriptions.clone();
        (
            scopes,
            fault,
            s.info.clone(),
            Arc::clone(&s.data),
            (subscriptions, app_subscriptions, expired),
            (s.records.clone(), s.bulk.clone()),
        )
    });
    let Some((
        scopes,
        fault_status,
        info,
        data,
        (subscriptions, app_subscriptions, expired),
        (records, bulk_operations),
    )) = auth
    else {
        return not_found();
    };
    if expired {
        billing::flush_later(&state, &domain);
    }
    let Some(scopes) = scopes else {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({"errors": UNAUTHORIZED}),
            &version,
            json!({"error": "unauthorized"}),
        );
    };
    if let Some(status) = fault_status {
        return fault(status, &version);
    }
    let Some(request) = read_request(&headers, &body) else {
        let body = json!({"errors": {"query": "Required parameter missing or invalid"}});
        return answer(
            StatusCode::BAD_REQUEST,
            body,
            &version,
            json!({"error": "bad request body"}),
        );
    };
    let mut detail = json!({"query": request.query, "variables": request.variables, "operationName": request.operation_name});
    let schema = match admin_schema() {
        Ok(schema) => schema,
        Err(e) => {
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"errors": e}),
                &version,
                detail,
            );
        }
    };
    let doc = match async_graphql_parser::parse_query(&request.query) {
        Ok(doc) => doc,
        Err(e) => {
            detail["outcome"] = json!("parse_error");
            return answer(
                StatusCode::OK,
                json!({"errors": [parse_violation(&e).to_json()]}),
                &version,
                detail,
            );
        }
    };
    let violations = validate_document(schema, &doc);
    if !violations.is_empty() {
        detail["outcome"] = json!("invalid");
        let errors: Vec<Json> = violations.iter().map(|v| v.to_json()).collect();
        return answer(StatusCode::OK, json!({"errors": errors}), &version, detail);
    }
    let op = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        // One named operation parses as `Multiple` too; it needs no operationName.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => {
            detail["outcome"] = json!("invalid");
            let body = json!({"errors": [{"message": "An operation name is required"}]});
            return answer(StatusCode::OK, body, &version, detail);
        }
    };
    let Some(op) = op else {
        detail["outcome"] = json!("invalid");
        let name = request.operation_name.unwrap_or_default();
        return answer(
            StatusCode::OK,
            json!({"errors": [{"message": format!("No operation named \"{name}\"")}]}),
            &version,
            detail,
        );
    };
    let errors = variable_errors(op, &request.variables);
    if !errors.is_empty() {
        detail["outcome"] = json!("invalid_variables");
        return answer(StatusCode::OK, json!({"errors": errors}), &version, detail);
    }
    let requested = requested_cost(
        schema,
        &doc,
        op.node.ty,
        &op.node.selection_set.node,
        &request.variables,
    );
    detail["requestedQueryCost"] = json!(requested);
    let max_cost = state.config.max_query_cost;
    if requested > max_cost {
        detail["outcome"] = json!("max_cost_exceeded");
        let message = format!(
            "Query cost is {requested}, which exceeds the single query max cost limit ({max_cost}).\n\nSee {RATE_LIMITS_DOC} for more information on how the cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead."
        );
        let body = json!({"errors": [{"message": message, "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": max_cost, "documentation": RATE_LIMITS_DOC}}]});
        return answer(StatusCode::OK, body, &version, detail);
    }
    let taken = state.with_shop(&domain, |s| {
        s.bucket.try_take(requested, now.timestamp_millis())
    });
    let status = match taken {
        Some(Ok(status)) => status,
        Some(Err(status)) => {
            detail["outcome"] = json!("throttled");
            let body = json!({
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}],
                "extensions": cost_extension(requested, None, status),
            });
            return answer(StatusCode::OK, body, &version, detail);
        }
        None => return not_found(),
    };
    // The sim's own address as the caller reached it: where billing confirmation pages live.
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base_url = format!("http://{host}");
    let is_mutation = op.node.ty == async_graphql_parser::types::OperationType::Mutation;
    let root_type = if is_mutation {
        schema.mutation_type.clone().unwrap_or_default()
    } else {
        schema.query_type.clone()
    };
    let ctx = Ctx {
        schema,
        doc: &doc,
        variables: &request.variables,
        info: &info,
        data: &data,
        webhook_subscriptions: &subscriptions,
        app_subscriptions: &app_subscriptions,
        scopes: &scopes,
        app_url: &state.config.app_url,
        records: &records,
        bulk_operations: &bulk_operations,
    };
    let set = &op.node.selection_set.node;
    let (data, errors) = if is_mutation {
        let env = MutationEnv {
            scopes: &scopes,
            now,
            webhook_api_version: &state.config.webhook_api_version,
            ids: &state.ids,
            base_url: &base_url,
        };
        let executed = mutate::execute(&ctx, &state, &domain, &env, &root_type, set);
        // Billing status changes queue `app_subscriptions/update`; deliver them in the
        // background so the app gets its answer without waiting for its own webhook.
        billing::flush_later(&state, &domain);
        // Bulk operations created by this request start running in the background.
        bulk::start_pending(&state, &domain);
        match executed {
            Some(executed) => executed,
            None => return not_found(),
        }
    } else {
        execute(&ctx, &root_type, set)
    };
    // Shopify takes the worst case up front and refunds what the answer did not use, so short
    // pages (fewer orders, fewer line items than `first`) leave more points in the bucket.
    let actual = actual_cost(schema, &doc, op.node.ty, set, &data, requested);
    let refunded = state.with_shop(&domain, |s| {
        s.bucket.refund(requested.saturating_sub(actual));
        s.bucket.status()
    });
    let status = refunded.unwrap_or(status);
    detail["actualQueryCost"] = json!(actual);
    let mut body =
        json!({"data": data, "extensions": cost_extension(requested, Some(actual), status)});
    if !errors.is_empty() {
        body["errors"] = Json::Array(errors);
    }
    detail["outcome"] = json!("ok");
    answer(StatusCode::OK, body, &version, detail)
}
