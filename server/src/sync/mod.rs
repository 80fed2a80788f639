//! Store data sync: the shop's customers, orders (with refunds), products (with variants and
//! images) and abandoned checkouts, copied from Shopify and kept current.
//!
//! - Full import by bulk operations ([`full`]), streamed ([`jsonl`]) and written in batches
//!   ([`batch`], [`write`], [`upsert`]); it runs after install and resumes after a crash.
//! - Live updates from webhooks ([`live`]), last write wins on Shopify's `updated_at`.
//! - A delta sync every 15 minutes and on "Sync now" ([`delta`], [`start`]) repairs what
//!   webhooks missed.
//! - Customer counters are derived from the orders ([`counters`]).
//! - Runs, progress and the merchant's view ([`runs`], [`progress`], [`schema`]).
//!
//! Ids are Shopify's 64-bit ids, money is integer minor units ([`money`]). See
//! docs/decisions/0009-store-sync.md.

pub mod admin_calls;
pub mod admin_json;
pub mod batch;
pub mod counters;
pub mod delta;
pub mod full;
pub mod jsonl;
pub mod live;
pub mod money;
pub mod progress;
pub mod records;
pub mod rest_json;
pub mod runs;
pub mod schema;
pub mod start;
pub mod upsert;
pub mod write;
