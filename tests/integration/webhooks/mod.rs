//! `POST /webhooks` and the jobs behind it: verification and status codes, dedupe, storage in
//! one transaction with the job, uninstall and reinstall, compliance topics, dead letters and
//! payload retention. Payloads are Shopify's official examples (tests/fixtures/shopify).

mod burst;
mod compliance;
mod dead_letters;
mod lifecycle;
mod receive;
mod retention;
mod support;
mod topics;
mod uninstall;
