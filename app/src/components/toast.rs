//! Toasts: short confirmations ("Saved") that disappear on their own. Inside the admin they go
//! through App Bridge so they look like every other admin toast; standalone we draw them.
//!
//! ```ignore
//! let toast = use_toast();
//! toast.show("Saved");
//! ```

use std::time::Duration;

use leptos::prelude::*;

use crate::bridge;

/// How long a toast stays up; Polaris's default.
const TOAST_DURATION: Duration = Duration::from_secs(5);

#[derive(Clone)]
struct ToastItem {
    id: u64,
    message: String,
    is_error: bool,
}

/// The handle `use_toast()` returns. Cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Toaster {
    items: RwSignal<Vec<ToastItem>>,
    next_id: StoredValue<u64>,
}

impl Toaster {
    /// Shows a confirmation.
    pub fn show(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    /// Shows a failure, in Polaris's critical style.
    pub fn show_error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    fn push(&self, message: String, is_error: bool) {
        if bridge::toast(&message, is_error) {
            return;
        }
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| {
            items.push(ToastItem {
                id,
                message,
                is_error,
            })
        });
        let items = self.items;
        set_timeout(move || dismiss(items, id), TOAST_DURATION);
    }
}

fn dismiss(items: RwSignal<Vec<ToastItem>>, id: u64) {
    // The timer may fire after the host is gone (e.g. in a test that unmounted it).
    let _ = items.try_update(|items| items.retain(|item| item.id != id));
}

/// The toaster of the nearest `ToastProvider`.
///
/// # Panics
/// When no `ToastProvider` is above the caller; `App` puts one around every page.
pub fn use_toast() -> Toaster {
    expect_context()
}

/// Provides `use_toast()` to its children and draws standalone toasts at the bottom of the screen.
#[component]
pub fn ToastProvider(
    /// The part of the app that may show toasts.
    children: Children,
) -> impl IntoView {
    let toaster = Toaster {
        items: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    };
    provide_context(toaster);
    let items = toaster.items;
    view! {
        {children()}
        <div class="p-toasts" aria-live="polite">
            <For each=move || items.get() key=|item| item.id let:item>
                <div class="p-toast" class:p-toast--error=item.is_error role="status">
                    <span>{item.message}</span>
                    <button
                        type="button"
                        class="p-toast__close"
                        aria-label="Dismiss"
                        on:click=move |_| dismiss(items, item.id)
                    >
                        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
                            <path d="M6 6l8 8M14 6l-8 8" stroke="currentColor" stroke-width="1.8"
                                stroke-linecap="round"/>
                        </svg>
                    </button>
                </div>
            </For>
        </div>
    }
}
