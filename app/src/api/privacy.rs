//! Settings › Privacy: the customer data requests (`customers/data_request`) Shopify forwarded,
//! and each finished export's document for download.
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::{ApiError, graphql};

/// Where a customer data export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportStatus {
    /// The request arrived; the export is being prepared.
    Pending,
    /// The export is stored and can be downloaded.
    Completed,
    /// The customer was erased before the export ran, so there is nothing to send.
    Redacted,
    /// A status this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// One customer data request, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataExport {
    /// The export's id.
    pub id: String,
    /// Shopify's customer id; absent when the request named an email address only.
    pub customer_shopify_id: Option<String>,
    /// Where the export stands.
    pub status: ExportStatus,
    /// When the request arrived (RFC 3339).
    pub created_at: String,
    /// When the export was stored (RFC 3339).
    pub completed_at: Option<String>,
}

impl DataExport {
    /// The name the downloaded file gets: `customer-data-{customer id, else export id}.json`.
    pub fn file_name(&self) -> String {
        let who = self.customer_shopify_id.as_deref().unwrap_or(&self.id);
        format!("customer-data-{who}.json")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListData {
    data_exports: Vec<DataExport>,
}

#[derive(Deserialize)]
struct Document {
    json: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentData {
    data_export: Option<Document>,
}

/// The shop's customer data requests, newest first.
pub async fn data_exports() -> Result<Vec<DataExport>, ApiError> {
    let data: ListData = graphql(
        "query DataExports { dataExports { id customerShopifyId status createdAt completedAt } }",
        json!({}),
    )
    .await?;
    Ok(data.data_exports)
}

/// The export document of one request; `None` when it is not this shop's or not ready yet.
pub async fn data_export_document(id: &str) -> Result<Option<serde_json::Value>, ApiError> {
    let data: DocumentData = graphql(
        "query DataExport($id: ID!) { dataExport(id: $id) { json } }",
        json!({ "id": id }),
    )
    .await?;
    Ok(data.data_export.and_then(|export| export.json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_export_decodes() {
        let export: DataExport = serde_json::from_value(json!({
            "id": "7", "customerShopifyId": null, "status": "redacted",
            "createdAt": "2025-03-05T14:04:00Z", "completedAt": null
        }))
        .unwrap();
        assert_eq!(export.status, ExportStatus::Redacted);
        assert_eq!(export.file_name(), "customer-data-7.json");
    }

    #[test]
    fn the_file_is_named_after_the_customer_when_known() {
        let export: DataExport = serde_json::from_value(json!({
            "id": "7", "customerShopifyId": "207119551", "status": "completed",
            "createdAt": "2025-03-05T14:04:00Z", "completedAt": "2025-03-05T14:05:00Z"
        }))
        .unwrap();
        assert_eq!(export.file_name(), "customer-data-207119551.json");
    }

    #[test]
    fn an_unknown_status_does_not_fail_the_list() {
        let status: ExportStatus = serde_json::from_value(json!("archived")).unwrap();
        assert_eq!(status, ExportStatus::Unknown);
    }
}
