//! One shop's OAuth state in the simulator: authorization codes, access tokens (offline,
//! expiring offline, online) and refresh tokens, with Shopify's lifetimes and rotation rules
//! (SHOPIFY.md §1.5, §2.3, §2.4). HTTP parsing and error bodies live in `oauth.rs`.

use std::collections::HashMap;

use rand::RngCore;
use serde::Serialize;

/// Expiring offline access tokens live an hour.
pub const OFFLINE_EXPIRES_IN: i64 = 3_600;
/// Refresh tokens live 90 days.
pub const REFRESH_EXPIRES_IN: i64 = 7_776_000;
/// Online tokens live just under a day.
pub const ONLINE_EXPIRES_IN: i64 = 86_399;
/// How long an authorization code may wait before it is exchanged.
pub const CODE_TTL: i64 = 600;

/// Whether a token acts for the shop (offline) or for one staff member (online).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    Offline,
    Online,
}

/// What the simulator knows about an issued access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub mode: AccessMode,
    pub scope: String,
    /// Unix seconds; `None` for non-expiring offline tokens.
    pub expires_at: Option<i64>,
    /// The staff member of an online token.
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    expires_at: i64,
    scope: String,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    pub scope: String,
    /// `grant_options[]=per-user` was requested.
    pub online: bool,
    pub expires_at: i64,
}

/// The staff member an online token belongs to, as Shopify returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssociatedUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_verified: bool,
    pub account_owner: bool,
    pub locale: String,
    pub collaborator: bool,
}

/// The JSON body of a successful `POST /admin/oauth/access_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_in: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_user_scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_user: Option<AssociatedUser>,
}

/// Codes and tokens of one shop.
#[derive(Debug, Default)]
pub struct TokenStore {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    codes: HashMap<String, AuthCode>,
}

/// A random secret with Shopify's prefix, e.g. `shpat_` + 32 hex digits.
fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

impl TokenStore {
    /// Issues a single-use authorization code.
    pub fn issue_code(&mut self, scope: &str, online: bool, now: i64) -> String {
        let code = random_token("");
        self.codes.insert(
            code.clone(),
            AuthCode {
                scope: scope.to_string(),
                online,
                expires_at: now + CODE_TTL,
            },
        );
        code
    }

    /// Takes a code out of the store; a second use finds nothing.
    pub fn redeem_code(&mut self, code: &str, now: i64) -> Option<AuthCode> {
        self.codes.remove(code).filter(|c| c.expires_at >= now)
    }

    /// An offline token; with `expiring`, a one-hour token plus a 90-day refresh token. Only one
    /// refreshable token exists per app and shop, so issuing one retires every older refresh token.
    pub fn issue_offline(&mut self, scope: &str, expiring: bool, now: i64) -> TokenResponse {
        let access_token = random_token("shpat_");
        let mut response = TokenResponse {
            access_token: access_token.clone(),
            scope: scope.to_string(),
            expires_in: None,
            refresh_token: None,
            refresh_token_expires_in: None,
            associated_user_scope: None,
            associated_user: None,
        };
        let mut record = AccessToken {
            mode: AccessMode::Offline,
            scope: scope.to_string(),
            expires_at: None,
            user_id: None,
        };
        if expiring {
            self.refresh.clear();
            let refresh_token = random_token("shprt_");
            self.refresh.insert(
                refresh_token.clone(),
                RefreshToken {
                    expires_at: now + REFRESH_EXPIRES_IN,
                    scope: scope.to_string(),
                },
            );
            record.expires_at = Some(now + OFFLINE_EXPIRES_IN);
            response.expires_in = Some(OFFLINE_EXPIRES_IN);
            response.refresh_token = Some(refresh_token);
            response.refresh_token_expires_in = Some(REFRESH_EXPIRES_IN);
        }
        self.access.insert(access_token, record);
        response
    }

    /// An online token for one staff member, valid just under a day.
    pub fn issue_online(&mut self, scope: &str, user: AssociatedUser, now: i64) -> TokenResponse {
        let access_token = random_token("shpua_");
        self.access.insert(
            access_token.clone(),
            AccessToken {
                mode: AccessMode::Online,
                scope: scope.to_string(),
                expires_at: Some(now + ONLINE_EXPIRES_IN),
                user_id: Some(user.id),
            },
        );
        TokenResponse {
            access_token,
            scope: scope.to_string(),
            expires_in: Some(ONLINE_EXPIRES_IN),
            refresh_token: None,
            refresh_token_expires_in: None,
            associated_user_scope: Some(scope.to_string()),
            associated_user: Some(user),
        }
    }

    /// `grant_type=refresh_token`: a new access token and a new refresh token. The used refresh
    /// token dies; the old access token keeps working until its own expiry.
    pub fn refresh(&mut self, refresh_token: &str, now: i64) -> Option<TokenResponse> {
        let old = self.refresh.remove(refresh_token)?;
        if old.expires_at < now {
            return None;
        }
        Some(self.issue_offline(&old.scope, true, now))
    }

    /// One-time migration of a non-expiring offline token to an expiring one; the old token is revoked.
    pub fn migrate(&mut self, offline_token: &str, now: i64) -> Option<TokenResponse> {
        let old = self.access.get(offline_token)?;
        if old.mode != AccessMode::Offline || old.expires_at.is_some() {
            return None;
        }
        let scope = old.scope.clone();
        self.access.remove(offline_token);
        Some(self.issue_offline(&scope, true, now))
    }

    /// The token's record if it is known and unexpired.
    pub fn authenticate(&self, token: &str, now: i64) -> Option<&AccessToken> {
        self.access
            .get(token)
            .filter(|t| t.expires_at.is_none_or(|at| at > now))
    }

    /// Changes what every issued token and refresh token grants, as a merchant granting or
    /// revoking optional scopes does (Shopify then sends `app/scopes_update`).
    pub fn set_granted_scopes(&mut self, scope: &str) {
        for token in self.access.values_mut() {
            token.scope = scope.to_string();
        }
        for token in self.refresh.values_mut() {
            token.scope = scope.to_string();
        }
    }

    /// Revokes everything, as uninstalling the app does.
    pub fn revoke_all(&mut self) {
        self.access.clear();
        self.refresh.clear();
        self.codes.clear();
    }

    /// Unexpired access tokens.
    pub fn active_count(&self, now: i64) -> usize {
        self.access
            .values()
            .filter(|t| t.expires_at.is_none_or(|at| at > now))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_single_use_and_expire() {
        let mut store = TokenStore::default();
        let code = store.issue_code("read_orders", false, 100);
        assert!(store.redeem_code(&code, 101).is_some());
        assert!(store.redeem_code(&code, 102).is_none());
        let late = store.issue_code("read_orders", false, 100);
        assert!(store.redeem_code(&late, 100 + CODE_TTL + 1).is_none());
    }

    #[test]
    fn expiring_offline_tokens_expire_and_rotate_on_refresh() {
        let mut store = TokenStore::default();
        let first = store.issue_offline("read_customers", true, 0);
        assert!(first.access_token.starts_with("shpat_") && first.access_token.len() == 38);
        assert_eq!(
            (first.expires_in, first.refresh_token_expires_in),
            (Some(3_600), Some(7_776_000))
        );
        assert!(store.authenticate(&first.access_token, 3_599).is_some());
        assert!(store.authenticate(&first.access_token, 3_600).is_none());
        let refresh = first.refresh_token.clone().expect("refresh token");
        assert!(refresh.starts_with("shprt_"));
        let second = store.refresh(&refresh, 1_000).expect("refreshes");
        assert_ne!(second.refresh_token.as_deref(), Some(refresh.as_str()));
        assert!(
            store.refresh(&refresh, 1_001).is_none(),
            "the used refresh token stops working"
        );
        assert!(
            store.authenticate(&first.access_token, 1_001).is_some(),
            "the old access token lives to its expiry"
        );
        assert!(store.authenticate(&second.access_token, 4_599).is_some());
        let newest = second.refresh_token.expect("rotated");
        assert!(
            store.refresh(&newest, REFRESH_EXPIRES_IN + 1_001).is_none(),
            "refresh tokens expire after 90 days"
        );
    }

    #[test]
    fn a_new_expiring_token_retires_older_refresh_tokens() {
        let mut store = TokenStore::default();
        let a = store.issue_offline("s", true, 0).refresh_token.expect("a");
        let b = store.issue_offline("s", true, 0).refresh_token.expect("b");
        assert!(store.refresh(&a, 1).is_none());
        assert!(store.refresh(&b, 1).is_some());
    }

    #[test]
    fn non_expiring_tokens_migrate_once() {
        let mut store = TokenStore::default();
        let legacy = store.issue_offline("s", false, 0);
        assert_eq!(legacy.expires_in, None);
        assert!(
            store
                .authenticate(&legacy.access_token, i64::MAX - 1)
                .is_some()
        );
        let migrated = store.migrate(&legacy.access_token, 10).expect("migrates");
        assert!(migrated.refresh_token.is_some());
        assert!(store.authenticate(&legacy.access_token, 11).is_none());
        assert!(store.migrate(&legacy.access_token, 12).is_none());
        assert!(
            store.migrate(&migrated.access_token, 12).is_none(),
            "expiring tokens cannot migrate"
        );
    }

    #[test]
    fn online_tokens_carry_the_user_and_revocation_clears_all() {
        let mut store = TokenStore::default();
        let user = AssociatedUser {
            id: 42,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: "ann@example.com".into(),
            email_verified: true,
            account_owner: false,
            locale: "en".into(),
            collaborator: false,
        };
        let online = store.issue_online("read_orders", user, 0);
        assert!(online.access_token.starts_with("shpua_"));
        assert_eq!(online.expires_in, Some(86_399));
        assert_eq!(
            store
                .authenticate(&online.access_token, 1)
                .and_then(|t| t.user_id),
            Some(42)
        );
        store.revoke_all();
        assert_eq!(store.active_count(1), 0);
    }
}
