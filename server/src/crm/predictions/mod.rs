//! Stored purchase predictions: the daily per-shop refit of the models in [`crate::crm::models`]
//! over the shop's orders, every buying customer's prediction from that fit, and the
//! re-prediction of a few customers after their orders change. The maths lives in `models`;
//! this module loads orders, converts them to shop-local days and stores the results.
//!
//! `days` turns instants into shop-local day numbers; `load` pages the orders into per-customer
//! summaries; `store` is the SQL; `refit` runs a whole-shop refit and the per-customer
//! re-prediction; `jobs` has the job and its daily fan-out.
//!
//! What counts as a purchase follows the customer counters (`sync::counters`): every order of
//! the customer that was not cancelled, at its `created_at`, for its total minus its refunds.
//! Orders of deleted customers are left out, as RFM scoring leaves those customers out.
//!
//! **Churn risk** is `1 − probability_order_365d` ([`StoredPrediction::churn_risk`]), and the
//! table has an index to sort by it. BG/NBD's `probability_active` cannot rank churn: the model
//! lets customers drop out only right after a repeat purchase, so it is 1 for every one-time
//! buyer however long ago they bought. The probability of ordering within a year falls both
//! with dropout and with a long silence, so it ranks one-time and repeat buyers on one scale.

mod days;
mod jobs;
mod load;
mod refit;
mod store;

pub use days::local_day;
pub use jobs::{RefitPredictions, SCHEDULE_EVERY, ScheduleRefits, refit_opts};
pub use load::{Summaries, summaries_of};
pub use refit::{Refitted, predict_customers, refit_all};
pub use store::{StoredModel, StoredPrediction, find_model, for_customer, for_customers};
