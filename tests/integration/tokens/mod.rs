//! Token lifecycle against the simulator: expiring offline tokens refreshed with rotation
//! (SHOPIFY.md §2.3) and staff members learned through online token exchange.

mod refresh;
mod staff;
mod support;
