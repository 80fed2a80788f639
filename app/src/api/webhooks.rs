//! Settings › Shopify events: every webhook topic the app receives and where it stands for this
//! shop (subscribed, declared by the app, being set up or refused by Shopify).
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::{ApiError, graphql};

/// What the app does with a topic's deliveries (GraphQL `WebhookHandling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookHandling {
    /// Acted on as it arrives.
    Processed,
    /// Stored as it arrives and processed by the store sync.
    Stored,
    /// Plan and charge changes.
    Billing,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// Where a topic stands for the shop (GraphQL `WebhookTopicStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookTopicStatus {
    /// Subscribed at the app's address.
    Subscribed,
    /// Not set up with Shopify yet.
    Pending,
    /// Shopify refused the subscription; `detail` says why.
    Failed,
    /// A compliance topic declared in the app's configuration, delivered without a per-shop
    /// subscription.
    AppConfig,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// One topic's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTopic {
    /// The topic, e.g. `orders/create`.
    pub topic: String,
    /// What the app does with it.
    pub handling: WebhookHandling,
    /// Where it stands.
    pub status: WebhookTopicStatus,
    /// Shopify's message when it failed.
    pub detail: Option<String>,
    /// When it was last checked with Shopify (RFC 3339).
    pub checked_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TopicsData {
    webhook_topics: Vec<WebhookTopic>,
}

/// Every topic the app receives, with this shop's state.
pub async fn webhook_topics() -> Result<Vec<WebhookTopic>, ApiError> {
    let data: TopicsData = graphql(
        "query WebhookTopics { webhookTopics { topic handling status detail checkedAt } }",
        json!({}),
    )
    .await?;
    Ok(data.webhook_topics)
}

/// The most recent `checked_at` of `topics`. The server writes RFC 3339 in UTC, which sorts as
/// text (to the second, which is all "Last checked" shows).
pub fn last_checked(topics: &[WebhookTopic]) -> Option<&str> {
    topics.iter().filter_map(|t| t.checked_at.as_deref()).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_decodes_from_the_graphql_enums() {
        let topic: WebhookTopic = serde_json::from_value(json!({
            "topic": "customers/redact", "handling": "PROCESSED", "status": "APP_CONFIG",
            "detail": null, "checkedAt": null
        }))
        .unwrap();
        assert_eq!(topic.handling, WebhookHandling::Processed);
        assert_eq!(topic.status, WebhookTopicStatus::AppConfig);
    }

    #[test]
    fn the_newest_check_wins() {
        let topic = |checked_at: Option<&str>| WebhookTopic {
            topic: "orders/create".into(),
            handling: WebhookHandling::Stored,
            status: WebhookTopicStatus::Subscribed,
            detail: None,
            checked_at: checked_at.map(str::to_string),
        };
        let topics = [
            topic(Some("2025-03-05T14:04:00Z")),
            topic(None),
            topic(Some("2025-03-06T09:00:00Z")),
        ];
        assert_eq!(last_checked(&topics), Some("2025-03-06T09:00:00Z"));
        assert_eq!(last_checked(&[topic(None)]), None);
    }
}
