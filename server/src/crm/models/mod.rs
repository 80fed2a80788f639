//! Purchase prediction for the CRM: BG/NBD (will they buy again, how often) and Gamma-Gamma (how
//! much), fitted per shop, with a prior for small shops and a cadence fallback. Pure functions
//! over per-customer summaries: loading orders and storing predictions is the caller's job.
//!
//! `summary` builds the (x, t_x, T, monetary) summaries; `bgnbd` and `gamma_gamma` are the two
//! models; `shop` fits both for one shop and picks the method; `predict` turns a shop model and
//! a customer into numbers and a reason sentence; `cli` is `ecomcrm models fit`.

pub mod bgnbd;
pub mod cli;
pub mod fit;
pub mod gamma_gamma;
pub mod optimise;
pub mod predict;
pub mod shop;
pub mod special;
pub mod summary;

#[cfg(test)]
mod cdnow_tests;

pub use bgnbd::{BgNbdData, BgNbdParams};
pub use fit::{Fit, FitError, Prior};
pub use gamma_gamma::{GammaGammaData, GammaGammaParams};
pub use predict::{Prediction, predict};
pub use shop::{Method, ShopModel, fit_shop};
pub use summary::{CustomerSummary, Purchase, summarise};
