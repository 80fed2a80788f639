//! Admin API mutations. The root fields of a mutation are collected like a query's (aliases,
//! fragments, `@skip`/`@include`), then resolved in document order against the shop's mutable
//! state under the shop lock, as Shopify runs mutation fields one after another. The payloads are
//! projected onto the selection afterwards, outside the lock, exactly like query results.
//!
//! Adding a mutation is one arm in [`resolve`]: a function taking the [`MutationEnv`], the
//! `&mut SimShop` and the field's arguments (JSON, variables filled in) and returning the payload
//! object (with `__typename`) as [`Resolved::Value`]. Business failures are `userErrors` inside
//! the payload, as on Shopify; [`Resolved::Error`] is for what Shopify reports as a top-level error.

use std::sync::atomic::AtomicU64;

use async_graphql_parser::types::SelectionSet;
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::billing;
use super::bulk;
use super::resolve::{Ctx, Resolved, RootField};
use super::state::{SimShop, SimState};
use super::subscriptions;

/// What a mutation may use besides the shop. Everything is taken before the shop lock: calling
/// back into [`SimState`] (e.g. `now()`) under it would deadlock.
#[derive(Debug)]
pub struct MutationEnv<'a> {
    /// Scopes of the calling token.
    pub scopes: &'a str,
    /// The simulated time of the request.
    pub now: DateTime<Utc>,
    /// `X-Shopify-API-Version` of deliveries: the `apiVersion` of new webhook subscriptions.
    pub webhook_api_version: &'a str,
    /// The simulator's counter for new gid numbers (unique across shops, like Shopify's ids).
    pub ids: &'a AtomicU64,
    /// Where the simulator itself is reached (`http://127.0.0.1:PORT`), from the request's
    /// `Host`: the base of billing confirmation URLs.
    pub base_url: &'a str,
}

/// Resolves one mutation root field against the shop.
pub fn resolve(env: &MutationEnv<'_>, shop: &mut SimShop, root: &RootField<'_>) -> Resolved {
    match root.name.as_str() {
        "webhookSubscriptionCreate" => subscriptions::create(env, shop, &root.args),
        "webhookSubscriptionDelete" => subscriptions::delete(env, shop, &root.args),
        "appSubscriptionCreate" => billing::create(env, shop, &root.args),
        "appSubscriptionCancel" => billing::cancel(env, shop, &root.args),
        "appUsageRecordCreate" => billing::create_usage_record(env, shop, &root.args),
        "bulkOperationRunQuery" => bulk::run_query(env, shop, &root.args),
        "bulkOperationCancel" => bulk::cancel(env, shop, &root.args),
        _ => Resolved::NotImplemented(None),
    }
}

/// Runs a mutation's root selection on `domain`; `None` if the shop disappeared meanwhile.
pub fn execute<'a>(
    ctx: &Ctx<'a>,
    state: &SimState,
    domain: &str,
    env: &MutationEnv<'_>,
    root_type: &str,
    set: &'a SelectionSet,
) -> Option<(Json, Vec<Json>)> {
    let roots = ctx.root_selection(set);
    let values = state.with_shop(domain, |shop| {
        roots
            .iter()
            .map(|root| resolve(env, shop, root))
            .collect::<Vec<_>>()
    })?;
    Some(ctx.assemble(root_type, &roots, values))
}
