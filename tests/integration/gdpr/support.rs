//! Helpers for the compliance tests: two distinct customers and their payloads (built from the
//! official fixtures), signed deliveries, and scans driven by the database catalog, so a table
//! or column added later is scanned without editing the tests.

use ecomcrm::db::{Backend, Db};
use ecomcrm_tests::sim::WebhookDelivery;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

/// A customer with personal data that appears nowhere else in the fixtures.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub id: i64,
    pub order_id: i64,
    pub first: &'static str,
    pub last: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub address1: &'static str,
}

pub const X: Person = Person {
    id: 706_405_506_930_370_001,
    order_id: 820_982_911_946_150_001,
    first: "Xavieroo",
    last: "Quillfeather",
    email: "xavier.quill@example.com",
    phone: "+16135550142",
    address1: "17 Xenonfield Way",
};

pub const Y: Person = Person {
    id: 706_405_506_930_370_002,
    order_id: 820_982_911_946_150_002,
    first: "Yolandae",
    last: "Brightwater",
    email: "yolanda.bright@example.org",
    phone: "+14165550199",
    address1: "42 Yewtree Crescent",
};

impl Person {
    /// The strings the scans look for: email, names, phone and address.
    pub fn personal_data(&self) -> [&'static str; 5] {
        [self.email, self.first, self.last, self.phone, self.address1]
    }

    fn address(&self) -> Value {
        json!({
            "customer_id": self.id, "first_name": self.first, "last_name": self.last,
            "name": format!("{} {}", self.first, self.last), "address1": self.address1,
            "city": "Ottawa", "country": "CA", "zip": "K2P 2L8", "phone": self.phone
        })
    }

    fn customer(&self) -> Value {
        json!({
            "id": self.id, "first_name": self.first, "last_name": self.last,
            "email": self.email, "phone": self.phone,
            "admin_graphql_api_id": format!("gid://shopify/Customer/{}", self.id),
            "default_address": self.address(), "addresses": [self.address()]
        })
    }

    /// A `customers/create` body: the official example with this person's data.
    pub fn customers_create(&self) -> Vec<u8> {
        let mut v: Value =
            serde_json::from_str(include_str!("../../fixtures/shopify/customers_create.json"))
                .unwrap();
        merge(&mut v, self.customer());
        v.to_string().into_bytes()
    }

    /// An `orders/create` body: the official example bought by this person.
    pub fn orders_create(&self) -> Vec<u8> {
        let mut v: Value =
            serde_json::from_str(include_str!("../../fixtures/shopify/orders_create.json"))
                .unwrap();
        merge(
            &mut v,
            json!({
                "id": self.order_id,
                "admin_graphql_api_id": format!("gid://shopify/Order/{}", self.order_id),
                "email": self.email, "contact_email": self.email, "phone": self.phone,
                "customer": self.customer(),
                "billing_address": self.address(), "shipping_address": self.address()
            }),
        );
        v.to_string().into_bytes()
    }

    /// A `customers/redact` body for this person and their order.
    pub fn redact(&self, shopify_shop_id: i64, shop: &str) -> Vec<u8> {
        json!({
            "shop_id": shopify_shop_id, "shop_domain": shop,
            "customer": { "id": self.id, "email": self.email, "phone": self.phone },
            "orders_to_redact": [self.order_id]
        })
        .to_string()
        .into_bytes()
    }

    /// A `customers/data_request` body for this person and their order.
    pub fn data_request(&self, shop: &str) -> Vec<u8> {
        json!({
            "shop_id": 954_889, "shop_domain": shop,
            "customer": { "id": self.id, "email": self.email, "phone": self.phone },
            "orders_requested": [self.order_id], "data_request": { "id": 9999 }
        })
        .to_string()
        .into_bytes()
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(obj), Value::Object(from)) = (into.as_object_mut(), from) {
        obj.extend(from);
    }
}

/// A shop that opened the app once (installed, with a token).
pub async fn installed_shop(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, "Privacy Shop").await;
    let res = app.graphql(&shop, "{ shop { name } }", json!({})).await;
    assert_eq!(res.status(), 200);
    shop
}

/// Sends a signed delivery as Shopify would, asserting the 200.
pub async fn send(app: &TestApp, shop: &str, topic: &str, body: Vec<u8>) {
    let d = WebhookDelivery::new(
        shop,
        topic,
        body,
        shared::SHOPIFY_API_VERSION,
        chrono::Utc::now(),
    );
    let out = app.sim.deliver(&d).await.expect("delivery sent");
    assert_eq!(out.status, 200, "{topic}");
}

/// A shop with X's and Y's customer and order deliveries processed.
pub async fn shop_with_customers(app: &TestApp, handle: &str) -> String {
    let shop = installed_shop(app, handle).await;
    for p in [X, Y] {
        send(app, &shop, "customers/create", p.customers_create()).await;
        send(app, &shop, "orders/create", p.orders_create()).await;
    }
    let stats = app.run_jobs().await;
    assert_eq!(stats.dead, 0);
    shop
}

/// Every (table, column) of the database, from its catalog.
pub async fn all_columns(db: &Db) -> Vec<(String, String)> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p \
             where m.type = 'table' and m.name not like 'sqlite_%' order by 1, 2"
        }
        Backend::Postgres => {
            "select table_name::text, column_name::text from information_schema.columns \
             where table_schema = current_schema() order by 1, 2"
        }
    };
    db.query(sql).fetch_all().await.expect("catalog")
}

/// Every table of the database that has a `shop_id` column, from its catalog.
pub async fn tables_with_shop_id(db: &Db) -> Vec<String> {
    all_columns(db)
        .await
        .into_iter()
        .filter(|(_, c)| c == "shop_id")
        .map(|(t, _)| t)
        .collect()
}

/// Where `needle` occurs (case-insensitively) in any column of any table, as `table.column`.
/// Every column is read as text, so text and JSON columns (and anything else) are covered.
pub async fn find_text(db: &Db, needle: &str) -> Vec<String> {
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut hits = Vec::new();
    for (table, column) in all_columns(db).await {
        let sql = format!(
            "select cast(count(*) as bigint) from \"{table}\" \
             where lower(cast(\"{column}\" as text)) like $1"
        );
        let (n,): (i64,) = db
            .query(&sql)
            .bind(pattern.as_str())
            .fetch_one()
            .await
            .expect("scan");
        if n > 0 {
            hits.push(format!("{table}.{column}"));
        }
    }
    hits
}

/// Rows carrying `shop_id` in each catalog table that has the column (jobs counted only while
/// pending: finished job rows are the queue's history, pruned by it).
pub async fn rows_of_shop(db: &Db, shop_id: i64) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in tables_with_shop_id(db).await {
        let only_pending = if table == "jobs" {
            " and state = 'pending'"
        } else {
            ""
        };
        let sql = format!(
            "select cast(count(*) as bigint) from \"{table}\" where shop_id = $1{only_pending}"
        );
        let (n,): (i64,) = db
            .query(&sql)
            .bind(shop_id)
            .fetch_one()
            .await
            .expect("count");
        out.push((table, n));
    }
    out
}

/// The audit status of the (single) compliance request of `topic`.
pub async fn compliance_status(db: &Db, topic: &str) -> String {
    let (status,): (String,) = db
        .query("select status from compliance_requests where topic = $1")
        .bind(topic)
        .fetch_one()
        .await
        .expect("one compliance request");
    status
}
