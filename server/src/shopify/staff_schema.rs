//! GraphQL for staff members: who works in the shop (`staffMembers`) and who is asking (`me`),
//! read through the shop's tenant handle only.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::billing::guard::PlanGuard;
use super::staff;
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;

/// A staff member of the current shop, as Shopify described them.
#[derive(SimpleObject)]
pub struct StaffMember {
    /// Shopify's user id.
    id: ID,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// Email.
    email: String,
    /// Whether this user owns the store.
    account_owner: bool,
}

impl From<staff::StaffMember> for StaffMember {
    fn from(s: staff::StaffMember) -> Self {
        Self {
            id: ID(s.shopify_user_id.to_string()),
            first_name: s.first_name,
            last_name: s.last_name,
            email: s.email,
            account_owner: s.account_owner,
        }
    }
}

/// Staff queries.
#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// Staff members of the current shop who have opened the app.
    #[graphql(guard = "PlanGuard::Read")]
    async fn staff_members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StaffMember>> {
        let rc = RequestCtx::of(ctx)?;
        let all = staff::list(&rc.db).await.gql()?;
        Ok(all.into_iter().map(StaffMember::from).collect())
    }

    /// The staff member making the request (the session token's `sub`), once known.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        let rc = RequestCtx::of(ctx)?;
        let Some(id) = rc
            .staff_user_id
            .as_deref()
            .and_then(|s| s.parse::<i64>().ok())
        else {
            return Ok(None);
        };
        Ok(staff::find(&rc.db, id).await.gql()?.map(StaffMember::from))
    }
}
