//! The platform: health, configuration, the app bundle, GraphQL auth and limits, install.

mod admin_api;
mod admin_operations;
mod app_bundle;
mod config;
mod graphql_auth;
mod health;
mod install;
mod isolation;
mod profile_refresh;
mod subscriptions;
mod tenancy;
