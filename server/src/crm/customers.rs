//! The customer store the CRM pages read: the filtered, sorted, cursor-paged list with segment
//! counts, one customer's profile, their orders and their segment history. Every query goes
//! through the shop-scoped handle.

use chrono::{DateTime, Utc};

use crate::db::{Backend, ShopDb};

/// How the list is ordered (always newest-id last as the tie-break, so pages never overlap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Total spent net of refunds, highest first.
    Spent,
    /// Orders placed, most first.
    Orders,
    /// Last order, most recent first (customers without orders last).
    LastOrder,
    /// Likeliest to churn first: the lowest predicted chance of an order within a year, from
    /// the purchase models (customers without a prediction last).
    ChurnRisk,
}

impl Sort {
    /// The stable name (the GraphQL enum's), as carried in export tickets.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Spent => "SPENT",
            Sort::Orders => "ORDERS",
            Sort::LastOrder => "LAST_ORDER",
            Sort::ChurnRisk => "CHURN_RISK",
        }
    }

    /// The sort named by [`Sort::as_str`].
    pub fn parse(name: &str) -> Option<Sort> {
        [Sort::Spent, Sort::Orders, Sort::LastOrder, Sort::ChurnRisk]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    /// The integer sort key, highest first; never NULL so keyset pages work on both engines.
    fn key(self, backend: Backend) -> &'static str {
        match (self, backend) {
            (Sort::Spent, _) => "c.total_spent",
            (Sort::Orders, _) => "c.orders_count",
            (Sort::LastOrder, Backend::Sqlite) => {
                "coalesce(cast(strftime('%s', c.last_order_at) as integer), 0)"
            }
            (Sort::LastOrder, Backend::Postgres) => {
                "coalesce(cast(extract(epoch from c.last_order_at) as bigint), 0)"
            }
            // Parts per million of churn risk (1 − P(order within 365 days)), an integer so
            // the keyset cursor stays exact; no prediction ranks last.
            (Sort::ChurnRisk, _) => {
                "coalesce(cast(round((1.0 - p.probability_order_365d) * 1000000) as bigint), -1)"
            }
        }
    }
}

/// A position in the list: the last row's sort key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    /// `key:id`, opaque to clients.
    pub fn encode(self) -> String {
        format!("{}:{}", self.key, self.id)
    }

    /// Parses a cursor this server handed out.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (key, id) = text.split_once(':')?;
        Some(Cursor {
            key: key.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// What the list shows filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A segment's stored name (`at_risk`).
    pub segment: Option<String>,
    /// Words matched against name and email (case-insensitive).
    pub query: Option<String>,
}

/// One row of the list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub orders_count: i64,
    pub total_spent: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    pub segment: String,
    pub r_score: Option<i64>,
    pub f_score: Option<i64>,
    pub m_score: Option<i64>,
    pub sort_key: i64,
}

const COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.orders_count, \
    c.total_spent, c.last_order_at, c.segment, cast(c.r_score as bigint) as r_score, \
    cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score";

/// The searched text of a customer: the expression PostgreSQL's trigram index is built on
/// (migration 0015); SQLite keeps the same text in its FTS5 table.
const SEARCH_TEXT: &str = "lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') \
    || ' ' || coalesce(c.email, ''))";

/// The `where` of a filter, binding from `$2`; returns the clause and its arguments. Each search
/// word must appear somewhere in the name or email. LIKE's wildcards are dropped from words
/// rather than escaped: an ESCAPE clause would keep SQLite's FTS5 from using its index.
fn conditions(filter: &Filter, backend: Backend) -> (String, Vec<String>) {
    let mut sql = String::from("c.shop_id = $1 and c.deleted_at is null");
    let mut args = Vec::new();
    if let Some(segment) = &filter.segment {
        args.push(segment.clone());
        sql.push_str(&format!(" and c.segment = ${}", args.len() + 1));
    }
    let words = filter.query.as_deref().unwrap_or("").split_whitespace();
    for word in words.take(5) {
        let word: String = word
            .to_lowercase()
            .chars()
            .filter(|ch| !matches!(ch, '%' | '_' | '\\'))
            .collect();
        if word.is_empty() {
            continue;
        }
        args.push(format!("%{word}%"));
        let n = args.len() + 1;
        match backend {
            Backend::Postgres => sql.push_str(&format!(" and {SEARCH_TEXT} like ${n}")),
            Backend::Sqlite => sql.push_str(&format!(
                " and c.rowid in (select rowid from customers_search where text like ${n})"
            )),
        }
    }
    (sql, args)
}

/// One page of the list after `after`, `first` rows (plus whether more follow).
pub async fn page(
    db: &ShopDb,
    filter: &Filter,
    sort: Sort,
    first: i64,
    after: Option<Cursor>,
) -> sqlx::Result<(Vec<Row>, bool)> {
    let key = sort.key(db.backend());
    let (mut clause, args) = conditions(filter, db.backend());
    if after.is_some() {
        let k = args.len() + 2;
        clause.push_str(&format!(
            " and ({key} < ${k} or ({key} = ${k} and c.id < ${}))",
            k + 1
        ));
    }
    // Only the churn sort needs the predictions.
    let join = if sort == Sort::ChurnRisk {
        " left join customer_predictions p on p.shop_id = c.shop_id and p.customer_id = c.id"
    } else {
        ""
    };
    let sql = format!(
        "select {COLUMNS}, {key} as sort_key from customers c{join} where {clause} \
         order by sort_key desc, c.id desc limit {}",
        first + 1
    );
    let mut q = db.query(&sql);
    for a in args {
        q = q.bind(a);
    }
    if let Some(c) = after {
        q = q.bind(c.key).bind(c.id);
    }
    let mut rows: Vec<Row> = q.fetch_all().await?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    Ok((rows, more))
}

/// Customers matching the filter (the list's total).
pub async fn count(db: &ShopDb, filter: &Filter) -> sqlx::Result<i64> {
    let (clause, args) = conditions(filter, db.backend());
    let sql = format!("select count(*) from customers c where {clause}");
    let mut q = db.query(&sql);
    for a in args {
        q = q.bind(a);
    }
    let (n,): (i64,) = q.fetch_one().await?;
    Ok(n)
}

/// Customers per segment for the search (the filter chips); segments with none are absent.
pub async fn segment_counts(db: &ShopDb, query: Option<&str>) -> sqlx::Result<Vec<(String, i64)>> {
    let filter = Filter {
        segment: None,
        query: query.map(str::to_string),
    };
    let (clause, args) = conditions(&filter, db.backend());
    let sql =
        format!("select c.segment, count(*) from customers c where {clause} group by c.segment");
    let mut q = db.query(&sql);
    for a in args {
        q = q.bind(a);
    }
    q.fetch_all().await
}

/// One customer's profile row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Profile {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub state: String,
    pub tags: String,
    pub locale: Option<String>,
    pub email_marketing_state: Option<String>,
    pub sms_marketing_state: Option<String>,
    pub default_address: Option<String>,
    pub orders_count: i64,
    pub total_spent: i64,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub segment: String,
    pub segment_since: Option<DateTime<Utc>>,
    pub r_score: Option<i64>,
    pub f_score: Option<i64>,
    pub m_score: Option<i64>,
    pub redacted_at: Option<DateTime<Utc>>,
}

/// A customer of this shop (deleted ones included: their history stays readable).
pub async fn profile(db: &ShopDb, id: i64) -> sqlx::Result<Option<Profile>> {
    db.query(
        "select c.id, c.first_name, c.last_name, c.email, c.phone, c.state, c.tags, c.locale, \
           c.email_marketing_state, c.sms_marketing_state, c.default_address, c.orders_count, \
           c.total_spent, c.first_order_at, c.last_order_at, c.created_at, c.segment, \
           c.segment_since, cast(c.r_score as bigint) as r_score, \
           cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score, \
           c.redacted_at \
         from customers c where c.shop_id = $1 and c.id = $2",
    )
    .bind(id)
    .fetch_optional()
    .await
}

/// An order on a customer's timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub name: String,
    pub currency: String,
    pub total_price: i64,
    pub refunded: i64,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub line_items: String,
    pub created_at: DateTime<Utc>,
}

const ORDER_COLUMNS: &str = "o.id, o.customer_id, o.name, o.currency, o.total_price, \
    cast(coalesce((select sum(r.amount) from refunds r \
      where r.shop_id = $1 and r.order_id = o.id), 0) as bigint) as refunded, \
    o.financial_status, o.fulfillment_status, o.cancelled_at, o.line_items, o.created_at";

/// Several customers' orders in one query, newest first, at most `limit` each.
pub async fn orders_of(db: &ShopDb, ids: &[i64], limit: i64) -> sqlx::Result<Vec<OrderRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select * from (select {ORDER_COLUMNS}, row_number() over (partition by o.customer_id \
           order by o.created_at desc, o.id desc) as nth \
         from orders o where o.shop_id = $1 and o.customer_id in ({})) t \
         where nth <= {limit} order by customer_id, created_at desc, id desc",
        crate::db::placeholders(2, ids.len())
    );
    db.query(&sql)
        .bind_all(ids.iter().copied())
        .fetch_all()
        .await
}

/// A recorded change of segment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub customer_id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub total_spent: i64,
    pub from_segment: String,
    pub to_segment: String,
    pub changed_at: DateTime<Utc>,
    pub reason: String,
}

const CHANGES: &str = "select s.customer_id, c.first_name, c.last_name, \
    coalesce(c.total_spent, 0) as total_spent, s.from_segment, s.to_segment, s.changed_at, \
    s.reason from segment_changes s \
    left join customers c on c.shop_id = s.shop_id and c.id = s.customer_id \
    where s.shop_id = $1";

/// Several customers' whole segment histories in one query, newest first, at most `limit` each.
pub async fn histories_of(db: &ShopDb, ids: &[i64], limit: i64) -> sqlx::Result<Vec<ChangeRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select * from (select s.customer_id, c.first_name, c.last_name, \
           coalesce(c.total_spent, 0) as total_spent, s.from_segment, s.to_segment, \
           s.changed_at, s.reason, s.id, row_number() over (partition by s.customer_id \
             order by s.changed_at desc, s.id desc) as nth \
         from segment_changes s \
         left join customers c on c.shop_id = s.shop_id and c.id = s.customer_id \
         where s.shop_id = $1 and s.customer_id in ({})) t \
         where nth <= {limit} order by customer_id, changed_at desc, id desc",
        crate::db::placeholders(2, ids.len())
    );
    db.query(&sql)
        .bind_all(ids.iter().copied())
        .fetch_all()
        .await
}

/// Segment changes since an instant, newest first (`customer` narrows to one customer).
pub async fn segment_changes(
    db: &ShopDb,
    since: DateTime<Utc>,
    customer: Option<i64>,
    to: Option<&[&str]>,
    limit: i64,
) -> sqlx::Result<Vec<ChangeRow>> {
    let mut sql = format!("{CHANGES} and s.changed_at >= $2");
    if customer.is_some() {
        sql.push_str(" and s.customer_id = $3");
    }
    if let Some(to) = to {
        let list: Vec<String> = to
            .iter()
            .filter(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .map(|s| format!("'{s}'"))
            .collect();
        if !list.is_empty() {
            sql.push_str(&format!(" and s.to_segment in ({})", list.join(", ")));
        }
    }
    sql.push_str(&format!(
        " order by s.changed_at desc, s.id desc limit {limit}"
    ));
    let mut q = db.query(&sql).bind(since);
    if let Some(id) = customer {
        q = q.bind(id);
    }
    q.fetch_all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_rejects_junk() {
        let c = Cursor { key: -5, id: 9 };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        assert_eq!(Cursor::parse("x:1"), None);
        assert_eq!(Cursor::parse("12"), None);
    }

    #[test]
    fn search_words_are_bound_never_spliced_and_lose_their_wildcards() {
        let filter = Filter {
            segment: Some("loyal".into()),
            query: Some("Ann 50% %".into()),
        };
        let (sql, args) = conditions(&filter, Backend::Postgres);
        assert!(sql.contains("c.segment = $2"), "{sql}");
        assert!(sql.contains("like $3") && sql.contains("like $4"), "{sql}");
        assert!(
            !sql.contains("like $5"),
            "a bare wildcard is no word: {sql}"
        );
        assert_eq!(args, vec!["loyal", "%ann%", "%50%"]);
        let (sql, _) = conditions(&filter, Backend::Sqlite);
        assert!(
            sql.contains("from customers_search where text like $3"),
            "{sql}"
        );
    }
}
