//! Configuration from the environment (DESIGN.md §3). Bad or missing values stop start-up
//! with one line that names the variable and the fix.

use crate::shopify::billing::plans::{self, Plans};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// Where the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    /// Local development: dev secrets are generated, `/graphiql` and `/dev/session` exist.
    Dev,
    /// Everything else.
    Production,
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The whole configuration. Its `Debug` output leaves out every secret.
#[derive(Clone)]
pub struct Config {
    /// HTTP port.
    pub port: u16,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The app's client id.
    pub api_key: String,
    /// The app's client secret (HMACs, session tokens, OAuth).
    pub api_secret: Secret,
    /// Public base URL of the app, without a trailing slash.
    pub app_url: String,
    /// Access scopes the app requires.
    pub scopes: Vec<String>,
    /// Where a shop's Admin API and OAuth live; `{shop}` is replaced by the shop domain.
    pub shop_base_url: String,
    /// 32 bytes that encrypt tokens at rest.
    pub encryption_key: [u8; 32],
    /// Dev or production.
    pub env: Env,
    /// Folder for local state (the SQLite file, dev secrets).
    pub data_dir: PathBuf,
    /// Folder with the built app bundle, used when it is not embedded in the binary.
    pub dist_dir: PathBuf,
    /// The shop `/dev/session` and the app use by default in dev.
    pub dev_shop: Option<String>,
    /// Where App Bridge is loaded from: Shopify's CDN (review requires it); tests point it at
    /// the simulator's stand-in, since the CDN is out of reach there.
    pub app_bridge_url: String,
    /// The plans merchants choose from (`plans.toml`, or `ECOMCRM_PLANS_FILE`).
    pub plans: std::sync::Arc<crate::shopify::billing::plans::Plans>,
    /// Who creates charges: the app through the Billing API, or Shopify's hosted plan page.
    pub billing_mode: BillingMode,
    /// The app's handle in the Shopify admin URL (managed pricing's plan page needs it).
    pub app_handle: Option<String>,
    /// The chat-completions endpoint AI insights use (`LLM_BASE_URL`, `LLM_API_KEY`,
    /// `LLM_MODEL`); without one, insights come from the deterministic writer.
    pub llm: Option<LlmConfig>,
}

/// An OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI's v1 API, Ollama, vLLM.
#[derive(Clone)]
pub struct LlmConfig {
    /// Base URL without a trailing slash (`https://api.openai.com/v1`,
    /// `http://localhost:11434/v1`); `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as a bearer token when set; local servers such as Ollama need none.
    pub api_key: Option<Secret>,
    /// The model (on Azure, the deployment name).
    pub model: String,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &redact_url_password(&self.base_url))
            .field("api_key", &self.api_key)
            .field("model", &self.model)
            .finish()
    }
}

/// How merchants pay (SHOPIFY.md §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingMode {
    /// The app creates subscriptions with `appSubscriptionCreate` (manual pricing).
    BillingApi,
    /// Shopify App Pricing: plans live in the Partner Dashboard and Shopify hosts the plan page.
    Managed,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("database", &redact_url_password(&self.database_url))
            .field("api_key", &self.api_key)
            .field("app_url", &self.app_url)
            .field("scopes", &self.scopes)
            .field("shop_base_url", &self.shop_base_url)
            .field("env", &self.env)
            .field("data_dir", &self.data_dir)
            .field("dist_dir", &self.dist_dir)
            .field("dev_shop", &self.dev_shop)
            .field("billing_mode", &self.billing_mode)
            .field("llm", &self.llm)
            .finish_non_exhaustive()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// A configuration problem: the variable and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var} {problem}; {fix}")]
pub struct ConfigError {
    /// The variable at fault.
    pub var: &'static str,
    /// What is wrong with it.
    pub problem: String,
    /// What to do.
    pub fix: String,
}

fn err(var: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// The variables the server reads, so the same parsing serves the process environment and tests.
pub type Vars = HashMap<String, String>;

impl Config {
    /// Reads the process environment (after an optional `.env`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Parses configuration from a set of variables. In dev, missing secrets are generated and
    /// kept in `{data_dir}/dev-secrets.env`, and that is said on stderr.
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            vars.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let env = match get("ECOMCRM_ENV").as_deref() {
            None | Some("production") => Env::Production,
            Some("dev") => Env::Dev,
            Some(other) => {
                return Err(err(
                    "ECOMCRM_ENV",
                    format!("is `{other}`"),
                    "set it to `dev` or `production`",
                ));
            }
        };
        let port = match get("PORT") {
            None => 8080,
            Some(p) => p.parse::<u16>().map_err(|_| {
                err(
                    "PORT",
                    format!("is `{p}`, not a port number"),
                    "set it to a number from 1 to 65535",
                )
            })?,
        };
        let data_dir = PathBuf::from(get("ECOMCRM_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/ecomcrm.db?mode=rwc", data_dir.display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(err(
                "DATABASE_URL",
                "must start with sqlite:// or postgres://",
                "for example sqlite://data/ecomcrm.db?mode=rwc or postgres://user@host/db",
            ));
        }
        // Dev secrets are generated (once, then reused) only for what the environment lacks.
        let lacks_secret = [
            "SHOPIFY_API_KEY",
            "SHOPIFY_API_SECRET",
            "ECOMCRM_ENCRYPTION_KEY",
        ]
        .iter()
        .any(|k| get(k).is_none());
        let dev_secrets = if env == Env::Dev && lacks_secret {
            Some(DevSecrets::load_or_create(&data_dir)?)
        } else {
            None
        };
        let pick =
            |var: &'static str, dev: Option<&str>, fix: &str| -> Result<String, ConfigError> {
                get(var)
                    .or_else(|| dev.map(str::to_string))
                    .ok_or_else(|| err(var, "is missing", fix))
            };
        let api_key = pick(
            "SHOPIFY_API_KEY",
            dev_secrets.as_ref().map(|d| d.api_key.as_str()),
            "set it to the app's client id from the Partner Dashboard (or run with ECOMCRM_ENV=dev)",
        )?;
        let api_secret = pick(
            "SHOPIFY_API_SECRET",
            dev_secrets.as_ref().map(|d| d.api_secret.as_str()),
            "set it to the app's client secret from the Partner Dashboard (or run with ECOMCRM_ENV=dev)",
        )?;
        let key_b64 = pick(
            "ECOMCRM_ENCRYPTION_KEY",
            dev_secrets.as_ref().map(|d| d.encryption_key.as_str()),
            "set it to 32 random bytes in base64: `openssl rand -base64 32`",
        )?;
        let encryption_key = parse_key(&key_b64)?;
        let app_url = match get("SHOPIFY_APP_URL") {
            Some(u) => parse_url("SHOPIFY_APP_URL", &u)?,
            None if env == Env::Dev => format!("http://localhost:{port}"),
            None => {
                return Err(err(
                    "SHOPIFY_APP_URL",
                    "is missing",
                    "set it to the app's public https URL, e.g. https://crm.example.com",
                ));
            }
        };
        let scopes = get("SHOPIFY_SCOPES").unwrap_or_else(|| DEFAULT_SCOPES.to_string());
        let scopes: Vec<String> = scopes
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let shop_base_url = get("SHOPIFY_SHOP_BASE_URL").unwrap_or_else(|| REAL_SHOPIFY.into());
        if !shop_base_url.contains("{shop}") {
            return Err(err(
                "SHOPIFY_SHOP_BASE_URL",
                "has no `{shop}` placeholder",
                "use https://{shop} for real Shopify or http://127.0.0.1:8081/shops/{shop} for the simulator",
            ));
        }
        parse_url(
            "SHOPIFY_SHOP_BASE_URL",
            &shop_base_url.replace("{shop}", "x.myshopify.com"),
        )?;
        let dist_dir = PathBuf::from(get("ECOMCRM_DIST_DIR").unwrap_or_else(|| "dist".into()));
        let dev_shop = get("ECOMCRM_DEV_SHOP")
            .or_else(|| (env == Env::Dev).then(|| "demo-store.myshopify.com".to_string()));
        let app_bridge_url = match get("ECOMCRM_APP_BRIDGE_URL") {
            Some(u) => parse_url("ECOMCRM_APP_BRIDGE_URL", &u)?,
            None => APP_BRIDGE_CDN.to_string(),
        };
        let plans = match get("ECOMCRM_PLANS_FILE") {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    err(
                        "ECOMCRM_PLANS_FILE",
                        format!("cannot be read ({e})"),
                        "point it at a readable plans.toml",
                    )
                })?;
                Plans::parse(&text).map_err(|e| {
                    err(
                        "ECOMCRM_PLANS_FILE",
                        format!("{path}: {e}"),
                        "fix the file (see plans.toml in the repository)",
                    )
                })?
            }
            None => Plans::parse(plans::BUILT_IN).map_err(|e| {
                err(
                    "ECOMCRM_PLANS_FILE",
                    format!("unset and the built-in plans.toml is invalid: {e}"),
                    "fix plans.toml and rebuild",
                )
            })?,
        };
        let billing_mode = match get("ECOMCRM_BILLING_MODE").as_deref() {
            None | Some("billing_api") => BillingMode::BillingApi,
            Some("managed") => BillingMode::Managed,
            Some(other) => {
                return Err(err(
                    "ECOMCRM_BILLING_MODE",
                    format!("is `{other}`"),
                    "use billing_api (the app creates charges) or managed (Shopify App Pricing)",
                ));
            }
        };
        let app_handle = get("SHOPIFY_APP_HANDLE");
        if billing_mode == BillingMode::Managed && app_handle.is_none() {
            return Err(err(
                "SHOPIFY_APP_HANDLE",
                "is missing with ECOMCRM_BILLING_MODE=managed",
                "set it to the app's handle from the Partner Dashboard (the plan page URL needs it)",
            ));
        }
        let llm = parse_llm(&get)?;
        Ok(Config {
            llm,
            plans: std::sync::Arc::new(plans),
            billing_mode,
            app_handle,
            port,
            database_url,
            api_key,
            api_secret: Secret(api_secret),
            app_url,
            scopes,
            shop_base_url,
            encryption_key,
            env,
            data_dir,
            dist_dir,
            dev_shop,
            app_bridge_url,
        })
    }

    /// The base URL for one shop (its Admin API and OAuth endpoints hang below it).
    pub fn shop_base(&self, shop: &shared::ShopDomain) -> String {
        self.shop_base_url.replace("{shop}", shop.as_str())
    }

    /// Whether `/dev/session` (which mints session tokens) and `/graphiql` exist: only in dev and
    /// only against a simulator. With real Shopify credentials (`shopify app dev` behind a public
    /// tunnel) a token-minting route would let anyone act as any shop.
    pub fn dev_sessions_enabled(&self) -> bool {
        self.is_dev() && self.shop_base_url != REAL_SHOPIFY
    }

    /// True in local development.
    pub fn is_dev(&self) -> bool {
        self.env == Env::Dev
    }
}

/// App Bridge on Shopify's CDN (self-updating; never bundled or pinned).
pub const APP_BRIDGE_CDN: &str = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

/// `SHOPIFY_SHOP_BASE_URL` for real Shopify.
pub const REAL_SHOPIFY: &str = "https://{shop}";

/// The scopes in `shopify.app.toml`; kept equal by a test.
pub const DEFAULT_SCOPES: &str =
    "read_customers,write_customers,read_orders,read_products,read_checkouts";

fn parse_key(b64: &str) -> Result<[u8; 32], ConfigError> {
    let fix = "set it to 32 random bytes in base64: `openssl rand -base64 32`";
    let bytes = B64
        .decode(b64)
        .map_err(|_| err("ECOMCRM_ENCRYPTION_KEY", "is not base64", fix))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        err(
            "ECOMCRM_ENCRYPTION_KEY",
            format!("is {} bytes, not 32", b.len()),
            fix,
        )
    })
}

/// `LLM_BASE_URL` turns the LLM on and then needs `LLM_MODEL`; `LLM_API_KEY` is optional
/// (Ollama and vLLM run without one). A key or model without a URL is refused rather than
/// ignored, so a typo in the URL's name cannot silently leave insights on the fallback writer.
fn parse_llm(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<LlmConfig>, ConfigError> {
    let (base_url, api_key, model) = (get("LLM_BASE_URL"), get("LLM_API_KEY"), get("LLM_MODEL"));
    let Some(base_url) = base_url else {
        if let Some(var) = [("LLM_API_KEY", &api_key), ("LLM_MODEL", &model)]
            .iter()
            .find_map(|(var, v)| v.is_some().then_some(*var))
        {
            return Err(err(
                "LLM_BASE_URL",
                format!("is missing while {var} is set"),
                "set it to an OpenAI-compatible endpoint such as https://api.openai.com/v1, or unset the LLM_ variables",
            ));
        }
        return Ok(None);
    };
    let base_url = parse_url("LLM_BASE_URL", &base_url)?;
    let model = model.ok_or_else(|| {
        err(
            "LLM_MODEL",
            "is missing while LLM_BASE_URL is set",
            "name the model, e.g. gpt-4o-mini (on Azure, the deployment name)",
        )
    })?;
    Ok(Some(LlmConfig {
        base_url,
        api_key: api_key.map(Secret),
        model,
    }))
}

fn parse_url(var: &'static str, raw: &str) -> Result<String, ConfigError> {
    let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
        && reqwest::Url::parse(raw).is_ok();
    if ok {
        Ok(raw.trim_end_matches('/').to_string())
    } else {
        Err(err(
            var,
            format!("is `{raw}`, not an http(s) URL"),
            "give a full URL like https://crm.example.com",
        ))
    }
}

/// Secrets generated for local development and kept between runs.
struct DevSecrets {
    api_key: String,
    api_secret: String,
    encryption_key: String,
}

impl DevSecrets {
    const FILE: &'static str = "dev-secrets.env";

    fn load_or_create(data_dir: &Path) -> Result<Self, ConfigError> {
        let path = data_dir.join(Self::FILE);
        let io_err = |e: std::io::Error| {
            err(
                "ECOMCRM_DATA_DIR",
                format!("cannot hold dev secrets at {}: {e}", path.display()),
                "point it at a writable folder",
            )
        };
        if let Ok(text) = std::fs::read_to_string(&path) {
            let map: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
            if let (Some(k), Some(s), Some(e)) = (
                map.get("SHOPIFY_API_KEY"),
                map.get("SHOPIFY_API_SECRET"),
                map.get("ECOMCRM_ENCRYPTION_KEY"),
            ) {
                return Ok(Self {
                    api_key: k.to_string(),
                    api_secret: s.to_string(),
                    encryption_key: e.to_string(),
                });
            }
        }
        let secrets = Self {
            api_key: random_hex(16),
            api_secret: random_hex(32),
            encryption_key: B64.encode(rand::random::<[u8; 32]>()),
        };
        std::fs::create_dir_all(data_dir).map_err(io_err)?;
        let body = format!(
            "# Generated by `ecomcrm` in ECOMCRM_ENV=dev. Local development only.\nSHOPIFY_API_KEY={}\nSHOPIFY_API_SECRET={}\nECOMCRM_ENCRYPTION_KEY={}\n",
            secrets.api_key, secrets.api_secret, secrets.encryption_key
        );
        std::fs::write(&path, body).map_err(io_err)?;
        eprintln!(
            "dev: generated SHOPIFY_API_KEY, SHOPIFY_API_SECRET and ECOMCRM_ENCRYPTION_KEY in {}",
            path.display()
        );
        Ok(secrets)
    }
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}
