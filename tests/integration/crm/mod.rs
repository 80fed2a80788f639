//! CRM: segments, predictions, the dashboard, the customer list and the customer 360.

mod export;
mod loaders;
mod models_fit;
mod predictions;
mod segments;
mod views;
