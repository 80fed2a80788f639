//! Shopify's OAuth endpoints, per shop: `GET /shops/{shop}/admin/oauth/authorize` (auto-approves
//! and redirects back signed, SHOPIFY.md §1) and `POST /shops/{shop}/admin/oauth/access_token`
//! (authorization code, token exchange, refresh, migration; §1.5, §2). Token rules live in
//! `tokens.rs`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::{Value as Json, json};
use shared::ShopDomain;

use super::state::{SimShop, SimState};
use super::tokens::{AssociatedUser, TokenResponse};
use super::web::{json_response, not_found, param, parse_form, with_detail};
use crate::signing::{form_encode, oauth_query_hmac, verify_session_token};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN: &str = "urn:shopify:params:oauth:token-type:online-access-token";

/// Shopify shows an HTML error page on the grant screen; only its title matters to callers.
fn oauth_error_page(message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html><head><title>400 - {message}</title></head><body><h1>{message}</h1></body></html>"
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn known_shop(state: &SimState, raw: &str) -> Option<ShopDomain> {
    let domain = ShopDomain::parse(raw).ok()?;
    state.ensure_shop(&domain);
    state.with_shop(domain.as_str(), |_| ()).map(|()| domain)
}

/// The grant screen, approved at once: 302 to `redirect_uri` with `code`, `hmac`, `host`, `shop`,
/// `state` and `timestamp`.
pub async fn authorize(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(domain) = known_shop(&state, &shop) else {
        return not_found();
    };
    let params = parse_form(query.as_deref().unwrap_or(""));
    let config = &state.config;
    let client_id = param(&params, "client_id").unwrap_or("");
    if client_id != config.api_key {
        return oauth_error_page(&format!(
            "Oauth error application_cannot_be_found: Could not find Shopify API application with api_key {client_id}"
        ));
    }
    // Control characters could not go into a Location header; Shopify refuses such URIs too.
    let allowed = |uri: &&str| !uri.chars().any(char::is_control) && config.redirect_allowed(uri);
    let Some(redirect_uri) = param(&params, "redirect_uri").filter(allowed) else {
        return oauth_error_page(
            "Oauth error invalid_request: The redirect_uri is not whitelisted",
        );
    };
    let scope = param(&params, "scope")
        .filter(|s| !s.is_empty())
        .unwrap_or(&config.scopes)
        .to_string();
    let online = params
        .iter()
        .any(|(k, v)| k == "grant_options[]" && v == "per-user");
    let now = state.now().timestamp();
    let Some(code) = state.with_shop(domain.as_str(), |s| {
        s.tokens.issue_code(&scope, online, now)
    }) else {
        return not_found();
    };
    let host = STANDARD_NO_PAD.encode(format!("admin.shopify.com/store/{}", domain.handle()));
    let timestamp = now.to_string();
    let mut signed: Vec<(&str, &str)> =
        vec![("code", &code), ("host", &host), ("shop", domain.as_str())];
    if let Some(nonce) = param(&params, "state") {
        signed.push(("state", nonce));
    }
    signed.push(("timestamp", &timestamp));
    let hmac = oauth_query_hmac(&config.api_secret, &signed);
    signed.insert(1, ("hmac", &hmac));
    let query: Vec<String> = signed
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{}", query.join("&"));
    let detail = json!({"scope": scope, "online": online});
    with_detail((StatusCode::FOUND, [(header::LOCATION, location)]), detail)
}

/// Parameters from the query string and a form or JSON body, as Shopify accepts all three.
fn token_params(
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    let mut params = parse_form(query.unwrap_or(""));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        let Json::Object(map) =
            serde_json::from_slice::<Json>(body).map_err(|e| format!("invalid JSON body: {e}"))?
        else {
            return Err("the JSON body must be an object".into());
        };
        for (key, value) in map {
            let text = match value {
                Json::String(s) => s,
                Json::Null => continue,
                other => other.to_string(),
            };
            params.push((key, text));
        }
    } else if !body.is_empty() {
        params.extend(parse_form(&String::from_utf8_lossy(body)));
    }
    Ok(params)
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    with_detail(json_response(status, body), json!({"error": error}))
}

fn invalid_subject_token() -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_subject_token",
        "Token exchange cannot be performed due to an invalid subject token.",
    )
}

fn issued(response: TokenResponse, grant: &str) -> Response {
    let detail = json!({"grant_type": grant, "expiring": response.refresh_token.is_some(),
        "online": response.associated_user.is_some()});
    let body = serde_json::to_value(&response).unwrap_or(Json::Null);
    with_detail(json_response(StatusCode::OK, body), detail)
}

/// The staff member of an online token: the owner, or a made-up colleague with the token's user id.
fn staff_user(shop: &SimShop, sub: &str) -> Option<AssociatedUser> {
    let id: i64 = sub.parse().ok()?;
    if id == shop.info.owner.id {
        return Some(shop.info.owner.clone());
    }
    Some(AssociatedUser {
        id,
        first_name: "Staff".into(),
        last_name: format!("Member {id}"),
        email: format!("staff{id}@{}.example", shop.info.domain.handle()),
        email_verified: true,
        account_owner: false,
        locale: "en".into(),
        collaborator: false,
    })
}

fn is_true(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true"))
}

/// `POST /shops/{shop}/admin/oauth/access_token`.
pub async fn access_token(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(domain) = known_shop(&state, &shop) else {
        return not_found();
    };
    let params = match token_params(query.as_deref(), &headers, &body) {
        Ok(params) => params,
        Err(message) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &message),
    };
    let config = state.config.clone();
    if param(&params, "client_id") != Some(config.api_key.as_str())
        || param(&params, "client_secret") != Some(config.api_secret.as_str())
    {
        // RFC 6749 §5.2 wording; Shopify's exact body for bad client credentials is unconfirmed.
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let now = state.now().timestamp();
    let expiring = is_true(param(&params, "expiring"));
    let grant = param(&params, "grant_type")
        .unwrap_or("authorization_code")
        .to_string();
    let outcome = state.with_shop(domain.as_str(), |shop| match grant.as_str() {
        "authorization_code" => {
            let Some(code) = param(&params, "code").and_then(|c| shop.tokens.redeem_code(c, now)) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "The authorization code was not found or was already used");
            };
            let response = if code.online {
                shop.tokens.issue_online(&code.scope, shop.info.owner.clone(), now)
            } else {
                shop.tokens.issue_offline(&code.scope, expiring, now)
            };
            issued(response, &grant)
        }
        TOKEN_EXCHANGE => {
            let subject = param(&params, "subject_token").unwrap_or("");
            let requested = param(&params, "requested_token_type").unwrap_or(OFFLINE_TOKEN);
            match (param(&params, "subject_token_type").unwrap_or(ID_TOKEN), requested) {
                (ID_TOKEN, OFFLINE_TOKEN | ONLINE_TOKEN) => {
                    let Ok(claims) = verify_session_token(subject, &config.api_key, &config.api_secret, now) else {
                        return invalid_subject_token();
                    };
                    if claims.shop() != Some(domain.as_str()) {
                        return invalid_subject_token();
                    }
                    if requested == OFFLINE_TOKEN {
                        return issued(shop.tokens.issue_offline(&config.scopes, expiring, now), &grant);
                    }
                    if shop.refuse_online_exchange {
                        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Simulated failure.");
                    }
                    match claims.sub.as_deref().and_then(|sub| staff_user(shop, sub)) {
                        Some(user) => issued(shop.tokens.issue_online(&config.scopes, user, now), &grant),
                        None => invalid_subject_token(),
                    }
                }
                (OFFLINE_TOKEN, OFFLINE_TOKEN) if expiring => match shop.tokens.migrate(subject, now) {
                    Some(response) => issued(response, "migration"),
                    None => invalid_subject_token(),
                },
                (OFFLINE_TOKEN, _) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Migrating an offline token requires requested_token_type offline-access-token and expiring=1."),
                _ => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Unsupported subject_token_type or requested_token_type."),
            }
        }
        "refresh_token" => match param(&params, "refresh_token").and_then(|t| shop.tokens.refresh(t, now)) {
            Some(response) => issued(response, &grant),
            // The error name follows RFC 6749; Shopify's exact body is unconfirmed.
            None => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "The refresh token is invalid, expired or already used."),
        },
        "client_credentials" => oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The client credentials grant is only available to apps installed on stores of the app's own organization.",
        ),
        other => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("Unsupported grant_type {other}.")),
    });
    outcome.unwrap_or_else(not_found)
}
