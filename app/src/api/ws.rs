//! GraphQL subscriptions over `GET /graphql/ws`, protocol `graphql-transport-ws`
//! (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). One socket per
//! subscription: the app has one live feed, so multiplexing would buy nothing yet.
//!
//! Browsers cannot set headers on a WebSocket, so the session token goes in the
//! `connection_init` payload as `{"Authorization": "Bearer …"}`. A dropped connection is opened
//! again with exponential backoff and jitter, with a fresh token; the subscription ends for good
//! only when the server completes it or refuses the operation, or when its [`Subscription`]
//! handle is dropped (a page unmounting).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout, set_timeout_with_handle};
use leptos::task::spawn_local;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{ApiError, GraphqlError, errors_to_api_error, token};

const WS_PATH: &str = "/graphql/ws";
const PROTOCOL: &str = "graphql-transport-ws";
/// The one operation each socket carries.
const OPERATION_ID: &str = "1";
/// The first reconnect waits about this long; each failure doubles it up to `MAX_RETRY`.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// What a subscription reports to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscriptionEvent<T> {
    /// The server accepted the connection and the operation (again, after a reconnect). Events
    /// may have been missed while disconnected, so an owner that shows state re-reads it now.
    Connected,
    /// One result of the operation.
    Next(T),
    /// The server refused the operation (or the session); the subscription is over.
    Failed(ApiError),
}

/// A running subscription. Dropping it unsubscribes and closes the socket; keep it in a
/// `StoredValue::new_local` so it lives exactly as long as the component that started it.
pub struct Subscription {
    shared: Rc<Shared>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

/// Starts `query` (a `subscription` operation) and calls `on_event` with each decoded result.
/// `T` is the shape of the result's `data`.
pub fn subscribe<T, F>(query: String, variables: Value, on_event: F) -> Subscription
where
    T: DeserializeOwned + 'static,
    F: Fn(SubscriptionEvent<T>) + 'static,
{
    let deliver = move |event: SubscriptionEvent<Value>| {
        let event = match event {
            SubscriptionEvent::Connected => SubscriptionEvent::Connected,
            SubscriptionEvent::Failed(error) => SubscriptionEvent::Failed(error),
            SubscriptionEvent::Next(data) => match serde_json::from_value(data) {
                Ok(data) => SubscriptionEvent::Next(data),
                Err(e) => {
                    // One odd message must not end a live view; the next one may be fine.
                    leptos::logging::error!("EcomCRM API: unreadable subscription data: {e}");
                    return;
                }
            },
        };
        on_event(event);
    };
    let shared = Rc::new(Shared {
        query,
        variables,
        deliver: Box::new(deliver),
        stopped: Cell::new(false),
        socket: RefCell::new(None),
        retry: Cell::new(None),
        failures: Cell::new(0),
    });
    connect(Rc::downgrade(&shared));
    Subscription { shared }
}

/// The state one subscription keeps across reconnects. Callbacks hold it weakly, so dropping
/// the `Subscription` frees it even while a socket or a timer still points at it.
struct Shared {
    query: String,
    variables: Value,
    deliver: Box<dyn Fn(SubscriptionEvent<Value>)>,
    /// Set once for good: dropped by its owner, completed or refused by the server.
    stopped: Cell<bool>,
    socket: RefCell<Option<Socket>>,
    retry: Cell<Option<TimeoutHandle>>,
    /// Connection attempts since the last acknowledged one, for the backoff.
    failures: Cell<u32>,
}

/// A socket with the callbacks it calls; they must outlive it, so they are kept together.
struct Socket {
    ws: WebSocket,
    /// Set when the server acknowledged `connection_init`.
    acked: Rc<Cell<bool>>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Detaches the callbacks and closes the socket. The closures themselves are dropped later
    /// (see `discard`): this may run inside one of them.
    fn shut(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        // Closing an already closing socket is harmless; the code is "normal closure".
        let _ = self.ws.close_with_code(1000);
    }
}

/// Drops a shut socket on a later turn of the event loop, never inside its own callback.
fn discard(socket: Option<Socket>) {
    if let Some(socket) = socket {
        set_timeout(move || drop(socket), Duration::ZERO);
    }
}

impl Shared {
    /// Ends the subscription: no more events, no reconnect.
    fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        if let Some(retry) = self.retry.take() {
            retry.clear();
        }
        let socket = self.socket.borrow_mut().take();
        if let Some(socket) = &socket {
            if socket.acked.get() && socket.ws.ready_state() == WebSocket::OPEN {
                // Polite, not required: closing the socket ends the operation anyway.
                let _ = socket
                    .ws
                    .send_with_str(&json!({"id": OPERATION_ID, "type": "complete"}).to_string());
            }
            socket.shut();
        }
        discard(socket);
    }

    /// Tries again after a backoff: 1 s, 2 s, 4 s … up to 30 s, each between half and all of that
    /// so that many tabs dropped together do not come back together.
    fn schedule_retry(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let full = FIRST_RETRY
            .saturating_mul(1u32 << failures.min(5))
            .min(MAX_RETRY);
        let wait = full.mul_f64(0.5 + js_sys::Math::random() / 2.0);
        let weak = Rc::downgrade(self);
        match set_timeout_with_handle(move || connect(weak), wait) {
            Ok(handle) => self.retry.set(Some(handle)),
            Err(_) => leptos::logging::error!("EcomCRM API: could not schedule a reconnect"),
        }
    }
}

/// `ws://` or `wss://` on the page's own host.
fn socket_url() -> Option<String> {
    let location = leptos::prelude::window().location();
    let scheme = match location.protocol().ok()?.as_str() {
        "https:" => "wss:",
        _ => "ws:",
    };
    Some(format!("{scheme}//{}{WS_PATH}", location.host().ok()?))
}

/// Opens a socket with a fresh token and wires its callbacks.
fn connect(weak: Weak<Shared>) {
    spawn_local(async move {
        let token = token::session_token().await;
        let Some(shared) = weak.upgrade() else {
            return;
        };
        if shared.stopped.get() {
            return;
        }
        shared.retry.set(None);
        let token = match token {
            Ok(token) => token,
            Err(ApiError::Unauthorized) => {
                // No session to connect with; retrying would not conjure one.
                shared.stopped.set(true);
                (shared.deliver)(SubscriptionEvent::Failed(ApiError::Unauthorized));
                return;
            }
            Err(_) => {
                shared.schedule_retry();
                return;
            }
        };
        let Some(url) = socket_url() else {
            shared.stopped.set(true);
            return;
        };
        let ws = match WebSocket::new_with_str(&url, PROTOCOL) {
            Ok(ws) => ws,
            Err(e) => {
                leptos::logging::error!("EcomCRM API: cannot open {url}: {e:?}");
                shared.schedule_retry();
                return;
            }
        };
        let socket = wire(&shared, ws, token);
        let previous = shared.socket.borrow_mut().replace(socket);
        if let Some(previous) = &previous {
            previous.shut();
        }
        discard(previous);
    });
}

/// What the server sends (only the fields the client reads).
#[derive(Deserialize)]
struct ServerMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    payload: Value,
}

/// One `next` payload: an ordinary GraphQL result.
#[derive(Deserialize)]
struct NextPayload {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

fn send(ws: &WebSocket, message: Value) {
    if let Err(e) = ws.send_with_str(&message.to_string()) {
        leptos::logging::error!("EcomCRM API: websocket send failed: {e:?}");
    }
}

fn wire(shared: &Rc<Shared>, ws: WebSocket, token: String) -> Socket {
    let acked = Rc::new(Cell::new(false));

    let on_open = {
        let ws = ws.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            send(
                &ws,
                json!({
                    "type": "connection_init",
                    "payload": { "Authorization": format!("Bearer {token}") },
                }),
            );
        })
    };

    let on_message = {
        let ws = ws.clone();
        let weak = Rc::downgrade(shared);
        let acked = acked.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            if shared.stopped.get() {
                return;
            }
            let Some(text) = event.data().as_string() else {
                return;
            };
            let message: ServerMessage = match serde_json::from_str(&text) {
                Ok(message) => message,
                Err(e) => {
                    leptos::logging::error!("EcomCRM API: unreadable websocket message: {e}");
                    return;
                }
            };
            handle(&shared, &ws, &acked, message);
        })
    };

    let on_close = {
        let weak = Rc::downgrade(shared);
        let acked = acked.clone();
        Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            if shared.stopped.get() {
                return;
            }
            if !acked.get() {
                // Closed before the handshake finished: most likely the token was refused
                // (async-graphql closes with the reason), so the next attempt fetches a new one.
                leptos::logging::warn!(
                    "EcomCRM API: live updates refused ({}: {})",
                    event.code(),
                    event.reason()
                );
                token::forget();
            }
            shared.schedule_retry();
        })
    };

    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Socket {
        ws,
        acked,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    }
}

/// Acts on one server message.
fn handle(shared: &Rc<Shared>, ws: &WebSocket, acked: &Cell<bool>, message: ServerMessage) {
    let ours = message.id.as_deref() == Some(OPERATION_ID);
    match message.kind.as_str() {
        "connection_ack" => {
            acked.set(true);
            shared.failures.set(0);
            send(
                ws,
                json!({
                    "id": OPERATION_ID,
                    "type": "subscribe",
                    "payload": { "query": shared.query, "variables": shared.variables },
                }),
            );
            (shared.deliver)(SubscriptionEvent::Connected);
        }
        "ping" => send(ws, json!({"type": "pong"})),
        "next" if ours => {
            let payload: NextPayload = match serde_json::from_value(message.payload) {
                Ok(payload) => payload,
                Err(e) => {
                    leptos::logging::error!("EcomCRM API: unreadable subscription result: {e}");
                    return;
                }
            };
            match payload.data {
                Some(data) if !data.is_null() => {
                    for error in &payload.errors {
                        leptos::logging::warn!(
                            "EcomCRM API: subscription error: {}",
                            error.message
                        );
                    }
                    (shared.deliver)(SubscriptionEvent::Next(data));
                }
                // No data: the operation itself was refused (plan, session, validation).
                _ if payload.errors.iter().any(GraphqlError::is_unauthenticated) => {
                    // The session went stale mid-connection; reconnect with a new token.
                    token::forget();
                    acked.set(false);
                    let _ = ws.close_with_code(1000);
                }
                _ => fail(shared, errors_to_api_error(payload.errors)),
            }
        }
        "error" if ours => {
            let errors: Vec<GraphqlError> =
                serde_json::from_value(message.payload).unwrap_or_default();
            fail(shared, errors_to_api_error(errors));
        }
        "complete" if ours => shared.stop(),
        _ => {}
    }
}

/// Ends the subscription with `error` for its owner.
fn fail(shared: &Rc<Shared>, error: ApiError) {
    shared.stop();
    (shared.deliver)(SubscriptionEvent::Failed(error));
}
