//! The server-side plan guard on gated GraphQL fields: without an active plan nothing but the
//! plan page, settings essentials and privacy answers; a frozen subscription makes the app
//! read-only. The UI hides what the guard refuses, but the guard is the wall.

use async_graphql::{Context, ErrorExtensions, Guard};

use super::account::Entitlement;
use crate::graphql::RequestCtx;

/// What a gated field needs.
#[derive(Debug, Clone, Copy)]
pub enum PlanGuard {
    /// Any plan, frozen included (reading data).
    Read,
    /// An active, unfrozen plan (changing data, sending, spending).
    Write,
}

impl Guard for PlanGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let rc = RequestCtx::of(ctx)?;
        let entitlement = Entitlement::of(&rc.db, &rc.app.config.plans)
            .await
            .map_err(|e| crate::error::AppError::from(e).extend())?;
        let allowed = match self {
            PlanGuard::Read => entitlement.require_read().map(|_| ()),
            PlanGuard::Write => entitlement.require_write().map(|_| ()),
        };
        allowed.map_err(|e| e.extend())
    }
}
