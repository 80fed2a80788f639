//! The GraphQL schema: one merged root per domain, with depth and complexity limits.

mod context;

pub use context::RequestCtx;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};

use crate::shopify::schema::ShopQuery;

/// All queries, one part per domain.
#[derive(MergedObject, Default)]
pub struct QueryRoot(ShopQuery);

/// The app's schema type.
pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Deepest query accepted: deep enough for the app's nested views, shallow enough to stop abuse.
pub const MAX_DEPTH: usize = 12;
/// Largest total complexity accepted per operation.
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema.
pub fn build_schema() -> AppSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}
