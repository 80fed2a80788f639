//! Settings › Shopify events: each webhook topic the app receives, what EcomCRM does with it and
//! whether Shopify sends it to this store.

use leptos::prelude::*;

use super::super::{CardHeading, with_card_data};
use crate::api::{self, WebhookHandling, WebhookTopic, WebhookTopicStatus};
use crate::components::{Badge, Card, DataTable, EmptyState, Tone};
use crate::format;

const HEADING: CardHeading = CardHeading {
    title: "Shopify events",
    error_id: "webhooks-error",
};

/// The "Shopify events" card.
#[component]
pub fn ShopifyEvents() -> impl IntoView {
    let topics = LocalResource::new(api::webhook_topics);
    view! {
        <div id="settings-webhooks">
            {with_card_data(
                HEADING,
                topics,
                |topics: Vec<WebhookTopic>| view! { <TopicList topics/> },
            )}
        </div>
    }
}

#[component]
fn TopicList(topics: Vec<WebhookTopic>) -> impl IntoView {
    if topics.is_empty() {
        return view! {
            <Card title=HEADING.title>
                <EmptyState heading="No Shopify events yet" id="webhooks-empty">
                    <p>
                        "The changes Shopify sends EcomCRM about your store, such as new orders "
                        "and customers, are listed here once the app has set them up."
                    </p>
                </EmptyState>
            </Card>
        }
        .into_any();
    }
    let checked = match api::last_checked(&topics) {
        Some(at) => format!("Last checked with Shopify {}", format::date_time(at)),
        None => "Not checked with Shopify yet".to_string(),
    };
    let rows = topics.into_iter().map(row).collect();
    view! {
        <Card title=HEADING.title>
            <p class="p-text-secondary">
                "Shopify tells EcomCRM about changes in your store through these events."
            </p>
            <p class="p-text-secondary p-card__meta" id="webhooks-last-checked">{checked}</p>
            <div class="p-card__table">
                <DataTable
                    headings=vec!["Event".into(), "What EcomCRM does".into(), "Status".into()]
                    rows
                    caption="Shopify events and their status"
                />
            </div>
        </Card>
    }
    .into_any()
}

fn row(topic: WebhookTopic) -> Vec<AnyView> {
    let WebhookTopic {
        topic,
        handling,
        status,
        detail,
        ..
    } = topic;
    let purpose = purpose(&topic);
    let (tone, label) = badge(status);
    // Shopify's reason matters only when the subscription failed.
    let detail = (status == WebhookTopicStatus::Failed)
        .then_some(detail)
        .flatten()
        .map(|detail| view! { <p class="p-text-critical p-cell-wrap">{detail}</p> });
    vec![
        view! { <code class="p-code">{topic}</code> }.into_any(),
        view! {
            <div class="p-cell-wrap">
                <p>{purpose}</p>
                <p class="p-text-secondary">{handling_note(handling)}</p>
            </div>
        }
        .into_any(),
        view! {
            <div class="p-cell-stack">
                <Badge tone>{label}</Badge>
                {detail}
            </div>
        }
        .into_any(),
    ]
}

fn badge(status: WebhookTopicStatus) -> (Tone, &'static str) {
    match status {
        WebhookTopicStatus::Subscribed => (Tone::Success, "Subscribed"),
        WebhookTopicStatus::AppConfig => (Tone::Info, "Declared by the app"),
        WebhookTopicStatus::Pending => (Tone::Warning, "Setting up"),
        WebhookTopicStatus::Failed => (Tone::Critical, "Failed"),
        WebhookTopicStatus::Unknown => (Tone::Neutral, "Unknown"),
    }
}

fn handling_note(handling: WebhookHandling) -> &'static str {
    match handling {
        WebhookHandling::Processed => "Acted on as soon as it arrives.",
        WebhookHandling::Stored => "Saved as it arrives; applied by the upcoming store sync.",
        WebhookHandling::Billing => "Keeps your EcomCRM plan in step with Shopify billing.",
        WebhookHandling::Unknown => "",
    }
}

/// What a topic is for, in a merchant's words.
fn purpose(topic: &str) -> &'static str {
    match topic {
        "app/uninstalled" => "Stops all work for your store when you uninstall EcomCRM",
        "app/scopes_update" => "Notes which store data you allowed EcomCRM to read",
        "shop/update" => "Keeps your store's name and details up to date",
        "customers/data_request" => "Prepares a customer's data when they ask for a copy",
        "customers/redact" => "Erases a customer's data when they ask to be forgotten",
        "shop/redact" => "Erases your store's data after you uninstall EcomCRM",
        "customers/create" => "Adds new customers",
        "customers/update" => "Updates customer details and marketing consent",
        "customers/delete" => "Removes deleted customers",
        "orders/create" => "Adds new orders to customer histories",
        "orders/updated" => "Updates orders when they change",
        "orders/cancelled" => "Marks cancelled orders",
        "orders/delete" => "Removes deleted orders",
        "refunds/create" => "Records refunds against orders",
        "checkouts/create" => "Notices started checkouts, for abandoned cart emails",
        "checkouts/update" => "Follows checkouts until they become orders",
        "bulk_operations/finish" => "Picks up finished store imports",
        "app_subscriptions/update" => "Applies changes to your EcomCRM plan",
        _ => "Receives this event from Shopify",
    }
}
