//! The customer list: one page, whether more follow, the total and the segment chips' counts.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use shared::Segment;

use super::customer::{CustomerPrediction, prediction_of};
use super::types::{Money, SegmentCount, display_name, label, segment_counts};
use crate::crm::customers::{self, Cursor, Filter, Sort};
use crate::db::ShopDb;
use crate::error::{AppError, GqlResultExt};
use crate::sync::full::shop_currency;

/// How the list is ordered.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerSort {
    /// Total spent, highest first.
    Spent,
    /// Orders, most first.
    Orders,
    /// Last order, newest first.
    LastOrder,
    /// Likeliest to churn first (long since the last order, valuable first).
    ChurnRisk,
}

impl From<CustomerSort> for Sort {
    fn from(s: CustomerSort) -> Sort {
        match s {
            CustomerSort::Spent => Sort::Spent,
            CustomerSort::Orders => Sort::Orders,
            CustomerSort::LastOrder => Sort::LastOrder,
            CustomerSort::ChurnRisk => Sort::ChurnRisk,
        }
    }
}

/// RFM scores 1–5 (absent for prospects).
#[derive(SimpleObject, Clone, Debug)]
pub struct Scores {
    pub recency: i64,
    pub frequency: i64,
    pub monetary: i64,
}

/// Scores when all three are set.
pub fn scores(r: Option<i64>, f: Option<i64>, m: Option<i64>) -> Option<Scores> {
    Some(Scores {
        recency: r?,
        frequency: f?,
        monetary: m?,
    })
}

/// A customer in the list.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct CustomerListItem {
    #[graphql(skip)]
    pub customer_id: i64,
    #[graphql(skip)]
    pub currency: String,
    pub id: ID,
    /// Name, else email, else "Customer <id>".
    pub display_name: String,
    pub email: Option<String>,
    pub orders_count: i64,
    pub total_spent: Money,
    pub last_order_at: Option<DateTime<Utc>>,
    pub segment: String,
    pub segment_label: String,
    pub scores: Option<Scores>,
}

#[async_graphql::ComplexObject]
impl CustomerListItem {
    /// The purchase models' view (churn risk, next order, CLV); one query for the whole page.
    async fn prediction(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<CustomerPrediction>> {
        prediction_of(ctx, self.customer_id, &self.currency).await
    }
}

/// Where a page ends.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A page of customers.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct CustomerConnection {
    #[graphql(skip)]
    pub filter: Filter,
    pub nodes: Vec<CustomerListItem>,
    pub page_info: PageInfo,
}

/// The counts are queried only when asked for: a client paging through the list (or the
/// export) does not pay for them on every page.
#[async_graphql::ComplexObject]
impl CustomerConnection {
    /// Customers matching the search and segment.
    async fn total_count(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<i64> {
        let rc = crate::graphql::RequestCtx::of(ctx)?;
        customers::count(&rc.db, &self.filter).await.gql()
    }

    /// Per segment, customers matching the search (for the filter chips).
    async fn segment_counts(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Vec<SegmentCount>> {
        let rc = crate::graphql::RequestCtx::of(ctx)?;
        let counts = customers::segment_counts(&rc.db, self.filter.query.as_deref())
            .await
            .gql()?;
        Ok(segment_counts(&counts))
    }
}

/// Most rows a page may ask for.
const MAX_PAGE: i32 = 100;

pub async fn load(
    db: &ShopDb,
    first: i32,
    after: Option<String>,
    query: Option<String>,
    segment: Option<String>,
    sort: CustomerSort,
) -> async_graphql::Result<CustomerConnection> {
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(AppError::BadRequest(format!(
            "first must be between 1 and {MAX_PAGE}"
        )))
        .gql();
    }
    let after = match after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            Cursor::parse(text)
                .ok_or_else(|| AppError::BadRequest("after is not a cursor from this list".into()))
                .gql()?,
        ),
    };
    let filter = parse_filter(query, segment).gql()?;
    let currency = shop_currency(db).await.gql()?;
    let (rows, more) = customers::page(db, &filter, sort.into(), i64::from(first), after)
        .await
        .gql()?;
    let end_cursor = rows.last().map(|r| {
        Cursor {
            key: r.sort_key,
            id: r.id,
        }
        .encode()
    });
    Ok(CustomerConnection {
        filter,
        nodes: rows
            .into_iter()
            .map(|r| CustomerListItem {
                customer_id: r.id,
                currency: currency.clone(),
                id: ID(r.id.to_string()),
                display_name: display_name(r.first_name, r.last_name, r.email.as_deref())
                    .unwrap_or_else(|| format!("Customer {}", r.id)),
                email: r.email,
                orders_count: r.orders_count,
                total_spent: Money::of(r.total_spent, &currency),
                last_order_at: r.last_order_at,
                segment_label: label(&r.segment),
                segment: r.segment,
                scores: scores(r.r_score, r.f_score, r.m_score),
            })
            .collect(),
        page_info: PageInfo {
            has_next_page: more,
            end_cursor,
        },
    })
}

/// The list's filter from its arguments: a known segment name and a search of at most 200
/// characters (blank means none). Shared by the list and its CSV export.
pub fn parse_filter(query: Option<String>, segment: Option<String>) -> Result<Filter, AppError> {
    let segment = match segment.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            name.parse::<Segment>()
                .map_err(|e| AppError::BadRequest(e.to_string()))?
                .as_str()
                .to_string(),
        ),
    };
    let query = query.filter(|q| !q.trim().is_empty());
    if query.as_deref().is_some_and(|q| q.len() > 200) {
        return Err(AppError::BadRequest(
            "query is longer than 200 characters".into(),
        ));
    }
    Ok(Filter { segment, query })
}
