//! GraphQL for Settings › Privacy: the shop's customer data exports (`customers/data_request`),
//! listed with their status and downloadable one by one. Scoped by the request's [`ShopDb`], so
//! another shop's export id finds nothing.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::store::{self, DataExport};
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;

/// A customer data export as listed.
#[derive(SimpleObject)]
pub struct DataExportSummary {
    /// The export's id.
    id: ID,
    /// Shopify's customer id (a string: Shopify ids exceed GraphQL's 32-bit `Int`).
    customer_shopify_id: Option<String>,
    /// `pending`, `completed` or `redacted` (the customer was erased before it ran).
    status: String,
    /// When the request arrived.
    created_at: DateTime<Utc>,
    /// When the export was stored.
    completed_at: Option<DateTime<Utc>>,
}

/// One export with its document, for download.
#[derive(SimpleObject)]
pub struct DataExportDetail {
    /// The export's id.
    id: ID,
    /// Shopify's customer id.
    customer_shopify_id: Option<String>,
    /// `pending`, `completed` or `redacted`.
    status: String,
    /// When the request arrived.
    created_at: DateTime<Utc>,
    /// When the export was stored.
    completed_at: Option<DateTime<Utc>>,
    /// The export document (null until completed).
    json: Option<Json<serde_json::Value>>,
}

fn summary(e: DataExport) -> DataExportSummary {
    DataExportSummary {
        id: ID(e.id.to_string()),
        customer_shopify_id: e.customer_shopify_id.map(|c| c.to_string()),
        status: e.status,
        created_at: e.created_at,
        completed_at: e.completed_at,
    }
}

/// Privacy queries.
#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// The shop's customer data exports, newest first.
    async fn data_exports(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<DataExportSummary>> {
        let rc = RequestCtx::of(ctx)?;
        let rows = store::list_exports(&rc.db).await.gql()?;
        Ok(rows.into_iter().map(summary).collect())
    }

    /// One export of the shop with its document; null when this shop has no such export.
    async fn data_export(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<DataExportDetail>> {
        let rc = RequestCtx::of(ctx)?;
        // A malformed id is simply not one of this shop's exports.
        let Ok(id) = id.parse::<i64>() else {
            return Ok(None);
        };
        let Some(e) = store::find_export(&rc.db, id).await.gql()? else {
            return Ok(None);
        };
        let json = e
            .export_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .map(Json);
        Ok(Some(DataExportDetail {
            id: ID(e.id.to_string()),
            customer_shopify_id: e.customer_shopify_id.map(|c| c.to_string()),
            status: e.status,
            created_at: e.created_at,
            completed_at: e.completed_at,
            json,
        }))
    }
}
