//! Webhook deliveries signed like Shopify's (SHOPIFY.md §5.1–5.3): the raw JSON body, base64
//! HMAC-SHA256 with the app secret, the `X-Shopify-*` headers, 1 s connect / 5 s total timeouts, and
//! no redirects (a 3xx counts as a failure). Used by tests directly and by `POST /_sim/webhooks`.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::signing::sign_webhook;

/// What to put in `X-Shopify-Hmac-Sha256`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HmacMode {
    /// The correct signature.
    #[default]
    Valid,
    /// A well-formed but wrong signature, as the App Store review check sends (expects 401).
    Invalid,
    /// No signature header at all.
    Missing,
}

/// One delivery: the body is sent byte for byte as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub shop: String,
    pub topic: String,
    pub body: Vec<u8>,
    pub api_version: String,
    /// Unique per delivery; the app dedupes on it.
    pub webhook_id: String,
    /// Shared by deliveries caused by the same merchant action.
    pub event_id: String,
    pub triggered_at: DateTime<Utc>,
    /// The subscription's optional `name`.
    pub name: Option<String>,
    pub hmac: HmacMode,
}

impl WebhookDelivery {
    /// A fresh delivery with new webhook and event ids.
    pub fn new(
        shop: &str,
        topic: &str,
        body: impl Into<Vec<u8>>,
        api_version: &str,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            shop: shop.to_string(),
            topic: topic.to_string(),
            body: body.into(),
            api_version: api_version.to_string(),
            webhook_id: uuid::Uuid::new_v4().to_string(),
            event_id: uuid::Uuid::new_v4().to_string(),
            triggered_at: now,
            name: None,
            hmac: HmacMode::Valid,
        }
    }

    /// The headers Shopify sends with this delivery.
    pub fn headers(&self, secret: &str) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Content-Type", "application/json".to_string()),
            ("User-Agent", "Shopify-Captain-Hook".to_string()),
            ("X-Shopify-Topic", self.topic.clone()),
            ("X-Shopify-Shop-Domain", self.shop.clone()),
            ("X-Shopify-API-Version", self.api_version.clone()),
            ("X-Shopify-Webhook-Id", self.webhook_id.clone()),
            (
                "X-Shopify-Triggered-At",
                self.triggered_at
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true),
            ),
            ("X-Shopify-Event-Id", self.event_id.clone()),
        ];
        match self.hmac {
            HmacMode::Valid => {
                headers.push(("X-Shopify-Hmac-Sha256", sign_webhook(secret, &self.body)))
            }
            // Signed with a different key: right shape, wrong value.
            HmacMode::Invalid => headers.push((
                "X-Shopify-Hmac-Sha256",
                sign_webhook("not-the-app-secret", &self.body),
            )),
            HmacMode::Missing => {}
        }
        if let Some(name) = &self.name {
            headers.push(("X-Shopify-Name", name.clone()));
        }
        headers
    }
}

/// How the app answered a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookOutcome {
    pub url: String,
    pub status: u16,
    /// Shopify counts only 2xx as delivered.
    pub delivered: bool,
    pub body: String,
    pub webhook_id: String,
    pub event_id: String,
}

/// An HTTP client with Shopify's delivery timeouts that never follows redirects.
pub fn delivery_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// POSTs one delivery to `url` and reports the app's answer.
pub async fn send_webhook(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    delivery: &WebhookDelivery,
) -> anyhow::Result<WebhookOutcome> {
    let mut request = client.post(url).body(delivery.body.clone());
    for (name, value) in delivery.headers(secret) {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("delivering {} to {url}: {e}", delivery.topic))?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Ok(WebhookOutcome {
        url: url.to_string(),
        status,
        delivered: (200..300).contains(&status),
        body,
        webhook_id: delivery.webhook_id.clone(),
        event_id: delivery.event_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_the_handbook() {
        let body = br#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}"#.to_vec();
        let mut delivery = WebhookDelivery::new(
            "demo.myshopify.com",
            "shop/redact",
            body,
            "2026-10",
            Utc::now(),
        );
        let headers = delivery.headers("hush");
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            get("X-Shopify-Hmac-Sha256").as_deref(),
            Some("1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o=")
        );
        for name in [
            "X-Shopify-Topic",
            "X-Shopify-Shop-Domain",
            "X-Shopify-API-Version",
            "X-Shopify-Webhook-Id",
            "X-Shopify-Triggered-At",
            "X-Shopify-Event-Id",
        ] {
            assert!(get(name).is_some(), "{name}");
        }
        assert_eq!(get("Content-Type").as_deref(), Some("application/json"));
        delivery.hmac = HmacMode::Invalid;
        let bad = delivery.headers("hush");
        assert!(bad.iter().any(|(n, v)| *n == "X-Shopify-Hmac-Sha256"
            && v != "1ZkWm9gpyI+Zsjon2nUm8nnAH7b3L7SlOH1XnEEuq7o="));
        delivery.hmac = HmacMode::Missing;
        assert!(
            delivery
                .headers("hush")
                .iter()
                .all(|(n, _)| *n != "X-Shopify-Hmac-Sha256")
        );
    }
}
