//! Validation of operations against the embedded 2026-10 Admin schema: what Shopify accepts
//! passes, and each kind of mistake gets Shopify's message and code.

use crate::sim::admin_schema::admin_schema;
use crate::sim::validate::{Violation, validate_source};
use crate::sim::validate_admin_operation;

fn violations(doc: &str) -> Vec<Violation> {
    validate_source(admin_schema().expect("schema loads"), doc)
}

fn only(doc: &str) -> Violation {
    let mut all = violations(doc);
    assert_eq!(all.len(), 1, "expected one violation for {doc}: {all:#?}");
    all.remove(0)
}

fn code(v: &Violation) -> &str {
    v.extensions
        .get("code")
        .and_then(|c| c.as_str())
        .unwrap_or("")
}

#[test]
fn the_embedded_schema_loads() {
    let schema = admin_schema().expect("schema loads");
    assert!(schema.types.len() > 3000);
    assert!(schema.field("Shop", "myshopifyDomain").is_some());
    assert!(schema.field("Shop", "domain").is_none());
}

#[test]
fn a_valid_shop_query_passes() {
    assert_eq!(validate_admin_operation("{ shop { name } }"), Ok(()));
    let full = "query ShopInfo { shop { id name email myshopifyDomain currencyCode ianaTimezone
        plan { displayName partnerDevelopment shopifyPlus } primaryDomain { host url } } }";
    assert_eq!(validate_admin_operation(full), Ok(()));
}

#[test]
fn an_unknown_field_is_refused_like_shopify() {
    let v = only("{ shop { name domain } }");
    assert_eq!(v.message, "Field 'domain' doesn't exist on type 'Shop'");
    assert_eq!(code(&v), "undefinedField");
    assert_eq!(v.path, ["query", "shop", "domain"]);
    assert_eq!((v.locations[0].line, v.locations[0].column), (1, 15));
    let json = v.to_json();
    assert_eq!(json["extensions"]["typeName"], "Shop");
    assert_eq!(json["extensions"]["fieldName"], "domain");
}

#[test]
fn a_missing_required_argument_is_refused() {
    let v = only("{ customer { id } }");
    assert_eq!(
        v.message,
        "Field 'customer' is missing required arguments: id"
    );
    assert_eq!(code(&v), "missingRequiredArguments");
}

#[test]
fn an_undeclared_variable_is_refused() {
    let v = only("query { customer(id: $id) { id } }");
    assert_eq!(
        v.message,
        "Variable $id is used by anonymous query but not declared"
    );
    assert_eq!(code(&v), "variableNotDefined");
    let named = only("query One { customer(id: $id) { id } }");
    assert_eq!(
        named.message,
        "Variable $id is used by One but not declared"
    );
}

#[test]
fn variables_must_be_used_and_compatible() {
    assert_eq!(
        only("query($id: ID!, $x: Int) { customer(id: $id) { id } }").message,
        "Variable $x is declared by anonymous query but not used"
    );
    let v = only("query($id: ID) { customer(id: $id) { id } }");
    assert_eq!(
        v.message,
        "Nullability mismatch on variable $id and argument id (ID / ID!)"
    );
    assert_eq!(code(&v), "variableMismatch");
    assert_eq!(
        only("query($n: String) { customers(first: $n) { nodes { id } } }").message,
        "Type mismatch on variable $n and argument first (String / Int)"
    );
    assert_eq!(
        validate_admin_operation("query($n: Int = 10) { customers(first: $n) { nodes { id } } }"),
        Ok(())
    );
    let bad_type = violations("query($x: Shop) { shop { name } }");
    assert_eq!(bad_type[0].message, "Shop isn't a valid input type (on $x)");
    assert_eq!(bad_type[0].code_of(), "variableRequiresValidType");
}

trait CodeOf {
    fn code_of(&self) -> String;
}

impl CodeOf for Violation {
    fn code_of(&self) -> String {
        code(self).to_string()
    }
}

#[test]
fn unknown_arguments_and_bad_literals_are_refused() {
    let v = only("{ shop(id: 1) { name } }");
    assert_eq!(v.message, "Field 'shop' doesn't accept argument 'id'");
    assert_eq!(code(&v), "argumentNotAccepted");
    let v = only("{ customers(first: \"ten\") { nodes { id } } }");
    assert_eq!(
        v.message,
        "Argument 'first' on Field 'customers' has an invalid value (\"ten\"). Expected type 'Int'."
    );
    assert_eq!(code(&v), "argumentLiteralsIncompatible");
    assert_eq!(
        only("{ customers(first: 5, sortKey: NOPE) { nodes { id } } }").code_of(),
        "argumentLiteralsIncompatible"
    );
    assert_eq!(
        validate_admin_operation(
            "{ customers(first: 5, sortKey: UPDATED_AT, reverse: true) { nodes { id } } }"
        ),
        Ok(())
    );
}

#[test]
fn leaf_and_object_selections_are_checked() {
    let v = only("{ shop { name { first } } }");
    assert_eq!(
        v.message,
        "Selections can't be made on scalars (field 'name' returns String but has selections [first])"
    );
    let v = only("{ shop }");
    assert_eq!(
        v.message,
        "Field must have selections (field 'shop' returns Shop but has no selections. Did you mean 'shop { ... }'?)"
    );
    assert_eq!(code(&v), "selectionMismatch");
}

#[test]
fn fragments_interfaces_and_unions_are_followed() {
    let ok = r#"query Node($id: ID!) {
        node(id: $id) { id __typename ... on Customer { email } ...OrderBits }
        shop { ...ShopBits }
    }
    fragment OrderBits on Order { name totalPriceSet { shopMoney { amount currencyCode } } }
    fragment ShopBits on Shop { name }"#;
    assert_eq!(validate_admin_operation(ok), Ok(()));
    let v = only("{ node(id: \"gid://shopify/Customer/1\") { id ... on Customer { nope } } }");
    assert_eq!(
        (v.message.as_str(), v.path.join("/")),
        (
            "Field 'nope' doesn't exist on type 'Customer'",
            "query/node/... on Customer/nope".into()
        )
    );
    assert_eq!(
        only("{ shop { ...F } } fragment F on Customer { id }").code_of(),
        "cannotSpreadFragment"
    );
    assert_eq!(
        only("{ shop { ...Missing } }").code_of(),
        "useAndDefineFragment"
    );
    assert_eq!(
        only("{ shop { name } } fragment Unused on Shop { name }").code_of(),
        "useAndDefineFragment"
    );
    assert_eq!(
        only("{ shop { ... on Nope { id } } }").code_of(),
        "undefinedType"
    );
    assert_eq!(
        only("{ shop { ...A } } fragment A on Shop { ...B } fragment B on Shop { ...A }").code_of(),
        "infiniteLoop"
    );
}

#[test]
fn directives_and_operation_types_are_checked() {
    assert_eq!(
        validate_admin_operation(
            "query($x: Boolean!) { shop { name @include(if: $x) email @skip(if: false) } }"
        ),
        Ok(())
    );
    assert_eq!(
        only("{ shop { name @include } }").code_of(),
        "missingRequiredArguments"
    );
    assert_eq!(
        only("{ shop { name @nope } }").code_of(),
        "undefinedDirective"
    );
    assert_eq!(
        only("subscription { shop { name } }").code_of(),
        "missingSubscriptionConfiguration"
    );
    let parse = only("{ shop { name }");
    assert!(
        parse.message.starts_with("Parse error at [1, "),
        "{}",
        parse.message
    );
}

#[test]
fn the_handbooks_operations_are_valid() {
    let docs = [
        r#"mutation customerEmailMarketingConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
          customerEmailMarketingConsentUpdate(input: $input) {
            customer { id emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } }
            userErrors { field message code } } }"#,
        r#"mutation addTags($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }"#,
        r#"mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
          webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
            userErrors { field message } webhookSubscription { id format includeFields metafieldNamespaces topic uri } } }"#,
        r#"mutation { bulkOperationRunQuery(query: """{ customers { edges { node { id email tags } } } }""") {
          bulkOperation { id status } userErrors { field message code } } }"#,
        r#"mutation appSubscriptionCancel($id: ID!, $prorate: Boolean) {
          appSubscriptionCancel(id: $id, prorate: $prorate) { appSubscription { id status } userErrors { field message } } }"#,
        r#"{ currentAppInstallation { accessScopes { handle } } customersCount { count precision } }"#,
    ];
    for doc in docs {
        assert_eq!(validate_admin_operation(doc), Ok(()), "{doc}");
    }
    // The handbook's plan check (§8.3) uses $endCursor without declaring it; Shopify refuses that.
    let check = "query appSubscription { currentAppInstallation { oneTimePurchases(first: 250, sortKey: CREATED_AT, after: $endCursor) {
        edges { node { id name test status } } pageInfo { hasNextPage endCursor } } } }";
    assert_eq!(
        validate_admin_operation(check),
        Err(vec![
            "Variable $endCursor is used by appSubscription but not declared".to_string()
        ])
    );
}

#[test]
fn input_object_literals_are_checked_field_by_field() {
    let unknown = only(
        r#"mutation { customerCreate(input: {email: "a@example.com", nope: 1}) { customer { id } } }"#,
    );
    assert_eq!(
        unknown.message,
        "InputObject 'CustomerInput' doesn't accept argument 'nope'"
    );
    assert_eq!(
        validate_admin_operation(
            r#"mutation { customerCreate(input: {email: "a@example.com", tags: ["vip"]}) { customer { id } userErrors { message } } }"#
        ),
        Ok(())
    );
}

fn graphql_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            graphql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "graphql") {
            out.push(path);
        }
    }
}

/// The server keeps the operations it sends to Shopify in `.graphql` files; each must be valid.
/// Files named `*_fragment.graphql` hold shared fragments that the server appends to the
/// operations using them, so each operation is checked with the fragments it spreads.
#[test]
fn every_operation_file_of_the_server_is_valid() {
    let mut files = Vec::new();
    graphql_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src"),
        &mut files,
    );
    let is_fragment = |p: &std::path::PathBuf| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("_fragment.graphql"))
    };
    let fragments: Vec<(String, String)> = files
        .iter()
        .filter(|p| is_fragment(p))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .filter_map(|text| {
            let name = text.split_whitespace().nth(1)?.to_string();
            Some((name, text))
        })
        .collect();
    assert!(
        files.iter().any(&is_fragment),
        "the billing fragment file is found"
    );
    let failures: Vec<String> = files
        .iter()
        .filter(|p| !is_fragment(p))
        .filter_map(|path| {
            let mut doc = std::fs::read_to_string(path).unwrap_or_default();
            for (name, text) in &fragments {
                if doc.contains(&format!("...{name}")) {
                    doc = format!("{doc}\n{text}");
                }
            }
            validate_admin_operation(&doc)
                .err()
                .map(|errors| format!("{}: {errors:?}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "operations Shopify would refuse:\n{}",
        failures.join("\n")
    );
}
