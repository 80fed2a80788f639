//! GraphQL for the CRM: `customers` (filtered, sorted, cursor-paged, with segment counts),
//! `customer` (the 360 profile), `dashboard` and `segmentChanges`. Thin resolvers over
//! `crm::customers` and `crm::dashboard`, always through the request's shop handle.

mod customer;
mod dashboard;
mod export;
mod list;
mod loaders;
mod types;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

pub use customer::Customer;
pub use dashboard::{Dashboard, DashboardRange};
pub use export::{CrmMutation, CustomerExport, EXPORT_PATH};
pub use list::{CustomerConnection, CustomerSort};
pub use loaders::{CrmLoaders, for_request as loaders_for};
pub use types::{Money, SegmentChange};

use super::customers;
use crate::error::{AppError, GqlResultExt};
use crate::graphql::RequestCtx;
use crate::sync::full::shop_currency;

/// CRM queries.
#[derive(Default)]
pub struct CrmQuery;

#[Object]
impl CrmQuery {
    /// Customers, newest page after `after`; `query` matches name or email, `segment` is a
    /// segment name (`at_risk`), `sort` orders the list.
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 25)] first: i32,
        after: Option<String>,
        query: Option<String>,
        segment: Option<String>,
        sort: Option<CustomerSort>,
    ) -> async_graphql::Result<CustomerConnection> {
        let rc = RequestCtx::of(ctx)?;
        let sort = sort.unwrap_or(CustomerSort::Spent);
        let page = list::load(&rc.db, first, after, query, segment, sort).await?;
        // One query for the whole page's predictions, before each item asks for its own.
        if ctx.look_ahead().field("nodes").field("prediction").exists() {
            let keys = page
                .nodes
                .iter()
                .map(|n| loaders::PredictionOf(n.customer_id));
            rc.loaders.load_many(keys).await?;
        }
        Ok(page)
    }

    /// One customer of this shop by id (null when there is none).
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Customer>> {
        let rc = RequestCtx::of(ctx)?;
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::BadRequest("id must be a customer id".into()))
            .gql()?;
        customer::load(rc, id).await
    }

    /// The dashboard for a range ending now (the last 30 days when absent).
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        range: Option<DashboardRange>,
    ) -> async_graphql::Result<Dashboard> {
        let rc = RequestCtx::of(ctx)?;
        dashboard::load(rc, range.unwrap_or(DashboardRange::Last30Days)).await
    }

    /// Segment changes since an instant, newest first (at most `first`).
    async fn segment_changes(
        &self,
        ctx: &Context<'_>,
        since: DateTime<Utc>,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<SegmentChange>> {
        let rc = RequestCtx::of(ctx)?;
        let currency = shop_currency(&rc.db).await.gql()?;
        let rows =
            customers::segment_changes(&rc.db, since, None, None, i64::from(first.clamp(1, 500)))
                .await
                .gql()?;
        Ok(rows
            .into_iter()
            .map(|r| SegmentChange::from_row(r, &currency))
            .collect())
    }
}
