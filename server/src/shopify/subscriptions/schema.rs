//! GraphQL for Settings' "Shopify events": each topic the app receives and whether this shop
//! is subscribed to it. Scoped by the request's shop handle.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::store::{self, SubscriptionState};
use super::topics::{self, Delivery, Topic, WebhookHandling};
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;
use crate::shopify::billing::guard::PlanGuard;

/// Where a topic stands for the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum WebhookTopicStatus {
    /// Subscribed at the app's address.
    Subscribed,
    /// Not reconciled yet (right after install, or the shop must open the app again).
    Pending,
    /// Shopify refused the subscription; `detail` says why.
    Failed,
    /// A compliance topic: declared in `shopify.app.toml` and delivered by Shopify to every
    /// shop, with no per-shop subscription.
    AppConfig,
}

/// One topic's state.
#[derive(SimpleObject)]
pub struct WebhookTopicState {
    /// `orders/create` style.
    topic: String,
    /// What the app does with it.
    handling: WebhookHandling,
    /// Where it stands.
    status: WebhookTopicStatus,
    /// Shopify's message when it failed.
    detail: Option<String>,
    /// When it was last checked with Shopify.
    checked_at: Option<DateTime<Utc>>,
}

fn topic_state(topic: &Topic, recorded: &[SubscriptionState]) -> WebhookTopicState {
    let row = recorded.iter().find(|r| r.topic == topic.name);
    let status = match (topic.delivery, row.map(|r| r.status.as_str())) {
        (Delivery::AppConfig, _) => WebhookTopicStatus::AppConfig,
        (Delivery::Subscription, Some("subscribed")) => WebhookTopicStatus::Subscribed,
        (Delivery::Subscription, Some(_)) => WebhookTopicStatus::Failed,
        (Delivery::Subscription, None) => WebhookTopicStatus::Pending,
    };
    WebhookTopicState {
        topic: topic.name.to_string(),
        handling: topic.handling,
        status,
        detail: row.and_then(|r| r.detail.clone()),
        checked_at: row.map(|r| r.checked_at),
    }
}

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every topic the app receives, in a stable order, with this shop's state.
    #[graphql(guard = "PlanGuard::Read")]
    async fn webhook_topics(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookTopicState>> {
        let rc = RequestCtx::of(ctx)?;
        let recorded = store::list(&rc.db).await.gql()?;
        Ok(topics::TOPICS
            .iter()
            .map(|t| topic_state(t, &recorded))
            .collect())
    }
}
