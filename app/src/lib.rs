//! The EcomCRM admin app: a Leptos client-side app that runs inside the Shopify admin (embedded,
//! through App Bridge) or on its own in dev mode. Server calls live in `api`, App Bridge calls in
//! `bridge`, browser helpers in `download` and `format`, reusable Polaris-style UI in `components`,
//! one file per route in `pages`, and the store-sync state every page shows in `sync_feed`.

pub mod api;
pub mod app;
pub mod bridge;
pub mod components;
pub mod download;
pub mod format;
pub mod location;
pub mod pages;
pub mod sync_feed;

/// Mounts the whole app onto `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
}
