//! Test support for EcomCRM: the Shopify simulator (`sim`, served by the `shopify-sim` binary) and
//! the signing helpers integration tests use to speak to the app as Shopify would. The integration
//! and browser tests themselves live in `tests/integration` and `tests/browser`, not here.

pub mod llm_server;
pub mod signing;
pub mod sim;
pub mod test_app;
pub mod testdb;

/// Turns on logs in tests when `TEST_LOG` is set (zero2prod's switch); quiet otherwise.
pub fn init_test_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        ecomcrm::telemetry::init(false);
    }
}
