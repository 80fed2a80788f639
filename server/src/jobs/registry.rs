//! Which job kinds this process can run, its schedules, and the services jobs reach through
//! [`JobCtx::get`]. The queue stores only a kind name and JSON; the registry turns them back
//! into a typed job, so adding a job never touches the runner.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::schedule::Schedule;
use super::{Extensions, Job, JobCtx};

/// A job's run, erased to one type so jobs of every kind share the worker.
pub(super) type BoxedRun = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// Decodes a payload of one kind and starts its run; the decode error is kept apart from
/// run errors because a payload that cannot decode will never succeed.
pub(super) type Handler =
    Arc<dyn Fn(&str, JobCtx) -> Result<BoxedRun, serde_json::Error> + Send + Sync>;

/// Builds the handler for job type `J`.
pub(super) fn handler_for<J: Job>() -> Handler {
    Arc::new(|payload, ctx| {
        let job: J = serde_json::from_str(payload)?;
        Ok(Box::pin(async move { job.run(&ctx).await }))
    })
}

/// Why a stored job cannot be run at all (it goes dead at once; retrying cannot help).
#[derive(Debug, thiserror::Error)]
pub(super) enum Undeliverable {
    #[error("unknown job kind {0:?}: no handler is registered for it in this process")]
    UnknownKind(String),
    #[error("payload of {kind:?} does not deserialize: {source}")]
    BadPayload {
        kind: String,
        source: serde_json::Error,
    },
}

/// Job kinds, schedules and services; build one at start and hand it to each [`super::Worker`].
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    /// The Rust type behind each kind, to catch two types claiming one `KIND`.
    types: HashMap<&'static str, &'static str>,
    pub(super) schedules: Vec<Schedule>,
    pub(super) extensions: Arc<Extensions>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("Registry")
            .field("kinds", &kinds)
            .field("schedules", &self.schedules.len())
            .field("extensions", &self.extensions)
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets workers run jobs of type `J`.
    ///
    /// # Panics
    /// When another type already registered the same `KIND`: that is a programming error
    /// that must stop the process at start, not misroute stored jobs later.
    pub fn register<J: Job>(mut self) -> Self {
        self.add_handler(J::KIND, std::any::type_name::<J>(), handler_for::<J>());
        self
    }

    /// Adds a recurring schedule (and registers its job type).
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.add_handler(schedule.kind, schedule.type_name, schedule.handler.clone());
        self.schedules.retain(|s| s.name != schedule.name);
        self.schedules.push(schedule);
        self
    }

    /// Provides a service jobs fetch with `ctx.get::<T>()` (a Shopify client, a mailer, the
    /// event bus). One value per type; a second call replaces the first.
    pub fn provide<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        Arc::make_mut(&mut self.extensions).insert(value);
        self
    }

    /// Whether this process can run jobs of `kind`.
    pub fn knows(&self, kind: &str) -> bool {
        self.handlers.contains_key(kind)
    }

    fn add_handler(&mut self, kind: &'static str, type_name: &'static str, handler: Handler) {
        // The same type registered twice (as a job and through a schedule) is fine.
        if let Some(existing) = self.types.get(kind) {
            assert!(
                *existing == type_name,
                "job types {existing} and {type_name} share KIND {kind:?}"
            );
        }
        self.types.insert(kind, type_name);
        self.handlers.insert(kind, handler);
    }

    /// Decodes a stored job and returns its run, ready to spawn.
    pub(super) fn start(
        &self,
        kind: &str,
        payload: &str,
        ctx: JobCtx,
    ) -> Result<BoxedRun, Undeliverable> {
        let handler = self
            .handlers
            .get(kind)
            .ok_or_else(|| Undeliverable::UnknownKind(kind.to_string()))?;
        handler(payload, ctx).map_err(|source| Undeliverable::BadPayload {
            kind: kind.to_string(),
            source,
        })
    }
}
