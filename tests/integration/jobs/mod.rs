//! The job queue, on the backend `TEST_BACKEND` names: delays, dedupe, retries, dead letters,
//! schedules, leases, concurrent workers and shutdown. Jobs record their runs in a table so
//! assertions read the database, as a second process would.

mod concurrency;
mod dead_letters;
mod lifecycle;
mod retries;
mod schedules;
mod support;
mod transactions;
