//! HTTP plumbing shared by the simulator's handlers: the request-log middleware, query and form
//! decoding, and Shopify-shaped JSON answers. Route handlers themselves live in `oauth.rs`,
//! `admin_api.rs`, `control.rs` and `webhooks.rs`.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value as Json;

use super::state::{RequestRecord, SimState};

/// Query keys whose values never reach the request log.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "subject_token",
    "refresh_token",
    "access_token",
];

/// What a handler wants logged about its request; the middleware moves it into the log.
#[derive(Debug, Clone)]
pub struct RequestDetail(pub Json);

/// Attaches a log detail to a response.
pub fn with_detail(response: impl IntoResponse, detail: Json) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(RequestDetail(detail));
    response
}

/// A JSON response with a status.
pub fn json_response(status: StatusCode, body: Json) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// Shopify's 404 for unknown shops, versions and paths.
pub fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        serde_json::json!({"errors": "Not Found"}),
    )
}

/// Logs every request except reads of the log itself and health checks.
pub async fn log_requests(State(state): State<SimState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(redact_query);
    let skip = path == "/healthz" || (path == "/_sim/requests" && method == "GET");
    let mut response = next.run(request).await;
    if !skip {
        let detail = response
            .extensions_mut()
            .remove::<RequestDetail>()
            .map(|d| d.0);
        state.record_request(RequestRecord {
            id: 0,
            at: state.now(),
            shop: shop_in_path(&path),
            method,
            path,
            query,
            status: response.status().as_u16(),
            detail,
        });
    }
    response
}

/// The `{shop}` of `/shops/{shop}/...` or `/_sim/shops/{shop}`.
fn shop_in_path(path: &str) -> Option<String> {
    let rest = path
        .strip_prefix("/shops/")
        .or_else(|| path.strip_prefix("/_sim/shops/"))?;
    rest.split('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
}

fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            if SECRET_KEYS.contains(&key) {
                format!("{key}=[redacted]")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `application/x-www-form-urlencoded` (also query strings): `+` is a space, `%XX` a byte.
pub fn parse_form(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    // A stray `%` stays literal rather than failing the whole request.
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of `key`.
pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_redacts_secrets() {
        let params = parse_form("a=1&b=x+y%2Fz&grant_options%5B%5D=per-user&bad=%zz&end=%");
        assert_eq!(param(&params, "b"), Some("x y/z"));
        assert_eq!(param(&params, "grant_options[]"), Some("per-user"));
        assert_eq!(param(&params, "bad"), Some("%zz"));
        assert_eq!(param(&params, "end"), Some("%"));
        assert_eq!(
            redact_query("client_id=k&client_secret=s"),
            "client_id=k&client_secret=[redacted]"
        );
        assert_eq!(
            shop_in_path("/shops/Demo.myshopify.com/admin/oauth/authorize"),
            Some("demo.myshopify.com".into())
        );
    }
}
