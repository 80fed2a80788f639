//! CRM: segments, predictions, the dashboard, the customer list and the customer 360.

mod models_fit;
mod predictions;
mod segments;
mod views;
