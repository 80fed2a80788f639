//! Tenant isolation over the whole GraphQL schema: two shops with colliding data; every root
//! query and mutation, discovered from the schema itself (so fields added later are covered
//! without editing this test), is called as shop A with shop B's ids, and nothing of B's may
//! come back. Mutations are called too when the schema has any.

use std::collections::BTreeSet;

use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

const TYPE_REF: &str = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

/// Shop B's markers: its domain, its name, and the customer email only B's data holds.
const B_NAME: &str = "Bravo Isolation Store";
const B_EMAIL: &str = "only-in-shop-b@example.com";

async fn gql(app: &TestApp, shop: &str, query: &str) -> Value {
    app.graphql(shop, query, json!({}))
        .await
        .json()
        .await
        .expect("json")
}

/// The named type at the bottom of a list/non-null wrapper.
fn named(t: &Value) -> (&str, &str) {
    let mut t = t;
    while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
        t = &t["ofType"];
    }
    (
        t["kind"].as_str().unwrap_or(""),
        t["name"].as_str().unwrap_or(""),
    )
}

/// A selection of every field reachable without arguments, two object levels deep.
fn selection(types: &Value, type_name: &str, depth: u32) -> String {
    let Some(t) = types
        .as_array()
        .and_then(|a| a.iter().find(|t| t["name"] == type_name))
    else {
        return String::new();
    };
    let mut out = Vec::new();
    for f in t["fields"].as_array().into_iter().flatten() {
        let required_args = f["args"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["type"]["kind"] == "NON_NULL");
        if required_args {
            continue;
        }
        let (kind, inner) = named(&f["type"]);
        let name = f["name"].as_str().unwrap_or("");
        match kind {
            "SCALAR" | "ENUM" => out.push(name.to_string()),
            "OBJECT" if depth > 0 => {
                let sub = selection(types, inner, depth - 1);
                if !sub.is_empty() {
                    out.push(format!("{name} {{ {sub} }}"));
                }
            }
            _ => {}
        }
    }
    out.join(" ")
}

/// Every id-like value in a response (fields named `id` or ending in `Id`).
fn ids(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if (k == "id" || k.ends_with("Id")) && !x.is_null() {
                    out.insert(x.to_string().trim_matches('"').to_string());
                }
                ids(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| ids(x, out)),
        _ => {}
    }
}

/// Calls for one root field: with no arguments when none are required, and once per B id for
/// each required scalar argument.
fn calls(op: &str, field: &Value, types: &Value, b_ids: &BTreeSet<String>) -> Vec<String> {
    let name = field["name"].as_str().unwrap_or("");
    let (kind, inner) = named(&field["type"]);
    let sel = if kind == "OBJECT" {
        format!("{{ {} }}", selection(types, inner, 2))
    } else {
        String::new()
    };
    let required: Vec<(&str, &str)> = field["args"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["type"]["kind"] == "NON_NULL")
        .map(|a| (a["name"].as_str().unwrap_or(""), named(&a["type"]).1))
        .collect();
    if required.is_empty() {
        return vec![format!("{op} {{ {name} {sel} }}")];
    }
    let mut out = Vec::new();
    for id in b_ids {
        let args: Vec<String> = required
            .iter()
            .map(|(arg, ty)| match *ty {
                "Int" => format!("{arg}: {}", id.parse::<i64>().unwrap_or(0)),
                _ => format!("{arg}: {}", Value::String(id.clone())),
            })
            .collect();
        out.push(format!("{op} {{ {name}({}) {sel} }}", args.join(", ")));
    }
    out
}

#[tokio::test]
async fn shop_a_never_sees_or_changes_shop_b_through_any_graphql_field() {
    // Arrange: two installed shops whose data collide (same order payload, same Shopify ids),
    // differing only in markers that let us recognise B's data.
    let app = TestApp::spawn().await;
    let a = app
        .add_shop("alpha-isolation", "Alpha Isolation Store")
        .await;
    let b = app.add_shop("bravo-isolation", B_NAME).await;
    let order = include_str!("../../fixtures/shopify/orders_create.json");
    for (shop, email) in [(&a, "only-in-shop-a@example.com"), (&b, B_EMAIL)] {
        gql(&app, shop, "{ shop { name } }").await;
        // A plan, so fields behind the plan guard run and are checked too.
        app.activate_plan(shop, "growth").await;
        let body: Value =
            serde_json::from_str(&order.replace("{shop}.myshopify.com", shop)).expect("fixture");
        let mut body = body;
        body["email"] = json!(email);
        body["customer"]["email"] = json!(email);
        app.sim
            .send_webhook(shop, "orders/create", &body)
            .await
            .expect("delivery");
    }
    app.run_jobs().await;
    let schema = gql(&app, &a, &format!("{{ __schema {{ types {{ name fields {{ name args {{ name type {{ {TYPE_REF} }} }} type {{ {TYPE_REF} }} }} }} queryType {{ name }} mutationType {{ name }} }} }}")).await;
    let types = &schema["data"]["__schema"]["types"];
    let root_fields = |root: &str| -> Vec<Value> {
        let name = schema["data"]["__schema"][root]["name"]
            .as_str()
            .unwrap_or("");
        types
            .as_array()
            .and_then(|a| a.iter().find(|t| t["name"] == name))
            .and_then(|t| t["fields"].as_array().cloned())
            .unwrap_or_default()
    };
    let queries = root_fields("queryType");
    assert!(!queries.is_empty(), "the schema was discovered: {schema}");
    // B's own view: every id B can see.
    let mut b_ids = BTreeSet::new();
    let mut b_seen = String::new();
    for f in &queries {
        for q in calls("query", f, types, &BTreeSet::new()) {
            let res = gql(&app, &b, &q).await;
            ids(&res["data"], &mut b_ids);
            b_seen.push_str(&res.to_string());
        }
    }
    // The markers are visible to B itself, so the scan below would notice them leaking to A.
    assert!(
        b_seen.contains(B_NAME) && b_seen.contains(b.as_str()),
        "{b_seen}"
    );

    // Act + Assert: every query and mutation as A, with B's ids wherever an id is required.
    let mut checked = 0;
    for (op, fields) in [
        ("query", queries.clone()),
        ("mutation", root_fields("mutationType")),
    ] {
        for f in &fields {
            for q in calls(op, f, types, &b_ids) {
                let res = gql(&app, &a, &q).await.to_string();
                checked += 1;
                for marker in [b.as_str(), B_NAME, B_EMAIL] {
                    assert!(
                        !res.contains(marker),
                        "{q}\nas shop A returned shop B's `{marker}`: {res}"
                    );
                }
            }
        }
    }
    assert!(checked >= queries.len(), "every root field was called");
    // B's data is intact after A's calls.
    let b_view = gql(&app, &b, "{ shop { name } }").await;
    assert_eq!(b_view["data"]["shop"]["name"], B_NAME);
}
