//! Store data sync: the full import by bulk operations equals the simulator's store, a crash
//! mid-import resumes to the same state, throttling never fails it, and live webhooks plus the
//! delta sync end in the store's exact state. All against the simulator on both databases.

mod full_import;
mod reconcile;
pub mod support;
