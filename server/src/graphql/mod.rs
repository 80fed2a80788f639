//! The GraphQL schema: one merged root per domain, with depth and complexity limits.

mod context;

pub use context::RequestCtx;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::crm::schema::{CrmMutation, CrmQuery};
use crate::shopify::billing::schema::{BillingMutation, BillingQuery};
use crate::shopify::gdpr::schema::PrivacyQuery;
use crate::shopify::schema::{ShopQuery, ShopSubscription};
use crate::shopify::staff_schema::StaffQuery;
use crate::shopify::subscriptions::schema::WebhookQuery;
use crate::sync::schema::{SyncMutation, SyncQuery, SyncSubscription};

/// All queries, one part per domain.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    ShopQuery,
    StaffQuery,
    PrivacyQuery,
    WebhookQuery,
    BillingQuery,
    SyncQuery,
    CrmQuery,
);

/// All mutations, one part per domain.
#[derive(MergedObject, Default)]
pub struct MutationRoot(BillingMutation, SyncMutation, CrmMutation);

/// All subscriptions, one part per domain.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(ShopSubscription, SyncSubscription);

/// The app's schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Deepest query accepted: deep enough for the app's nested views, shallow enough to stop abuse.
pub const MAX_DEPTH: usize = 12;
/// Largest total complexity accepted per operation.
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema.
pub fn build_schema() -> AppSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .finish()
}
