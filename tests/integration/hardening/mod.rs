//! Limits and hardening (issue 3 part 6): rate limits per shop and per client address (never on
//! webhooks), GraphQL errors that carry a code and no internals, and no secrets in the logs.

mod errors;
mod logs;
mod rate_limits;
mod support;
