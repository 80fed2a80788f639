//! `GET /exports/customers.csv?ticket=…`: the customer list as a streamed CSV download, for a
//! ticket made by the `exportCustomers` mutation (the ticket names the shop, filter and sort).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::HttpState;
use crate::crm::export::{self, Ticket, TicketError};
use crate::error::AppError;
use crate::shopify::shops;
use crate::sync::full::shop_currency;

/// Streams the export, or a 4xx saying why not.
pub async fn customers_csv(
    State(s): State<HttpState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    match start(&s, params.get("ticket").map(String::as_str)).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn start(s: &HttpState, ticket: Option<&str>) -> Result<Response, AppError> {
    let ticket = ticket.ok_or_else(|| AppError::BadRequest("ticket is missing".into()))?;
    let now = s.app.clock.now();
    let ticket = Ticket::open(ticket, &s.app.cipher, now).map_err(|e| match e {
        TicketError::Invalid => AppError::Forbidden("this export link is not valid".into()),
        TicketError::Expired => {
            AppError::Gone("this export link has expired; export the list again".into())
        }
    })?;
    let shop = shops::find_by_id(&s.app.db, ticket.shop_id())
        .await?
        .filter(|shop| shop.uninstalled_at.is_none())
        .ok_or(AppError::NotFound)?;
    let db = shop.db(&s.app.db);
    let currency = shop_currency(&db).await?;
    let name = export::file_name(ticket.segment.as_deref(), now.date_naive());
    let body = Body::from_stream(export::stream(db, ticket.filter(), ticket.sort(), currency));
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    // The name is built from a known segment and a date, so it needs no escaping.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}
