//! Authorization-code OAuth, the fallback to managed installation (SHOPIFY.md §1): `/auth`
//! starts it with a single-use state, `/auth/callback` verifies and exchanges the code. Also the
//! pieces app load shares with it: the admin query HMAC, the `host` parameter and the small
//! App Bridge pages. HTTP routing stays in `http/app_load.rs`.
//! <https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant>

pub mod begin;
pub mod callback;
pub mod code_exchange;
pub mod hmac_query;
pub mod host;
pub mod pages;
pub mod scopes;
pub mod state_store;

/// Decoded query pairs in their original order (`+` and `%XX` decoded as browsers encode them).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw.filter(|q| !q.is_empty()) else {
        return Vec::new();
    };
    // A fixed base makes any query parse; only the pairs are used.
    reqwest::Url::parse(&format!("http://x/?{raw}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The first value of a parameter.
pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
