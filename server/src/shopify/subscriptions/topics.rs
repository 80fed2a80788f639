//! The catalogue of webhook topics the app receives: what each one is for and how Shopify is
//! told to send it. `shopify.app.toml` must declare exactly these (a test below compares them),
//! so the declared topics and the handled ones cannot drift apart.

/// What the app does with a topic's deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum WebhookHandling {
    /// Acted on as it arrives (install lifecycle, compliance).
    Processed,
    /// Stored and acknowledged now; the store sync processes it.
    Stored,
    /// Plan and charge changes, for billing.
    Billing,
}

/// How Shopify learns that the app wants a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Declared in `shopify.app.toml` only: the compliance topics cannot be subscribed through
    /// the Admin API (SHOPIFY.md §5.4).
    AppConfig,
    /// Declared in `shopify.app.toml` and also subscribed per shop through the Admin API, so a
    /// shop receives it even where the TOML was never deployed (local development, staging
    /// apps); duplicate deliveries of one event are folded by `X-Shopify-Event-Id`.
    Subscription,
}

/// One topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    /// `X-Shopify-Topic`, e.g. `orders/create`.
    pub name: &'static str,
    /// What happens to its deliveries.
    pub handling: WebhookHandling,
    /// How it is subscribed.
    pub delivery: Delivery,
}

impl Topic {
    /// The Admin API's `WebhookSubscriptionTopic` value (`orders/create` → `ORDERS_CREATE`).
    pub fn graphql_enum(&self) -> String {
        self.name.replace('/', "_").to_ascii_uppercase()
    }
}

const fn topic(name: &'static str, handling: WebhookHandling, delivery: Delivery) -> Topic {
    Topic {
        name,
        handling,
        delivery,
    }
}

use Delivery::{AppConfig, Subscription};
use WebhookHandling::{Billing, Processed, Stored};

/// Every topic, in the order Settings lists them.
pub const TOPICS: &[Topic] = &[
    topic("app/uninstalled", Processed, Subscription),
    topic("app/scopes_update", Processed, Subscription),
    topic("shop/update", Processed, Subscription),
    topic("customers/data_request", Processed, AppConfig),
    topic("customers/redact", Processed, AppConfig),
    topic("shop/redact", Processed, AppConfig),
    topic("customers/create", Stored, Subscription),
    topic("customers/update", Stored, Subscription),
    topic("customers/delete", Stored, Subscription),
    topic("orders/create", Stored, Subscription),
    topic("orders/updated", Stored, Subscription),
    topic("orders/cancelled", Stored, Subscription),
    topic("orders/delete", Stored, Subscription),
    topic("refunds/create", Stored, Subscription),
    topic("checkouts/create", Stored, Subscription),
    topic("checkouts/update", Stored, Subscription),
    topic("bulk_operations/finish", Stored, Subscription),
    topic("app_subscriptions/update", Billing, Subscription),
];

/// The topics subscribed per shop through the Admin API.
pub fn subscribed() -> impl Iterator<Item = &'static Topic> {
    TOPICS.iter().filter(|t| t.delivery == Subscription)
}

/// The topic called `name`, if the app handles it.
pub fn find(name: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoted strings of every `key = [ ... ]` array in the TOML text (enough for the
    /// `[[webhooks.subscriptions]]` blocks, which keep each array on one line).
    fn toml_array(toml: &str, key: &str) -> Vec<String> {
        toml.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|rest| rest.trim_start().strip_prefix('='))
            .flat_map(|list| list.split('"').skip(1).step_by(2).map(str::to_string))
            .collect()
    }

    const APP_TOML: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shopify.app.toml"));

    #[test]
    fn shopify_app_toml_declares_exactly_the_handled_topics() {
        let mut declared = toml_array(APP_TOML, "topics");
        declared.sort();
        let mut handled: Vec<String> = subscribed().map(|t| t.name.to_string()).collect();
        handled.sort();
        assert_eq!(
            declared, handled,
            "shopify.app.toml `topics` must equal the Subscription topics of TOPICS"
        );

        let mut compliance = toml_array(APP_TOML, "compliance_topics");
        compliance.sort();
        let mut handled: Vec<String> = TOPICS
            .iter()
            .filter(|t| t.delivery == AppConfig)
            .map(|t| t.name.to_string())
            .collect();
        handled.sort();
        assert_eq!(
            compliance, handled,
            "compliance_topics must equal the AppConfig topics"
        );
    }

    #[test]
    fn the_compliance_topics_are_declared_by_the_app_config() {
        for name in crate::shopify::webhooks::COMPLIANCE_TOPICS {
            assert_eq!(find(name).map(|t| t.delivery), Some(AppConfig), "{name}");
        }
    }

    #[test]
    fn topic_names_map_to_admin_api_enum_values() {
        assert_eq!(
            find("orders/create").unwrap().graphql_enum(),
            "ORDERS_CREATE"
        );
        assert_eq!(
            find("app_subscriptions/update").unwrap().graphql_enum(),
            "APP_SUBSCRIPTIONS_UPDATE"
        );
        let mut names: Vec<_> = TOPICS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TOPICS.len(), "a topic is listed twice");
    }
}
