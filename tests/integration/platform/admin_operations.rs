//! Every Admin API operation the app sends, and every webhook topic it subscribes to, is valid
//! against Shopify's real 2026-10 schema (the introspection in tests/fixtures/shopify), so a
//! typo or a field Shopify removed fails here rather than in a merchant's store.

use ecomcrm::shopify::admin_client::OPERATIONS;
use ecomcrm::shopify::subscriptions::topics;
use ecomcrm_tests::sim::admin_schema::admin_schema;
use ecomcrm_tests::sim::validate_admin_operation;

#[test]
fn every_admin_operation_the_app_sends_is_valid_against_shopifys_schema() {
    assert!(OPERATIONS.len() >= 4);
    for (name, doc) in OPERATIONS {
        assert_eq!(validate_admin_operation(doc), Ok(()), "operation {name}");
    }
}

#[test]
fn every_subscribed_topic_is_a_webhook_subscription_topic_of_the_schema() {
    let schema = admin_schema().expect("schema");
    let topic_enum = &schema.types["WebhookSubscriptionTopic"];
    for topic in topics::subscribed() {
        assert!(
            topic_enum.enum_values.contains(&topic.graphql_enum()),
            "{} is not a WebhookSubscriptionTopic",
            topic.name
        );
    }
}
