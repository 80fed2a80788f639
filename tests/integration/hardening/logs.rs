//! Secrets and tokens never reach the logs. The test captures everything logged, at every
//! level, while a shop installs by token exchange, webhooks arrive (one forged) and jobs run,
//! then searches the text for every secret involved.
//!
//! The capture is the process's global subscriber, switched on only while this test runs. A
//! thread-scoped one (`set_default`) missed events now and then: callsites first hit on other
//! test threads can cache an interest that excludes it. Other tests' logs in the window are
//! captured too, which is harmless (their secrets differ) or a real leak (the shared key).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use ecomcrm_tests::sim::HmacMode;
use ecomcrm_tests::test_app::TestApp;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

use super::support::*;

/// A `MakeWriter` appending to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Whether the capture records (off outside this test, so the rest of the suite pays nothing).
static CAPTURING: AtomicBool = AtomicBool::new(false);

/// Installs the capturing global subscriber once; `None` when another one got there first
/// (`TEST_LOG` sends the logs to the terminal instead).
fn capture() -> Option<&'static Captured> {
    static CAPTURE: OnceLock<Option<Captured>> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            if std::env::var_os("TEST_LOG").is_some() {
                return None;
            }
            let captured = Captured::default();
            // The production JSON format, at every level: a secret logged at trace is still a
            // secret in a log file someone turned up.
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .with_writer(captured.clone())
                .with_filter(tracing_subscriber::filter::filter_fn(|_| {
                    CAPTURING.load(Ordering::Relaxed)
                }));
            let subscriber = tracing_subscriber::registry().with(layer);
            tracing::subscriber::set_global_default(subscriber)
                .ok()
                .map(|()| captured)
        })
        .as_ref()
}

#[tokio::test]
async fn no_secret_or_token_appears_in_the_logs() {
    let Some(captured) = capture() else {
        eprintln!("skipped: TEST_LOG installed its own subscriber, so logs cannot be captured");
        return;
    };
    CAPTURING.store(true, Ordering::Relaxed);

    let app = TestApp::spawn().await;
    let shop = app.add_shop("secretive-shop", SHOP_NAME).await;
    let session_token = app.session_token(&shop);
    install_with(&app, &shop, &session_token).await;
    let (access, refresh) = stored_tokens(&app, &shop).await;
    for d in [order_delivery(&shop), order_delivery(&shop)] {
        assert_eq!(send(&app, &d).await.status, 200);
    }
    let mut forged = order_delivery(&shop);
    forged.hmac = HmacMode::Invalid;
    assert_eq!(send(&app, &forged).await.status, 401);
    app.run_jobs().await;
    CAPTURING.store(false, Ordering::Relaxed);

    let logs = captured.text();
    assert!(
        logs.contains(&shop) && logs.contains("webhook"),
        "the capture saw the server's logs"
    );
    let key = base64::engine::general_purpose::STANDARD.encode(app.state.config.encryption_key);
    let secrets = [
        ("access token", access.as_str()),
        ("refresh token", refresh.as_str()),
        ("API secret", app.api_secret.as_str()),
        ("encryption key", key.as_str()),
        ("session token", session_token.as_str()),
    ];
    for (what, secret) in secrets {
        assert!(secret.len() >= 16, "{what} looks wrong: {secret:?}");
        assert!(!logs.contains(secret), "the {what} appears in the logs");
    }
    // A session token's signature alone is as good as the token for an attacker who can read
    // its claims elsewhere.
    let signature = session_token.rsplit('.').next().unwrap_or_default();
    assert!(
        !logs.contains(signature),
        "the session token's signature appears"
    );
}

/// The shop's access and refresh tokens in clear, decrypted from the app's own store.
async fn stored_tokens(app: &TestApp, shop: &str) -> (String, String) {
    let (access, refresh) = app.sealed_tokens(shop).await;
    let open = |sealed: Option<Vec<u8>>, what: &str| {
        app.state
            .cipher
            .open(&sealed.unwrap_or_else(|| panic!("no {what} stored")))
            .expect("decrypts")
    };
    (open(access, "access token"), open(refresh, "refresh token"))
}
