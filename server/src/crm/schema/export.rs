//! `exportCustomers`: a short-lived link that downloads the list's current filter as CSV.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::list::{CustomerSort, parse_filter};
use crate::crm::customers::Sort;
use crate::crm::export::{TICKET_TTL, Ticket};
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;

/// Where the export downloads from.
pub const EXPORT_PATH: &str = "/exports/customers.csv";

/// A download link for the customer list as CSV.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerExport {
    /// Relative to the app's origin; fetch it before `expiresAt` (a plain link, no token).
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// CRM mutations.
#[derive(Default)]
pub struct CrmMutation;

#[Object]
impl CrmMutation {
    /// Every customer matching `query` and `segment`, in `sort` order, as a CSV download (the
    /// whole result, not one page).
    async fn export_customers(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        segment: Option<String>,
        sort: Option<CustomerSort>,
    ) -> async_graphql::Result<CustomerExport> {
        let rc = RequestCtx::of(ctx)?;
        let filter = parse_filter(query, segment).gql()?;
        let sort: Sort = sort.unwrap_or(CustomerSort::Spent).into();
        let expires_at = rc.app.clock.now()
            + chrono::Duration::from_std(TICKET_TTL).unwrap_or(chrono::Duration::minutes(5));
        let ticket = Ticket {
            shop: rc.db.shop_id().get(),
            segment: filter.segment,
            query: filter.query,
            sort: sort.as_str().to_string(),
            exp: expires_at.timestamp(),
        };
        Ok(CustomerExport {
            url: format!("{EXPORT_PATH}?ticket={}", ticket.seal(&rc.app.cipher)),
            expires_at,
        })
    }
}
