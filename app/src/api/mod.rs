//! The only code that talks to the EcomCRM server: GraphQL over `POST /graphql` with a Shopify
//! session token, and subscriptions over `/graphql/ws` (`ws`). Pages call the typed functions
//! (`shop()`, …); components never fetch.

mod billing;
pub mod crm;
mod error;
mod jwt;
mod privacy;
mod shop;
mod sync;
mod token;
mod webhooks;
mod ws;

pub use billing::{
    BillingMode, BillingOverview, Charge, PlanChoice, PlanOffer, SubscriptionStatus,
    SubscriptionView, UsageMeter, billing, choose_plan, has_plan, refresh_billing,
};
pub use error::{ApiError, PlanCode};
pub use privacy::{DataExport, ExportStatus, data_export_document, data_exports};
pub use shop::{Shop, shop};
pub use sync::{
    SyncCounts, SyncResourceProgress, SyncRun, SyncRunKind, SyncRunStatus, SyncStatus, SyncSummary,
    SyncTrigger, merge_run, sync_now, sync_progress, sync_status, sync_summary,
};
pub use webhooks::{
    WebhookHandling, WebhookTopic, WebhookTopicStatus, last_checked, webhook_topics,
};
pub use ws::{Subscription, SubscriptionEvent};

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const GRAPHQL_PATH: &str = "/graphql";

/// Shopify's convention: a 401 carrying this header means "the token was stale, get a new one and
/// retry once". https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
const RETRY_HEADER: &str = "X-Shopify-Retry-Invalid-Session-Request";

#[derive(Serialize)]
struct GraphqlRequest<'a> {
    query: &'a str,
    variables: &'a serde_json::Value,
}

#[derive(Deserialize)]
struct GraphqlResponse<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    message: String,
    #[serde(default)]
    extensions: Option<serde_json::Value>,
}

impl GraphqlError {
    /// `extensions.code`, when it is a string; any other shape counts as no code.
    fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }

    fn is_unauthenticated(&self) -> bool {
        self.code() == Some("UNAUTHENTICATED")
    }

    fn plan_code(&self) -> Option<PlanCode> {
        self.code().and_then(PlanCode::from_code)
    }
}

/// The error a reply's `errors` amount to: a plan refusal when any error is one (the merchant can
/// act on it), else the messages as they came.
fn errors_to_api_error(errors: Vec<GraphqlError>) -> ApiError {
    if let Some(plan) = errors
        .iter()
        .find_map(|e| e.plan_code().map(|code| (code, e.message.clone())))
    {
        return ApiError::Plan {
            code: plan.0,
            message: plan.1,
        };
    }
    ApiError::Graphql(errors.into_iter().map(|e| e.message).collect())
}

/// Runs one GraphQL operation and decodes its `data` into `T`.
///
/// Sends `Authorization: Bearer <session token>` (a fresh App Bridge token when embedded, the dev
/// session otherwise) and retries once when the server asks for a new token.
pub async fn graphql<T: DeserializeOwned>(
    query: &str,
    variables: serde_json::Value,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(&GraphqlRequest {
        query,
        variables: &variables,
    })
    .map_err(|e| ApiError::network(format!("could not encode the request: {e}")))?;

    let mut retried = false;
    loop {
        let token = token::session_token().await?;
        let response = Request::post(GRAPHQL_PATH)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(body.clone())
            .map_err(|e| ApiError::network(format!("could not build the request: {e}")))?
            .send()
            .await
            .map_err(|e| ApiError::network(format!("POST {GRAPHQL_PATH} failed: {e}")))?;

        let status = response.status();
        if status == 401 {
            // Whatever we sent is no good; never reuse it.
            token::forget();
            let asked_to_retry = response.headers().get(RETRY_HEADER).as_deref() == Some("1");
            if asked_to_retry && !retried {
                retried = true;
                continue;
            }
            return Err(ApiError::Unauthorized);
        }
        if !response.ok() {
            return Err(ApiError::network(format!(
                "POST {GRAPHQL_PATH} answered HTTP {status}"
            )));
        }

        let reply: GraphqlResponse<T> = response
            .json()
            .await
            .map_err(|e| ApiError::network(format!("unreadable GraphQL reply: {e}")))?;
        if reply.errors.iter().any(GraphqlError::is_unauthenticated) {
            token::forget();
            return Err(ApiError::Unauthorized);
        }
        return match reply.data {
            // Partial data next to errors would show an incomplete page as if it were whole.
            Some(data) if reply.errors.is_empty() => Ok(data),
            _ => Err(errors_to_api_error(reply.errors)),
        };
    }
}
