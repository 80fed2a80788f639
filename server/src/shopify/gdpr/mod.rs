//! Compliance (GDPR/CPRA) work behind the three mandatory topics (SHOPIFY.md §6): customer data
//! exports (`customers/data_request`), customer erasure (`customers/redact`) and shop erasure
//! (`shop/redact`), each an idempotent job enqueued when the webhook job records the request.
//!
//! Everything is driven by [`registry::TENANT_TABLES`], the one list of tenant tables and of
//! where customer personal data sits in them; a test checks it against the migrations and the
//! live catalog, so a table added later cannot escape redaction.

pub mod engine;
pub mod jobs;
pub mod registry;
pub mod schema;
pub mod store;
pub mod subject;

pub use jobs::{ExportCustomerData, RedactCustomer, RedactShop};
pub use registry::{CustomerRows, TENANT_TABLES, TenantTable};
