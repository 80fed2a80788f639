//! Benchmarks (`cargo xtask bench NAME`, or `cargo run --release -p ecomcrm-tests --bin bench -- NAME`).
//!
//! `jobs`: enqueue-to-done throughput of the job queue on SQLite (a temp file) and PostgreSQL
//! (a fresh database), with 1 and 2 workers running in this process while the jobs are
//! enqueued. Prints one row per database and worker count with every run and the median, and
//! fails when a median is under the 1,000 jobs/s floor.
//!
//! `webhooks`: signed `orders/create` deliveries to the real server over loopback HTTP (see
//! `tests/src/bench/webhooks.rs`).
//!
//! `crm`: RFM scoring, the daily recompute, search, list pages, the dashboard and the
//! prediction refit on a 1,000,000-customer store (see `tests/src/bench/crm.rs`).
//!
//! `sync`: the full import of a 200,000-customer / 1,000,000-order store from the simulator
//! (see `tests/src/bench/sync.rs`).

#[path = "../bench/crm.rs"]
mod crm;
#[path = "../bench/sync.rs"]
mod sync;
#[path = "../bench/webhooks.rs"]
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ecomcrm::clock::Clock;
use ecomcrm::db::Backend;
use ecomcrm::jobs::{
    EnqueueOpts, Job, JobCtx, Registry, Worker, WorkerOpts, enqueue_many, queue_stats,
};
use ecomcrm_tests::testdb::TestDb;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

/// The throughput every database must clear (docs/DESIGN.md §5 asks for a real queue).
const FLOOR_JOBS_PER_SEC: f64 = 1_000.0;
/// Jobs per enqueue transaction (multi-row inserts inside).
const ENQUEUE_BATCH: usize = 1_000;

#[derive(Parser)]
#[command(about = "EcomCRM benchmarks")]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Job queue throughput (enqueue to done) on SQLite and PostgreSQL, 1 and 2 workers.
    Jobs {
        /// Jobs per run.
        #[arg(long, default_value_t = 20_000)]
        jobs: usize,
        /// Runs per cell (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Only this database: sqlite or postgres.
        #[arg(long)]
        only: Option<String>,
    },
    /// Signed webhook deliveries per second and latency to the 200, SQLite and PostgreSQL.
    Webhooks {
        /// Deliveries per closed-loop run.
        #[arg(long, default_value_t = 20_000)]
        count: usize,
        /// Closed-loop runs per database (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Offered deliveries per second in the open-loop mode.
        #[arg(long, default_value_t = 500)]
        rate: usize,
        /// Seconds of open-loop load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Only this database: sqlite or postgres.
        #[arg(long)]
        only: Option<String>,
    },
    /// The CRM on a large store: scoring, recompute, search, pages, dashboard, refit.
    Crm {
        /// Customers in the store.
        #[arg(long, default_value_t = 1_000_000)]
        customers: u32,
        /// Only this database: sqlite or postgres.
        #[arg(long)]
        only: Option<String>,
    },
    /// Full store import from the simulator into SQLite and PostgreSQL.
    Sync {
        /// Customers in the store.
        #[arg(long, default_value_t = 200_000)]
        customers: u32,
        /// Orders in the store.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u32,
        /// Only this database: sqlite or postgres.
        #[arg(long)]
        only: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Jobs { jobs, runs, only } => bench_jobs(jobs, runs.max(1), only.as_deref()).await,
        Bench::Webhooks {
            count,
            runs,
            rate,
            seconds,
            only,
        } => {
            let opts = webhooks::Opts {
                count,
                runs,
                rate,
                seconds,
                only,
            };
            webhooks::run(opts, &machine()).await
        }
        Bench::Crm { customers, only } => crm::run(crm::Opts { customers, only }, &machine()).await,
        Bench::Sync {
            customers,
            orders,
            only,
        } => {
            let opts = sync::Opts {
                customers,
                orders,
                only,
            };
            sync::run(opts, &machine()).await
        }
    }
}

/// Counts finished no-op jobs and wakes the bench when all are done.
struct Finish {
    done: AtomicUsize,
    target: usize,
    all_done: Notify,
}

/// A job that does nothing, so the figures measure the queue alone.
#[derive(Serialize, Deserialize)]
struct Noop {
    n: u32,
}

impl Job for Noop {
    const KIND: &'static str = "bench_noop";
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let finish = ctx.get::<Arc<Finish>>()?;
        if finish.done.fetch_add(1, Ordering::Relaxed) + 1 == finish.target {
            finish.all_done.notify_one();
        }
        Ok(())
    }
}

/// Worker settings tuned for throughput: big batches amortize each claim and completion
/// statement over many jobs.
fn worker_opts() -> WorkerOpts {
    WorkerOpts {
        concurrency: 512,
        batch_size: 256,
        poll_interval: Duration::from_millis(5),
        keep_done: None,
        ..WorkerOpts::default()
    }
}

struct Run {
    enqueue_per_sec: f64,
    done_per_sec: f64,
}

async fn one_run(backend: Backend, jobs: usize, workers: usize) -> anyhow::Result<Run> {
    let t = TestDb::fresh_on(backend)
        .await
        .with_context(|| format!("creating a {} database", backend.name()))?;
    let finish = Arc::new(Finish {
        done: AtomicUsize::new(0),
        target: jobs,
        all_done: Notify::new(),
    });
    let registry = Registry::new().register::<Noop>().provide(finish.clone());
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let worker = Worker::new(t.db.clone(), registry.clone(), Clock::System, worker_opts());
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        }));
    }
    let all_done = finish.all_done.notified();
    let clock = Clock::System;
    let start = Instant::now();
    let payloads: Vec<Noop> = (0..jobs as u32).map(|n| Noop { n }).collect();
    for chunk in payloads.chunks(ENQUEUE_BATCH) {
        let mut tx = t.db.begin().await?;
        enqueue_many(&mut tx, &clock, chunk, EnqueueOpts::default()).await?;
        tx.commit().await?;
    }
    let enqueued = start.elapsed();
    tokio::time::timeout(Duration::from_secs(600), all_done)
        .await
        .context("jobs did not finish in 10 minutes")?;
    let _ = stop.send(true);
    for task in tasks {
        task.await?;
    }
    let elapsed = start.elapsed();
    let stats = queue_stats(&t.db).await?;
    anyhow::ensure!(
        stats.done == jobs as i64,
        "expected {jobs} done jobs, found {stats:?}"
    );
    Ok(Run {
        enqueue_per_sec: jobs as f64 / enqueued.as_secs_f64(),
        done_per_sec: jobs as f64 / elapsed.as_secs_f64(),
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// `N CPUs, model`, for the first line of every bench's output.
fn machine() -> String {
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{nproc} CPUs, {}", cpu_model())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn bench_jobs(jobs: usize, runs: usize, only: Option<&str>) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    println!(
        "jobs: {jobs} no-op jobs per run, enqueued in transactions of {ENQUEUE_BATCH} while the workers run;"
    );
    println!(
        "      throughput = jobs / (first enqueue → last job marked done); median of {runs} runs\n"
    );
    println!(
        "| database | workers | {} | median jobs/s | enqueue jobs/s |",
        (1..=runs)
            .map(|i| format!("run {i}"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|{}---|---|", "---|".repeat(runs));
    let mut below = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if only.is_some_and(|o| o != backend.name()) {
            continue;
        }
        for workers in [1, 2] {
            let mut done = Vec::new();
            let mut enq = Vec::new();
            for _ in 0..runs {
                let run = one_run(backend, jobs, workers).await?;
                done.push(run.done_per_sec);
                enq.push(run.enqueue_per_sec);
            }
            let cells = done
                .iter()
                .map(|d| format!("{d:.0}"))
                .collect::<Vec<_>>()
                .join(" | ");
            let m = median(done);
            println!(
                "| {} | {workers} | {cells} | {m:.0} | {:.0} |",
                backend.name(),
                median(enq)
            );
            if m < FLOOR_JOBS_PER_SEC {
                below.push(format!(
                    "{} with {workers} worker(s): {m:.0} jobs/s",
                    backend.name()
                ));
            }
        }
    }
    anyhow::ensure!(
        below.is_empty(),
        "below the {FLOOR_JOBS_PER_SEC} jobs/s floor: {}",
        below.join("; ")
    );
    println!("\nall medians clear the {FLOOR_JOBS_PER_SEC:.0} jobs/s floor");
    Ok(())
}
