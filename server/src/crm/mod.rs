//! CRM: RFM segments, purchase predictions (BG/NBD and Gamma-Gamma), the dashboard, the customer
//! list and the customer 360 profile.

pub mod customers;
pub mod dashboard;
pub mod export;
pub mod models;
pub mod predictions;
pub mod rfm;
pub mod schema;
pub mod shop_time;
