//! Plain types shared by the server and the app. They parse at the edge and carry no I/O.

pub mod numbers;
pub mod segment;
pub mod shop_domain;

pub use segment::{Segment, UnknownSegment};
pub use shop_domain::{ParseShopDomainError, ShopDomain};

/// The Shopify Admin API version this app speaks, pinned in one place.
pub const SHOPIFY_API_VERSION: &str = "2026-10";

/// The answer of `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// Always `ok` when the server answers and its database responds.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The server's version.
    pub version: String,
}
