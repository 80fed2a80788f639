//! Customer 360 (`/customers/:id`): contact details and marketing consent, segment with its RFM
//! scores and history, lifetime figures, tags and lifecycle stage, and the orders timeline with
//! links into the Shopify admin. Email history and support tickets join as further cards.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::segment_tone;
use crate::api::crm::{self, Customer, Money, TimelineOrder};
use crate::components::{Action, Badge, Card, EmptyState, Layout, LayoutSection, Page, Tone};
use crate::pages::{CardHeading, Heading, with_card_data, with_data};
use crate::{bridge, format, location};

/// The customer 360 page.
#[component]
pub fn CustomerProfile() -> impl IntoView {
    bridge::set_title("Customer");
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let data = LocalResource::new(move || crm::customer(id.get()));
    let heading = Heading {
        title: "Customer",
        from_data: true,
    };
    view! {
        <div id="page-customer">
            {with_data(heading, data, |c: Option<Customer>| match c {
                Some(c) => view! { <Profile c/> }.into_any(),
                None => view! {
                    <Page title="Customer">
                        <Card>
                            <EmptyState
                                heading="This customer isn't in your store"
                                action=Action::link("All customers", location::app_href("/customers"))
                                id="customer-missing"
                            >
                                <p>"They may have been deleted in Shopify, or the link is wrong."</p>
                            </EmptyState>
                        </Card>
                    </Page>
                }
                .into_any(),
            })}
        </div>
    }
}

fn money(m: &Money) -> String {
    format::money(&m.amount, &m.currency_code)
}

fn fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="p-fact">
            <dt class="p-text-secondary">{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn consent(state: &Option<String>) -> String {
    match state.as_deref() {
        Some("SUBSCRIBED") => "Subscribed".into(),
        Some("NOT_SUBSCRIBED") | None => "Not subscribed".into(),
        Some("UNSUBSCRIBED") => "Unsubscribed".into(),
        Some(other) => other.replace('_', " ").to_lowercase(),
    }
}

/// The insight card: loads on its own so a slow LLM never holds up the profile.
#[component]
fn InsightCard(id: String) -> impl IntoView {
    let data = LocalResource::new(move || crm::customer_insight(id.clone()));
    let heading = CardHeading {
        title: "Insight",
        error_id: "insight-error",
    };
    with_card_data(heading, data, |insight: Option<crm::Insight>| {
        let (text, note) = match insight {
            Some(i) => {
                let note = if i.provider == "deterministic" {
                    "Written from this customer's orders and segment."
                } else {
                    "Written by AI from this customer's orders and segment only."
                };
                (i.text, note)
            }
            None => ("No insight yet.".to_string(), ""),
        };
        view! {
            <Card title="Insight" id="insight-card">
                <p id="insight-text">{text}</p>
                <p class="p-text-secondary">{note}</p>
            </Card>
        }
    })
}

#[component]
fn Profile(c: Customer) -> impl IntoView {
    let dash = || "—".to_string();
    let scores = c.scores.as_ref().map(|s| {
        view! {
            <p id="rfm-scores">
                {format!(
                    "Recency {}/5 · Frequency {}/5 · Monetary {}/5",
                    s.recency, s.frequency, s.monetary
                )}
            </p>
        }
    });
    let history = if c.segment_history.is_empty() {
        view! { <p class="p-text-secondary">"No segment changes yet."</p> }.into_any()
    } else {
        c.segment_history
            .clone()
            .into_iter()
            .map(|h| {
                view! {
                    <li class="p-history__item">
                        <strong>{format!("{} → {}", h.from_label, h.to_label)}</strong>
                        <span class="p-text-secondary">{format::date(&h.changed_at)}</span>
                        <p class="p-text-secondary">{h.reason}</p>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let tags = if c.tags.is_empty() {
        view! { <span class="p-text-secondary">"No tags"</span> }.into_any()
    } else {
        c.tags
            .clone()
            .into_iter()
            .map(|t| view! { <Badge>{t}</Badge> })
            .collect_view()
            .into_any()
    };
    let orders = if c.orders.is_empty() {
        view! { <p class="p-text-secondary">"No orders yet."</p> }.into_any()
    } else {
        view! { <ol class="p-timeline" id="order-timeline">{c.orders.iter().map(order).collect_view()}</ol> }
            .into_any()
    };
    let subtitle = if c.redacted {
        "Personal data erased at the shop's request".to_string()
    } else {
        c.email.clone().unwrap_or_default()
    };
    view! {
        <Page title=c.display_name.clone() title_id="customer-name" subtitle=subtitle>
            <p class="p-profile-links">
                <a href=location::app_href("/customers")>"← All customers"</a>
                " · "
                <a href=c.admin_url.clone() target="_top">"Open in Shopify admin"</a>
            </p>
            <Layout>
                <LayoutSection>
                    <InsightCard id=c.id.clone()/>
                    <Card title="Lifetime" id="lifetime">
                        <dl class="p-facts">
                            {fact("Total spent, net of refunds", money(&c.total_spent))}
                            {fact("Orders", format::number(c.orders_count.max(0) as u64))}
                            {fact("Average order", c.average_order_value.as_ref().map(money).unwrap_or_else(dash))}
                            {fact("First order", c.first_order_at.as_deref().map(format::date).unwrap_or_else(dash))}
                            {fact("Last order", c.last_order_at.as_deref().map(format::date).unwrap_or_else(dash))}
                            {fact("Customer since", format::date(&c.created_at))}
                        </dl>
                    </Card>
                    <Card title="Orders" id="orders-card">{orders}</Card>
                </LayoutSection>
                <LayoutSection one_third=true>
                    <PredictionCard prediction=c.prediction.clone()/>
                    <Card title="Segment" id="segment-card">
                        <p>
                            <Badge tone=segment_tone(&c.segment)>{c.segment_label.clone()}</Badge>
                            " "
                            <Badge tone=Tone::Neutral>{c.lifecycle_stage.clone()}</Badge>
                        </p>
                        {scores}
                        {c.segment_since.as_deref().map(|s| view! {
                            <p class="p-text-secondary">{format!("Since {}", format::date(s))}</p>
                        })}
                        <ul class="p-history" id="segment-history">{history}</ul>
                    </Card>
                    <Card title="Contact" id="contact-card">
                        <dl class="p-facts p-facts--stacked">
                            {fact("Email", c.email.clone().unwrap_or_else(dash))}
                            {fact("Phone", c.phone.clone().unwrap_or_else(dash))}
                            {fact("Address", c.address.clone().unwrap_or_else(dash))}
                            {fact("Email marketing", consent(&c.email_marketing))}
                            {fact("SMS marketing", consent(&c.sms_marketing))}
                        </dl>
                        <div class="p-tags">{tags}</div>
                    </Card>
                </LayoutSection>
            </Layout>
        </Page>
    }
}

/// The models' expectations with their reason, or why there are none yet.
#[component]
fn PredictionCard(prediction: Option<crm::Prediction>) -> impl IntoView {
    let Some(p) = prediction else {
        return view! {
            <Card title="Predictions" id="prediction-card">
                <p class="p-text-secondary">
                    "Predictions appear once this customer has ordered and the store's purchase "
                    "models have been fitted (daily, and after each import)."
                </p>
            </Card>
        }
        .into_any();
    };
    let next = p
        .next_order_at
        .as_deref()
        .map(format::date)
        .unwrap_or_else(|| "Not expected within a year".to_string());
    view! {
        <Card title="Predictions" id="prediction-card">
            <dl class="p-facts p-facts--stacked">
                {fact("Chance of ordering within a year", format!("{:.0}%", p.probability_order_365d * 100.0))}
                {fact("Expected next order", next)}
                {fact(
                    "Expected orders (90 days / 1 year)",
                    format!("{:.1} / {:.1}", p.expected_orders_90d, p.expected_orders_365d),
                )}
                {fact("Expected value, next 12 months", money(&p.clv_365d))}
            </dl>
            <p class="p-text-secondary" id="prediction-reason">{p.reason}</p>
        </Card>
    }
    .into_any()
}

fn order(o: &TimelineOrder) -> impl IntoView + use<> {
    let status = if o.cancelled_at.is_some() {
        ("Cancelled".to_string(), Tone::Critical)
    } else {
        (
            o.financial_status
                .clone()
                .unwrap_or_default()
                .replace('_', " ")
                .to_lowercase(),
            Tone::Neutral,
        )
    };
    let refunded = (o.refunded.amount.parse::<f64>().unwrap_or(0.0) > 0.0)
        .then(|| format!("{} refunded", money(&o.refunded)));
    let lines = o
        .lines
        .iter()
        .map(|l| {
            let name = match &l.variant_title {
                Some(v) if !v.is_empty() && v != "Default Title" => format!("{} ({v})", l.title),
                _ => l.title.clone(),
            };
            view! { <li>{format!("{} × {name} — {}", l.quantity, money(&l.total))}</li> }
        })
        .collect_view();
    view! {
        <li class="p-timeline__item">
            <div class="p-timeline__head">
                <a href=o.admin_url.clone() target="_top">{o.name.clone()}</a>
                <span class="p-text-secondary">{format::date(&o.created_at)}</span>
                <Badge tone=status.1>{status.0}</Badge>
                {o.fulfillment_status.clone().map(|f| view! {
                    <Badge tone=Tone::Info>{f.replace('_', " ").to_lowercase()}</Badge>
                })}
                <strong>{money(&o.total)}</strong>
                {refunded.map(|r| view! { <span class="p-text-critical">{r}</span> })}
            </div>
            <ul class="p-timeline__lines">{lines}</ul>
        </li>
    }
}
