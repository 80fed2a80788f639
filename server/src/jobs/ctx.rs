//! What a running job can reach: the database, the clock, its shop and the services the
//! process provided (Shopify client, mailer…) through a typed map the queue knows nothing about.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::sync::Arc;

use crate::clock::Clock;
use crate::db::{Db, ShopDb};

use super::JobId;

/// Services handed to every job, looked up by type (the axum `Extension` idea).
#[derive(Clone, Default)]
pub struct Extensions {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Extensions {
    /// Adds (or replaces) the value of type `T`.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was provided.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.map.len())
            .finish()
    }
}

/// The context one run of one job gets.
#[derive(Clone, Debug)]
pub struct JobCtx {
    /// The unscoped database (platform tables; reach tenant tables through `shop`).
    pub db: Db,
    /// The clock the worker was given; use it instead of the wall clock.
    pub clock: Clock,
    /// The shop the job was enqueued for, already bound, when it has one.
    pub shop: Option<ShopDb>,
    /// The job's id.
    pub job_id: JobId,
    /// Which run this is: 1 for the first, 2 for the first retry, …
    pub attempt: i32,
    /// How many runs the job gets before it is dead.
    pub max_attempts: i32,
    pub(crate) extensions: Arc<Extensions>,
}

impl JobCtx {
    /// A service the process provided with [`super::Registry::provide`].
    ///
    /// A missing one is a wiring bug, so the error says which type to provide; the job then
    /// fails and is retried like any other failure.
    pub fn get<T: Send + Sync + 'static>(&self) -> anyhow::Result<&T> {
        self.extensions.get::<T>().ok_or_else(|| {
            anyhow::anyhow!(
                "BUG: {} was not provided to the job registry",
                type_name::<T>()
            )
        })
    }

    /// The shop handle, or an error for a job that was enqueued without a shop.
    pub fn shop(&self) -> anyhow::Result<&ShopDb> {
        self.shop.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "job {} has no shop_id; enqueue it with EnqueueOpts::shop",
                self.job_id
            )
        })
    }

    /// Whether this is the last attempt (a failure now makes the job dead).
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}
