//! The `host` parameter: base64 (padding stripped) of the admin the app runs in, e.g.
//! `admin.shopify.com/store/{handle}`. Decoded and checked before it becomes a redirect target,
//! so a forged `host` cannot send a merchant to another site (SHOPIFY.md §1.6, §4.4).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use shared::ShopDomain;

/// Hostname suffixes Shopify's `sanitizeHost` accepts for an admin.
const ADMIN_SUFFIXES: &[&str] = &[
    ".myshopify.com",
    ".shopify.com",
    ".myshopify.io",
    ".spin.dev",
    ".shop.dev",
];

/// A decoded, validated admin location such as `admin.shopify.com/store/demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminHost(String);

impl AdminHost {
    /// Decodes a `host` parameter; `None` when it is not base64 of an admin location.
    pub fn decode(raw: &str) -> Option<Self> {
        let trimmed = raw.trim_end_matches('=');
        // Shopify strips the padding; restore it before decoding (either alphabet).
        let padded = format!("{trimmed}{}", "=".repeat((4 - trimmed.len() % 4) % 4));
        let bytes = STANDARD
            .decode(&padded)
            .or_else(|_| URL_SAFE.decode(&padded))
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let hostname = text.split('/').next()?.to_ascii_lowercase();
        let hostname_ok = !hostname.is_empty()
            && hostname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && ADMIN_SUFFIXES.iter().any(|s| hostname.ends_with(s));
        // The path goes into a URL verbatim: only plain path characters may pass.
        let path_ok = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'));
        (hostname_ok && path_ok).then(|| Self(text.trim_end_matches('/').to_string()))
    }

    /// The unified admin location of a shop, for requests that carry no `host`.
    pub fn for_shop(shop: &ShopDomain) -> Self {
        Self(format!("admin.shopify.com/store/{}", shop.handle()))
    }

    /// Where the app lives inside this admin: `https://{host}/apps/{api_key}`.
    pub fn app_url(&self, api_key: &str) -> String {
        format!("https://{}/apps/{api_key}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::AdminHost;

    #[test]
    fn unpadded_unified_admin_host_decodes() {
        let h = AdminHost::decode("YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZXhhbXBsZXNob3A").unwrap();
        assert_eq!(
            h.app_url("k"),
            "https://admin.shopify.com/store/exampleshop/apps/k"
        );
    }

    #[test]
    fn legacy_shop_admin_host_decodes() {
        // base64("demo.myshopify.com/admin")
        let h = AdminHost::decode("ZGVtby5teXNob3BpZnkuY29tL2FkbWlu").unwrap();
        assert_eq!(h.app_url("k"), "https://demo.myshopify.com/admin/apps/k");
    }

    #[test]
    fn foreign_or_garbage_hosts_are_refused() {
        use base64::Engine as _;
        let enc = |s: &str| base64::engine::general_purpose::STANDARD_NO_PAD.encode(s);
        for bad in [
            enc("evil.com/store/x"),
            enc("admin.shopify.com.evil.com/x"),
            enc("evil.com?.shopify.com"),
            enc("admin.shopify.com/store/x?next=https://evil.com"),
            "!!!".to_string(),
            String::new(),
        ] {
            assert_eq!(AdminHost::decode(&bad), None, "{bad}");
        }
    }
}
