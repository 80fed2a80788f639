//! Per-request context: the verified shop's tenant handle and who is asking.

use shared::ShopDomain;

use crate::crm::schema::CrmLoaders;
use crate::db::ShopDb;
use crate::error::AppError;
use crate::state::AppState;

/// What resolvers need about the request.
#[derive(Clone)]
pub struct RequestCtx {
    /// The shop's tenant handle; resolvers never see an unscoped pool.
    pub db: ShopDb,
    /// The shop's domain.
    pub shop: ShopDomain,
    /// The staff member (`sub` of the session token), when known.
    pub staff_user_id: Option<String>,
    /// Application services.
    pub app: AppState,
    /// Batched per-customer reads for this request (no N+1 over lists).
    pub loaders: std::sync::Arc<CrmLoaders>,
}

impl RequestCtx {
    /// Reads the context; a missing one means the request never authenticated.
    pub fn of<'a>(ctx: &'a async_graphql::Context<'_>) -> async_graphql::Result<&'a RequestCtx> {
        ctx.data::<RequestCtx>()
            .map_err(|_| async_graphql::ErrorExtensions::extend(&AppError::Unauthorized))
    }
}
