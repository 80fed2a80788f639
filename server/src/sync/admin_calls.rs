//! The sync's Admin API calls, each through `call_admin` (fresh token, one refresh on 401,
//! re-auth marking) and the paced, retrying client. `Ok(None)`: nothing to do for the shop
//! (erased, uninstalled or waiting to be authorized again).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::records::Resource;
use crate::db::ShopId;
use crate::shopify::admin_client::{self, ShopifyError};
use crate::shopify::jobs::call_admin;
use crate::state::AppState;

/// Runs one operation for a shop.
pub async fn query<T: DeserializeOwned + Send>(
    state: &AppState,
    shop: ShopId,
    operation: &'static str,
    variables: serde_json::Value,
) -> anyhow::Result<Option<T>> {
    call_admin(state, shop, |s, token| {
        let variables = variables.clone();
        async move {
            let res = state
                .admin
                .graphql::<T>(&s.domain, &token, operation, variables)
                .await?;
            Ok::<_, ShopifyError>(res.data)
        }
    })
    .await
}

/// The bulk query of a resource.
pub fn bulk_query(resource: Resource) -> &'static str {
    match resource {
        Resource::Customers => admin_client::BULK_CUSTOMERS,
        Resource::Orders => admin_client::BULK_ORDERS,
        Resource::Products => admin_client::BULK_PRODUCTS,
        Resource::Checkouts => admin_client::BULK_CHECKOUTS,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunData {
    bulk_operation_run_query: RunPayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    bulk_operation: Option<OpRef>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct OpRef {
    id: String,
}

#[derive(Deserialize)]
struct UserError {
    message: String,
    code: Option<String>,
}

/// What Shopify said to a bulk query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// Running, with its gid.
    Running(String),
    /// Too many operations run now (`OPERATION_IN_PROGRESS`, `LIMIT_REACHED`): try later.
    Busy(String),
    /// Refused for good (`INVALID`).
    Refused(String),
}

/// Starts the bulk operation of a resource.
pub async fn start_bulk(
    state: &AppState,
    shop: ShopId,
    resource: Resource,
) -> anyhow::Result<Option<Started>> {
    let vars = serde_json::json!({ "query": bulk_query(resource) });
    let Some(data) =
        query::<RunData>(state, shop, admin_client::BULK_OPERATION_RUN_QUERY, vars).await?
    else {
        return Ok(None);
    };
    let payload = data.bulk_operation_run_query;
    if let Some(op) = payload.bulk_operation {
        return Ok(Some(Started::Running(op.id)));
    }
    let message = payload
        .user_errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let busy = payload.user_errors.iter().any(|e| {
        matches!(
            e.code.as_deref(),
            Some("OPERATION_IN_PROGRESS" | "LIMIT_REACHED")
        )
    });
    Ok(Some(if busy {
        Started::Busy(message)
    } else {
        Started::Refused(message)
    }))
}

/// A bulk operation's state.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    pub id: String,
    pub status: String,
    pub error_code: Option<String>,
    pub object_count: Option<String>,
    pub root_object_count: Option<String>,
    pub url: Option<String>,
    pub partial_data_url: Option<String>,
}

impl BulkOperation {
    pub fn roots(&self) -> Option<i64> {
        self.root_object_count
            .as_deref()
            .and_then(|n| n.parse().ok())
    }

    /// Ended without a result.
    pub fn failed(&self) -> bool {
        matches!(
            self.status.as_str(),
            "FAILED" | "CANCELED" | "CANCELING" | "EXPIRED"
        )
    }
}

#[derive(Deserialize)]
struct NodeData {
    node: Option<BulkOperation>,
}

/// Reads a bulk operation (`None` inside when Shopify no longer knows it).
pub async fn bulk_operation(
    state: &AppState,
    shop: ShopId,
    id: &str,
) -> anyhow::Result<Option<Option<BulkOperation>>> {
    let vars = serde_json::json!({ "id": id });
    let data = query::<NodeData>(state, shop, admin_client::BULK_OPERATION, vars).await?;
    Ok(data.map(|d| d.node))
}

#[derive(Deserialize)]
struct Count {
    count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountsData {
    customers_count: Option<Count>,
    orders_count: Option<Count>,
    products_count: Option<Count>,
    abandoned_checkouts_count: Option<Count>,
}

/// How many records each resource holds (the progress bar's totals).
pub async fn counts(
    state: &AppState,
    shop: ShopId,
) -> anyhow::Result<Option<Vec<(Resource, i64)>>> {
    let data = query::<CountsData>(
        state,
        shop,
        admin_client::STORE_COUNTS,
        serde_json::json!({}),
    )
    .await?;
    Ok(data.map(|d| {
        [
            (Resource::Customers, d.customers_count),
            (Resource::Orders, d.orders_count),
            (Resource::Products, d.products_count),
            (Resource::Checkouts, d.abandoned_checkouts_count),
        ]
        .into_iter()
        .filter_map(|(r, c)| c.map(|c| (r, c.count)))
        .collect()
    }))
}
