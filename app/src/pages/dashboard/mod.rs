//! Dashboard (`/`): the morning view. KPI cards, the segment distribution, revenue over time
//! against the previous period, churn alerts and recent activity, for a range kept in the URL
//! (`?range=LAST_30_DAYS`). A store with no customers yet gets guidance instead of zeros.

mod charts;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{Heading, with_data};
use crate::api::crm::{self, ActivityItem, Dashboard as Data, Money, SegmentChange};
use crate::api::{self, Shop};
use crate::components::{Action, Badge, Card, EmptyState, Layout, LayoutSection, Page, Tone};
use crate::{bridge, format, location};
use charts::{RevenueChart, SegmentChart};

/// The ranges the merchant can pick, with their labels.
const RANGES: [(&str, &str); 4] = [
    ("LAST_7_DAYS", "7 days"),
    ("LAST_30_DAYS", "30 days"),
    ("LAST_90_DAYS", "90 days"),
    ("LAST_365_DAYS", "12 months"),
];

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    bridge::set_title("Dashboard");
    let query = use_query_map();
    let range = Memo::new(move |_| {
        let asked = query.read().get("range").unwrap_or_default();
        RANGES
            .iter()
            .find(|(key, _)| *key == asked)
            .map_or("LAST_30_DAYS", |(key, _)| key)
            .to_string()
    });
    // The page greets the shop by name, so it reads the shop with the dashboard.
    let data = LocalResource::new(move || {
        let range = range.get();
        async move { Ok((api::shop().await?, crm::dashboard(range).await?)) }
    });
    let heading = Heading {
        title: "Dashboard",
        from_data: true,
    };
    view! {
        <div id="page-dashboard">
            {with_data(heading, data, move |(shop, d): (Shop, Data)| {
                view! { <Content shop d range=range.get_untracked()/> }
            })}
        </div>
    }
}

fn money(m: &Money) -> String {
    format::money(&m.amount, &m.currency_code)
}

/// "+12% vs previous period", or nothing when there was nothing before.
fn change(now: f64, before: f64) -> Option<(String, Tone)> {
    if before <= 0.0 {
        return None;
    }
    let pct = ((now - before) / before * 100.0).round();
    let tone = if pct >= 0.0 {
        Tone::Success
    } else {
        Tone::Critical
    };
    Some((format!("{pct:+}% vs previous period"), tone))
}

fn amount(m: &Money) -> f64 {
    m.amount.parse().unwrap_or(0.0)
}

#[component]
fn Kpi(
    label: &'static str,
    value: String,
    id: &'static str,
    /// A comparison with the previous period, when there is one.
    note: Option<(String, Tone)>,
) -> impl IntoView {
    view! {
        <div class="p-kpi" id=id>
            <p class="p-kpi__label">{label}</p>
            <p class="p-kpi__value">{value}</p>
            {note.map(|(text, tone)| view! { <Badge tone>{text}</Badge> })}
        </div>
    }
}

#[component]
fn Content(shop: Shop, d: Data, range: String) -> impl IntoView {
    if d.kpis.customers == 0 {
        return view! {
            <Page title=shop.name title_id="shop-name" subtitle=shop.domain>
                <Card>
                    <EmptyState
                        heading="Your customer insights are on their way"
                        action=Action::link("See the data sync", location::app_href("/settings/sync"))
                        id="dashboard-empty"
                    >
                        <p>
                            "Customers, revenue and segments appear here once the first sync of "
                            "your Shopify customers and orders has finished. A new store fills "
                            "this page with its first orders."
                        </p>
                    </EmptyState>
                </Card>
            </Page>
        }
        .into_any();
    }
    let k = d.kpis.clone();
    let customers = format::number(k.customers.max(0) as u64);
    let revenue = money(&k.revenue);
    let revenue_change = change(amount(&k.revenue), amount(&k.previous_revenue));
    let new_customers = format::number(k.new_customers_30d.max(0) as u64);
    let emails = format::number(k.emails_sent_30d.max(0) as u64);
    let subtitle = format!("Dashboard · times in {}", d.time_zone);
    let range_links = RANGES
        .iter()
        .map(|(key, label)| {
            let current = *key == range;
            view! {
                <a
                    class="p-chip"
                    class:p-chip--selected=current
                    href=location::app_href_with("/", &[("range", key)])
                    aria-current=current.then_some("page")
                >
                    {*label}
                </a>
            }
        })
        .collect_view();
    view! {
        <Page title=shop.name title_id="shop-name" subtitle=subtitle>
            <nav class="p-chips" aria-label="Range">{range_links}</nav>
            <div class="p-kpis">
                <Kpi label="Customers" value=customers id="kpi-customers" note=None/>
                <Kpi
                    label="Revenue, net of refunds"
                    value=revenue
                    id="kpi-revenue"
                    note=revenue_change
                />
                <Kpi
                    label="New customers (30 days)"
                    value=new_customers
                    id="kpi-new"
                    note=None
                />
                <Kpi
                    label="Automation emails (30 days)"
                    value=emails
                    id="kpi-emails"
                    note=None
                />
            </div>
            <Layout>
                <LayoutSection>
                    <Card title="Revenue" id="revenue-card">
                        <RevenueChart series=d.revenue.clone()/>
                    </Card>
                    <Card title="Churn alerts" id="churn-alerts">
                        <ChurnAlerts alerts=d.churn_alerts.clone()/>
                    </Card>
                </LayoutSection>
                <LayoutSection one_third=true>
                    <Card title="Segments" id="segments-card">
                        <SegmentChart segments=d.segments.clone()/>
                    </Card>
                    <Card title="Recent activity" id="activity">
                        <Activity items=d.activity.clone()/>
                    </Card>
                </LayoutSection>
            </Layout>
        </Page>
    }
    .into_any()
}

fn customer_link(id: String, name: Option<String>) -> impl IntoView + use<> {
    let label = name.unwrap_or_else(|| "A customer".to_string());
    view! { <a href=location::app_href(&format!("/customers/{id}"))>{label}</a> }
}

#[component]
fn ChurnAlerts(alerts: Vec<SegmentChange>) -> impl IntoView {
    if alerts.is_empty() {
        return view! {
            <p class="p-text-secondary" id="churn-empty">
                "No customer slipped into At risk, Hibernating or Lost in the last 7 days."
            </p>
        }
        .into_any();
    }
    let items = alerts
        .into_iter()
        .map(|a| {
            view! {
                <li class="p-alert">
                    <div class="p-alert__head">
                        {customer_link(a.customer_id.clone(), a.customer_name.clone())}
                        <Badge tone=Tone::Warning>{format!("{} → {}", a.from_label, a.to_label)}</Badge>
                        <span class="p-text-secondary">{money(&a.value)}" spent"</span>
                    </div>
                    <p class="p-text-secondary">{a.reason}</p>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="p-alerts">{items}</ul> }.into_any()
}

#[component]
fn Activity(items: Vec<ActivityItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="p-text-secondary">"Orders and segment changes appear here."</p> }
            .into_any();
    }
    let rows = items
        .into_iter()
        .map(|a| {
            let what = match a.kind.as_str() {
                "ORDER" => format!("Order {}", a.title),
                "REFUND" => format!("Refund on {}", a.title),
                _ => format!("Segment {}", a.title.replace('_', " ")),
            };
            view! {
                <li class="p-feed__item">
                    <span>{what}</span>
                    {a.amount.as_ref().map(money)}
                    {a.customer_id.clone().map(|id| customer_link(id, a.customer_name.clone()))}
                    <span class="p-text-secondary">{format::date_time(&a.at)}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="p-feed">{rows}</ul> }.into_any()
}
