//! Customers (`/customers`): every customer with orders, spend, last order and segment; segment
//! chips with counts, search by name or email, sort, and pages. The whole view lives in the URL
//! (`?q=&segment=&sort=&after=`), so it can be bookmarked and shared. `/customers/:id` is the
//! customer 360 (`profile.rs`).

mod profile;

pub use profile::CustomerProfile;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{Heading, with_data};
use crate::api::crm::{self, CustomerPage, ListQuery};
use crate::components::{
    Action, Badge, Button, ButtonVariant, Card, DataTable, EmptyState, Page, Tone,
};
use crate::{bridge, format, location};

/// The sorts the merchant can pick.
const SORTS: [(&str, &str); 4] = [
    ("SPENT", "Total spent"),
    ("ORDERS", "Orders"),
    ("LAST_ORDER", "Last order"),
    ("CHURN_RISK", "Churn risk"),
];

/// The badge tone of a segment.
pub fn segment_tone(segment: &str) -> Tone {
    match segment {
        "champion" | "loyal" => Tone::Success,
        "potential" | "new" => Tone::Info,
        "at_risk" => Tone::Warning,
        "hibernating" | "lost" => Tone::Critical,
        _ => Tone::Neutral,
    }
}

/// The list's link with some parameters changed (a new filter starts from the first page).
fn href(q: &ListQuery, segment: &str, sort: &str, after: &str) -> String {
    location::app_href_with(
        "/customers",
        &[
            ("q", &q.search),
            ("segment", segment),
            ("sort", sort),
            ("after", after),
        ],
    )
}

/// The customers page.
#[component]
pub fn Customers() -> impl IntoView {
    bridge::set_title("Customers");
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        ListQuery {
            search: p.get("q").unwrap_or_default(),
            segment: p.get("segment").unwrap_or_default(),
            sort: p.get("sort").unwrap_or_default(),
            after: p.get("after").unwrap_or_default(),
        }
    });
    let page = LocalResource::new(move || crm::customers(query.get()));
    let heading = Heading {
        title: "Customers",
        from_data: false,
    };
    view! {
        <div id="page-customers">
            {with_data(heading, page, move |p: CustomerPage| {
                view! { <List page=p q=query.get_untracked()/> }
            })}
        </div>
    }
}

#[component]
fn List(page: CustomerPage, q: ListQuery) -> impl IntoView {
    let navigate = use_navigate();
    let all: i64 = page.segment_counts.iter().map(|s| s.count).sum();
    let chips = {
        let mut chips = vec![
            view! {
                <a
                    class="p-chip"
                    class:p-chip--selected=q.segment.is_empty()
                    href=href(&q, "", &q.sort, "")
                    data-segment=""
                >
                    {format!("All {}", format::number(all.max(0) as u64))}
                </a>
            }
            .into_any(),
        ];
        for s in &page.segment_counts {
            chips.push(
                view! {
                    <a
                        class="p-chip"
                        class:p-chip--selected=q.segment == s.segment
                        href=href(&q, &s.segment, &q.sort, "")
                        data-segment=s.segment.clone()
                    >
                        {format!("{} {}", s.label, format::number(s.count.max(0) as u64))}
                    </a>
                }
                .into_any(),
            );
        }
        chips.collect_view()
    };
    let search_q = q.clone();
    let nav = navigate.clone();
    let search_box: NodeRef<leptos::html::Input> = NodeRef::new();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = search_box
            .get()
            .map(|input| input.value())
            .unwrap_or_default();
        let next = ListQuery {
            search: value,
            ..search_q.clone()
        };
        nav(
            &href(&next, &next.segment, &next.sort, ""),
            Default::default(),
        );
    };
    let sort_q = q.clone();
    let on_sort = move |ev: leptos::ev::Event| {
        let sort = event_target_value(&ev);
        navigate(
            &href(&sort_q, &sort_q.segment, &sort, ""),
            Default::default(),
        );
    };
    let sort_options = SORTS
        .iter()
        .map(|(key, label)| {
            let selected = q.sort == *key || (q.sort.is_empty() && *key == "SPENT");
            view! { <option value=*key selected=selected>{*label}</option> }
        })
        .collect_view();
    let export = export_button(q.clone(), page.total_count);
    let table = if page.nodes.is_empty() {
        let (heading, text) = if all == 0 && q.search.is_empty() {
            (
                "Your customers will appear here",
                "After the first sync of your Shopify customers and orders, each customer is \
                 listed here with their orders, total spent and segment.",
            )
        } else {
            ("No customers match", "Try another search or segment.")
        };
        view! {
            <EmptyState heading=heading id="customers-empty">
                <p>{text}</p>
            </EmptyState>
        }
        .into_any()
    } else {
        let rows = page
            .nodes
            .clone()
            .into_iter()
            .map(|c| {
                vec![
                    view! {
                        <a class="p-customer-link" href=location::app_href(&format!("/customers/{}", c.id))>
                            {c.display_name.clone()}
                        </a>
                    }
                    .into_any(),
                    c.email.clone().unwrap_or_default().into_any(),
                    view! { <Badge tone=segment_tone(&c.segment)>{c.segment_label}</Badge> }
                        .into_any(),
                    format::number(c.orders_count.max(0) as u64).into_any(),
                    format::money(&c.total_spent.amount, &c.total_spent.currency_code).into_any(),
                    c.last_order_at
                        .as_deref()
                        .map(format::date)
                        .unwrap_or_else(|| "—".into())
                        .into_any(),
                ]
            })
            .collect();
        view! {
            <DataTable
                headings=vec![
                    "Customer".into(),
                    "Email".into(),
                    "Segment".into(),
                    "Orders".into(),
                    "Spent".into(),
                    "Last order".into(),
                ]
                rows=rows
                numeric=vec![false, false, false, true, true, false]
                caption="Customers"
            />
        }
        .into_any()
    };
    let next = page
        .page_info
        .end_cursor
        .clone()
        .filter(|_| page.page_info.has_next_page)
        .map(|cursor| Action::link("Next page", href(&q, &q.segment, &q.sort, &cursor)));
    let first = (!q.after.is_empty())
        .then(|| Action::link("First page", href(&q, &q.segment, &q.sort, "")));
    view! {
        <Page title="Customers" subtitle=format!("{} matching", format::number(page.total_count.max(0) as u64))>
            <nav class="p-chips" aria-label="Segments" id="segment-chips">{chips}</nav>
            <Card>
                <div class="p-filters">
                    <form class="p-search" role="search" on:submit=on_search>
                        <input
                            class="p-input"
                            type="search"
                            name="q"
                            id="customer-search"
                            placeholder="Search by name or email"
                            value=q.search.clone()
                            aria-label="Search customers"
                            node_ref=search_box
                        />
                    </form>
                    <label class="p-sort">
                        "Sort by "
                        <select class="p-select" id="customer-sort" on:change=on_sort>{sort_options}</select>
                    </label>
                    {export}
                </div>
                {table}
                <div class="p-pagination">
                    {first.map(|a| a.into_button(ButtonVariant::Secondary))}
                    {next.map(|a| a.into_button(ButtonVariant::Secondary))}
                </div>
            </Card>
        </Page>
    }
}

/// "Export CSV": asks for a download link of the whole filtered list and follows it; the
/// server answers with an attachment, so the page stays where it is.
fn export_button(q: ListQuery, total: i64) -> impl IntoView {
    let busy = RwSignal::new(false);
    let toast = crate::components::use_toast();
    let on_click = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let q = q.clone();
        leptos::task::spawn_local(async move {
            match crm::export_customers(&q).await {
                Ok(url) => {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().set_href(&url);
                    }
                    toast.show(format!(
                        "Exporting {} customers",
                        format::number(total.max(0) as u64)
                    ));
                }
                Err(e) => toast.show_error(format!("Export failed: {e}")),
            }
            busy.set(false);
        });
    });
    view! {
        <Button id="export-csv" on_click=on_click disabled=Signal::derive(move || busy.get() || total == 0)>
            "Export CSV"
        </Button>
    }
}
