//! Reusable Polaris-shaped UI. Components take documented props, fetch nothing and know nothing of
//! routes or the server; their look comes from the Polaris tokens in `app/style.css`.

mod badge;
mod banner;
mod button;
mod card;
mod data_table;
mod empty_state;
mod frame;
mod layout;
mod page;
mod skeleton_page;
mod toast;

pub use badge::{Badge, Tone};
pub use banner::Banner;
pub use button::{Action, ActionTarget, Button, ButtonVariant};
pub use card::Card;
pub use data_table::DataTable;
pub use empty_state::EmptyState;
pub use frame::{Frame, NavItem};
pub use layout::{Layout, LayoutSection};
pub use page::Page;
pub use skeleton_page::{SkeletonCard, SkeletonPage};
pub use toast::{ToastProvider, Toaster, use_toast};
