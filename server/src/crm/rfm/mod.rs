//! RFM scoring in SQL: quintile boundaries from `NTILE(5)` over the shop's customers with
//! orders, scores 1–5 derived from those stored boundaries, segments from the scores, and the
//! history of segment changes.
//!
//! Scores are always derived from the stored boundaries, by the full daily recompute and by
//! the incremental rescore after an order alike, so both give the same answer for the same
//! customer. A value scores the first quintile whose upper bound reaches it: customers tied
//! on a value share one score (the lowest quintile their value appears in), whatever order
//! `NTILE` put them in.
//!
//! | segment       | rule (first match wins; R, F, M are the scores)        |
//! |---------------|--------------------------------------------------------|
//! | `champion`    | R ≥ 4 and F ≥ 4 and M ≥ 4                              |
//! | `loyal`       | R ≥ 3 and F ≥ 4                                        |
//! | `new`         | R ≥ 4 and exactly one order                            |
//! | `potential`   | R ≥ 3                                                  |
//! | `at_risk`     | (R = 2 and F ≥ 3) or (R = 1 and F ≥ 4)                 |
//! | `hibernating` | R = 2                                                  |
//! | `lost`        | R = 1                                                  |
//! | `prospect`    | no orders (no scores; shown apart)                     |
//!
//! A shop with fewer than [`sql::QUINTILES_FROM`] buyers scores recency and frequency on fixed
//! bands instead (last order within 30/90/180/365 days; 1, 2, 3, 4, 5+ orders): quintiles of a
//! handful of buyers would put a store's very first buyer in the bottom fifth.

mod jobs;
mod recompute;
mod sql;

pub use jobs::{RecomputeSegments, SCHEDULE_EVERY, ScheduleSegmentRecomputes, publish_changes};
pub use recompute::{
    Change, Recomputed, recompute_all, rescore, rescore_all, segment_changed_events,
};
