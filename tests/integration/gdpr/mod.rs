//! Compliance (GDPR/CPRA) topics carried out for real (SHOPIFY.md §6): the tenant-table registry
//! against migrations and catalog, customer erasure and export with catalog-driven scans, shop
//! erasure, and uninstall cancelling the shop's pending work.

mod customers;
mod registry;
mod shop_redact;
mod support;
mod uninstall;
