//! Bad configuration stops start-up with one line naming the variable and the fix.

use std::collections::HashMap;

use ecomcrm::config::Config;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const GOOD: &[(&str, &str)] = &[
    ("SHOPIFY_API_KEY", "k"),
    ("SHOPIFY_API_SECRET", "s"),
    ("SHOPIFY_APP_URL", "https://crm.example.com/"),
    (
        "ECOMCRM_ENCRYPTION_KEY",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    ),
];

#[test]
fn production_config_with_everything_set_parses_with_defaults() {
    let c = Config::from_vars(&vars(GOOD)).unwrap();
    assert_eq!(c.port, 8080);
    assert_eq!(c.app_url, "https://crm.example.com");
    assert!(c.database_url.starts_with("sqlite://"));
    assert_eq!(c.shop_base_url, "https://{shop}");
    assert!(!c.is_dev());
}

#[test]
fn a_missing_secret_names_the_variable_and_the_fix() {
    let mut v = vars(GOOD);
    v.remove("SHOPIFY_API_SECRET");
    let e = Config::from_vars(&v).unwrap_err().to_string();
    assert!(e.contains("SHOPIFY_API_SECRET is missing"), "{e}");
    assert!(e.contains("Partner Dashboard"), "{e}");
    assert_eq!(e.lines().count(), 1);
}

#[test]
fn malformed_values_are_refused_with_a_fix() {
    for (var, value, says) in [
        ("PORT", "eighty", "PORT is `eighty`"),
        ("ECOMCRM_ENCRYPTION_KEY", "c2hvcnQ=", "is 5 bytes, not 32"),
        ("ECOMCRM_ENCRYPTION_KEY", "%%%", "is not base64"),
        (
            "DATABASE_URL",
            "mysql://x",
            "must start with sqlite:// or postgres://",
        ),
        (
            "SHOPIFY_SHOP_BASE_URL",
            "https://example.com",
            "no `{shop}` placeholder",
        ),
        ("SHOPIFY_APP_URL", "crm.example.com", "not an http(s) URL"),
        ("ECOMCRM_ENV", "staging", "ECOMCRM_ENV is `staging`"),
    ] {
        let mut v = vars(GOOD);
        v.insert(var.into(), value.into());
        let e = Config::from_vars(&v).unwrap_err().to_string();
        assert!(e.contains(says), "{var}={value}: {e}");
    }
}

#[test]
fn dev_mode_generates_secrets_once_and_keeps_them() {
    let dir = std::env::temp_dir().join(format!("ecomcrm-cfg-{}", uuid::Uuid::new_v4().simple()));
    let v = vars(&[
        ("ECOMCRM_ENV", "dev"),
        ("ECOMCRM_DATA_DIR", dir.to_str().unwrap()),
    ]);

    let first = Config::from_vars(&v).unwrap();
    let second = Config::from_vars(&v).unwrap();

    assert!(first.is_dev());
    assert_eq!(first.api_key, second.api_key);
    assert_eq!(first.api_secret.expose(), second.api_secret.expose());
    assert_eq!(first.encryption_key, second.encryption_key);
    assert_eq!(first.app_url, "http://localhost:8080");
    assert!(dir.join("dev-secrets.env").exists());
    assert!(
        !format!("{first:?}").contains(first.api_secret.expose()),
        "secrets never print"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dev_session_tokens_exist_only_against_a_simulator() {
    let dir = std::env::temp_dir().join(format!("ecomcrm-cfg-{}", uuid::Uuid::new_v4().simple()));
    let mut v = vars(&[
        ("ECOMCRM_ENV", "dev"),
        ("ECOMCRM_DATA_DIR", dir.to_str().unwrap()),
    ]);
    assert!(
        !Config::from_vars(&v).unwrap().dev_sessions_enabled(),
        "real Shopify: no token minting"
    );

    v.insert(
        "SHOPIFY_SHOP_BASE_URL".into(),
        "http://127.0.0.1:8081/shops/{shop}".into(),
    );
    assert!(Config::from_vars(&v).unwrap().dev_sessions_enabled());

    v.insert("ECOMCRM_ENV".into(), "production".into());
    v.extend(vars(GOOD));
    assert!(!Config::from_vars(&v).unwrap().dev_sessions_enabled());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut v = vars(GOOD);
    v.insert(
        "DATABASE_URL".into(),
        "postgres://app:hunter2@db/ecomcrm".into(),
    );
    let shown = format!("{:?}", Config::from_vars(&v).unwrap());
    assert!(
        !shown.contains("hunter2") && !shown.contains("MDEy"),
        "{shown}"
    );
}

#[test]
fn a_malformed_plans_file_stops_start_up_with_one_line() {
    let dir = std::env::temp_dir().join(format!("ecomcrm-plans-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plans.toml");
    std::fs::write(
        &path,
        "currency = \"USD\"\n[[plans]]\nkey = \"a\"\nname = \"A\"\nmonthly_price = \"free\"\n",
    )
    .unwrap();
    let mut v = vars(GOOD);
    v.insert("ECOMCRM_PLANS_FILE".into(), path.display().to_string());

    let e = Config::from_vars(&v).unwrap_err().to_string();

    assert!(e.contains("ECOMCRM_PLANS_FILE"), "{e}");
    assert!(e.contains("monthly_price `free` is not an amount"), "{e}");
    assert_eq!(e.lines().count(), 1);
    v.insert(
        "ECOMCRM_PLANS_FILE".into(),
        dir.join("missing.toml").display().to_string(),
    );
    assert!(
        Config::from_vars(&v)
            .unwrap_err()
            .to_string()
            .contains("cannot be read")
    );
    v.remove("ECOMCRM_PLANS_FILE");
    v.insert("ECOMCRM_BILLING_MODE".into(), "managed".into());
    let e = Config::from_vars(&v).unwrap_err().to_string();
    assert!(e.contains("SHOPIFY_APP_HANDLE is missing"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
