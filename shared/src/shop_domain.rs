//! `ShopDomain`: a verified `{name}.myshopify.com` host. Anything else is refused at the edge.

use std::fmt;

/// A shop's permanent domain, e.g. `demo-store.myshopify.com`, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ShopDomain(String);

/// Why a string is not a shop domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a shop domain like `your-store.myshopify.com`")]
pub struct ParseShopDomainError(pub String);

impl ShopDomain {
    /// Parses a shop domain as Shopify sends it (`shop` parameter, `dest` claim host, webhook header).
    ///
    /// Shopify's rule: letters, digits and hyphens, starting with a letter or digit, then
    /// `.myshopify.com`. A scheme or trailing slash is refused rather than stripped, so a value
    /// that was tampered with never reaches the database.
    pub fn parse(raw: &str) -> Result<Self, ParseShopDomainError> {
        let lower = raw.trim().to_ascii_lowercase();
        let Some(name) = lower.strip_suffix(".myshopify.com") else {
            return Err(ParseShopDomainError(raw.to_string()));
        };
        let valid = !name.is_empty()
            && name.len() <= 60
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && name.starts_with(|c: char| c.is_ascii_alphanumeric());
        if valid {
            Ok(Self(lower))
        } else {
            Err(ParseShopDomainError(raw.to_string()))
        }
    }

    /// Parses the `dest` claim of a session token: `https://{shop}.myshopify.com`.
    pub fn from_dest(dest: &str) -> Result<Self, ParseShopDomainError> {
        let host = dest
            .strip_prefix("https://")
            .ok_or_else(|| ParseShopDomainError(dest.to_string()))?;
        Self::parse(host)
    }

    /// The domain as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The store handle: the part before `.myshopify.com`.
    pub fn handle(&self) -> &str {
        self.0.trim_end_matches(".myshopify.com")
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ShopDomain {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_myshopify_domain_in_any_case() {
        assert_eq!(
            ShopDomain::parse("Demo-Store.myshopify.com")
                .unwrap()
                .as_str(),
            "demo-store.myshopify.com"
        );
    }

    #[test]
    fn refuses_other_hosts_schemes_and_paths() {
        for bad in [
            "evil.com",
            "https://a.myshopify.com",
            "a.myshopify.com/x",
            ".myshopify.com",
            "-a.myshopify.com",
            "a.myshopify.com.evil.com",
            "a_b.myshopify.com",
        ] {
            assert!(ShopDomain::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_the_dest_claim() {
        assert_eq!(
            ShopDomain::from_dest("https://demo.myshopify.com")
                .unwrap()
                .handle(),
            "demo"
        );
        assert!(ShopDomain::from_dest("http://demo.myshopify.com").is_err());
    }
}
