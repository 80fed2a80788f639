//! The LLM settings: `LLM_BASE_URL` turns the LLM on and needs `LLM_MODEL`, `LLM_API_KEY` is
//! optional, half a configuration stops start-up with the variable to fix, and the key never
//! prints.

use std::collections::HashMap;

use ecomcrm::config::Config;

fn vars(extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut v: HashMap<String, String> = [
        ("SHOPIFY_API_KEY", "key"),
        ("SHOPIFY_API_SECRET", "secret"),
        ("SHOPIFY_APP_URL", "https://crm.example.com"),
        (
            "ECOMCRM_ENCRYPTION_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    v.retain(|_, value| !value.is_empty());
    v
}

#[test]
fn without_llm_settings_insights_use_the_deterministic_writer() {
    let config = Config::from_vars(&vars(&[])).expect("config");
    assert!(config.llm.is_none());
}

#[test]
fn an_operator_points_insights_at_an_openai_compatible_endpoint() {
    let config = Config::from_vars(&vars(&[
        ("LLM_BASE_URL", "http://localhost:11434/v1/"),
        ("LLM_MODEL", "llama3.2"),
        ("LLM_API_KEY", "sk-never-printed"),
    ]))
    .expect("config");

    let llm = config.llm.as_ref().expect("llm");
    assert_eq!(llm.base_url, "http://localhost:11434/v1");
    assert_eq!(llm.model, "llama3.2");
    assert_eq!(
        llm.api_key.as_ref().map(|k| k.expose()),
        Some("sk-never-printed")
    );
    assert!(!format!("{config:?}").contains("sk-never-printed"));

    let keyless = Config::from_vars(&vars(&[
        ("LLM_BASE_URL", "http://localhost:8000/v1"),
        ("LLM_MODEL", "qwen"),
    ]))
    .expect("config");
    assert!(keyless.llm.expect("llm").api_key.is_none());
}

#[test]
fn half_an_llm_configuration_names_the_variable_to_fix() {
    let no_model = Config::from_vars(&vars(&[("LLM_BASE_URL", "https://api.openai.com/v1")]))
        .expect_err("no model");
    assert_eq!(no_model.var, "LLM_MODEL");

    let no_url = Config::from_vars(&vars(&[("LLM_API_KEY", "sk-x"), ("LLM_MODEL", "gpt")]))
        .expect_err("no url");
    assert_eq!(no_url.var, "LLM_BASE_URL");
    assert!(!no_url.to_string().contains("sk-x"));

    let bad_url = Config::from_vars(&vars(&[
        ("LLM_BASE_URL", "api.openai.com"),
        ("LLM_MODEL", "gpt"),
    ]))
    .expect_err("bad url");
    assert_eq!(bad_url.var, "LLM_BASE_URL");
}
