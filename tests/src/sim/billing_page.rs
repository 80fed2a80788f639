//! The merchant's side of a charge: the page `confirmationUrl` points at, shaped like Shopify's
//! approve-charge screen, with an Approve and a Decline form (SHOPIFY.md §8.2).
//!
//! - `GET  /shops/{shop}/admin/charges/{N}/confirm` — the page
//! - `POST /shops/{shop}/admin/charges/{N}/confirm/approve` — ACTIVE (replacing the shop's other
//!   ACTIVE subscription), then 303 to the return URL with `charge_id=N`
//! - `POST /shops/{shop}/admin/charges/{N}/confirm/decline` — DECLINED, then 303 to the return URL
//!   with `charge_id=N`
//!
//! A charge that is not PENDING (any more) answers 409 with a page saying so and changes nothing.
//! The `app_subscriptions/update` deliveries are sent before the redirect, outside the shop lock;
//! a failed delivery is only logged.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::billing::{self, Pricing, SimAppSubscription, StatusChangeError};
use super::state::SimState;
use super::web::with_detail;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',sans-serif;background:#f1f1f1;margin:0;padding:40px}}\
main{{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.15)}}\
h1{{font-size:20px}}.price{{font-size:24px;font-weight:600}}.note{{background:#fff4e5;padding:8px 12px;border-radius:8px}}\
.actions{{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}}form{{margin:0}}\
button{{padding:8px 16px;border-radius:8px;border:1px solid #ccc;background:#fff;cursor:pointer}}\
button#approve{{background:#303030;color:#fff;border-color:#303030}}</style></head>\
<body><main>{body}</main></body></html>",
        title = escape(title),
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn not_found_page(shop: &str, number: u64) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "404 - Charge not found",
        &format!(
            "<h1>Charge not found</h1><p>There is no charge {number} on {}.</p>",
            escape(shop)
        ),
    )
}

fn conflict_page(number: u64, status: &str) -> Response {
    page(
        StatusCode::CONFLICT,
        "409 - Charge can no longer be changed",
        &format!(
            "<h1>This charge can no longer be approved or declined</h1>\
<p id=\"charge-status\">Charge {number} is {status}; only a pending charge can be approved or declined.</p>",
            status = escape(status),
        ),
    )
}

fn money(amount: &billing::Money) -> String {
    format!("${} {}", amount.amount.cents(), amount.currency_code)
}

fn details(app_name: &str, shop_name: &str, sub: &SimAppSubscription, path: &str) -> String {
    let mut html = format!(
        "<h1>Approve subscription</h1><p><strong id=\"app-name\">{}</strong> would like to charge \
<strong>{}</strong> for:</p><h2 id=\"plan-name\">{}</h2>",
        escape(app_name),
        escape(shop_name),
        escape(&sub.name),
    );
    for item in &sub.line_items {
        match &item.pricing {
            Pricing::Recurring {
                price,
                interval,
                discount,
            } => {
                let every = if interval == "ANNUAL" {
                    "per year"
                } else {
                    "every 30 days"
                };
                html.push_str(&format!(
                    "<p class=\"price\" id=\"price\">{} {every}</p>",
                    escape(&money(price))
                ));
                if let Some(discount) = discount {
                    let off = match (discount.amount, discount.percentage) {
                        (Some(amount), _) => format!("${} off", amount.cents()),
                        (None, Some(percentage)) => format!("{}% off", percentage * 100.0),
                        (None, None) => "Discount".into(),
                    };
                    let duration = discount
                        .duration_limit_in_intervals
                        .map_or_else(String::new, |n| format!(" for {n} billing cycles"));
                    html.push_str(&format!(
                        "<p id=\"discount\">{}{}</p>",
                        escape(&off),
                        escape(&duration)
                    ));
                }
            }
            Pricing::Usage {
                capped_amount,
                terms,
                ..
            } => html.push_str(&format!(
                "<p id=\"usage-terms\">Usage charges: {}</p>\
<p id=\"usage-cap\">Usage charges are capped at {} every 30 days</p>",
                escape(terms),
                escape(&money(capped_amount)),
            )),
        }
    }
    if sub.trial_days > 0 {
        html.push_str(&format!(
            "<p id=\"trial\">{}-day free trial</p>",
            sub.trial_days
        ));
    }
    if sub.test {
        html.push_str(
            "<p class=\"note\" id=\"test-charge\">Test charge: this is a test charge and you \
won't be billed.</p>",
        );
    }
    html.push_str(&format!(
        "<div class=\"actions\"><form method=\"post\" action=\"{path}/decline\">\
<button type=\"submit\" id=\"decline\">Decline</button></form>\
<form method=\"post\" action=\"{path}/approve\">\
<button type=\"submit\" id=\"approve\">Approve</button></form></div>",
        path = escape(path)
    ));
    html
}

/// `GET /shops/{shop}/admin/charges/{N}/confirm`.
pub async fn confirm(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
) -> Response {
    let now = state.now();
    let found = state.with_shop(&shop, |s| {
        s.billing.expire_stale(s.info.id, now);
        let sub = s.billing.find(number).cloned();
        (s.info.name.clone(), s.info.domain.to_string(), sub)
    });
    // An expired charge is a status change too: tell the app.
    billing::flush(&state, &shop).await;
    let Some((shop_name, domain, Some(sub))) = found else {
        return not_found_page(&shop, number);
    };
    if sub.status != "PENDING" {
        return conflict_page(number, &sub.status);
    }
    let path = billing::confirmation_path(&domain, number);
    let body = details(&state.config.app_name, &shop_name, &sub, &path);
    with_detail(
        page(StatusCode::OK, "Approve subscription", &body),
        json!({"charge": number, "status": sub.status}),
    )
}

/// `POST /shops/{shop}/admin/charges/{N}/confirm/approve`.
pub async fn approve(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
) -> Response {
    decide(state, shop, number, true).await
}

/// `POST /shops/{shop}/admin/charges/{N}/confirm/decline`.
pub async fn decline(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
) -> Response {
    decide(state, shop, number, false).await
}

async fn decide(state: SimState, shop: String, number: u64, approve: bool) -> Response {
    let now = state.now();
    let outcome = state.with_shop(&shop, |s| {
        if approve {
            billing::approve(s, number, now)
        } else {
            billing::decline(s, number, now)
        }
    });
    // After the change and outside the lock; failures are logged by `flush`, never shown here.
    let deliveries = billing::flush(&state, &shop).await;
    let action = if approve { "approve" } else { "decline" };
    match outcome {
        None | Some(Err(StatusChangeError::UnknownSubscription)) => not_found_page(&shop, number),
        Some(Err(StatusChangeError::NotAllowed(status))) => with_detail(
            conflict_page(number, &status),
            json!({"charge": number, "action": action, "refused": status}),
        ),
        Some(Ok(location)) => with_detail(
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, location.clone())],
            )
                .into_response(),
            json!({"charge": number, "action": action, "location": location, "webhooks": deliveries}),
        ),
    }
}
