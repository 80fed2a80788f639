//! The dashboard's SVG charts: revenue per bucket against the previous period, and customers per
//! segment. Each bar carries a `<title>`, so hovering shows its exact value; the SVG keeps a
//! fixed aspect ratio, so nothing shifts when data arrives.

use leptos::prelude::*;

use crate::api::crm::{Money, RevenueSeries, SegmentCount};
use crate::format;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const AXIS: f64 = 18.0;

fn value(m: &Money) -> f64 {
    m.amount.parse().unwrap_or(0.0)
}

fn label(start: &str, grain: &str) -> String {
    // `start` is YYYY-MM-DD; months show as "2026-11", days and weeks as "11-16".
    match grain {
        "MONTH" => start.get(..7).unwrap_or(start).to_string(),
        _ => start.get(5..).unwrap_or(start).to_string(),
    }
}

/// Revenue bars with the previous period as a lighter bar behind each.
#[component]
pub fn RevenueChart(series: RevenueSeries) -> impl IntoView {
    let points = series.points;
    let max = points
        .iter()
        .flat_map(|p| [value(&p.revenue), value(&p.previous)])
        .fold(0.0_f64, f64::max);
    if points.is_empty() || max <= 0.0 {
        return view! {
            <p class="p-text-secondary" id="revenue-empty">"No revenue in this period yet."</p>
        }
        .into_any();
    }
    let n = points.len() as f64;
    let slot = WIDTH / n;
    let bar = (slot * 0.38).max(1.0);
    let scale = (HEIGHT - AXIS) / max;
    let every = (points.len() / 8).max(1);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = i as f64 * slot;
            let now = value(&p.revenue) * scale;
            let before = value(&p.previous) * scale;
            let title = format!(
                "{}: {} (previous period {})",
                p.start,
                format::money(&p.revenue.amount, &p.revenue.currency_code),
                format::money(&p.previous.amount, &p.previous.currency_code)
            );
            let tick = (i % every == 0).then(|| {
                view! {
                    <text class="p-chart__tick" x=x + slot / 2.0 y=HEIGHT - 4.0 text-anchor="middle">
                        {label(&p.start, &series.grain)}
                    </text>
                }
            });
            view! {
                <g class="p-chart__point">
                    <title>{title}</title>
                    <rect class="p-chart__hit" x=x y=0 width=slot height=HEIGHT - AXIS/>
                    <rect
                        class="p-chart__previous"
                        x=x + slot / 2.0 - bar
                        y=HEIGHT - AXIS - before
                        width=bar
                        height=before
                    />
                    <rect
                        class="p-chart__bar"
                        x=x + slot / 2.0
                        y=HEIGHT - AXIS - now
                        width=bar
                        height=now
                    />
                    {tick}
                </g>
            }
        })
        .collect_view();
    view! {
        <div class="p-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label="Revenue per period, with the previous period for comparison"
                id="revenue-chart"
            >
                {bars}
            </svg>
            <p class="p-chart__legend">
                <span class="p-chart__key p-chart__key--now"></span>"This period "
                <span class="p-chart__key p-chart__key--previous"></span>"Previous period"
            </p>
        </div>
    }
    .into_any()
}

/// Customers per segment as horizontal bars, prospects shown apart.
#[component]
pub fn SegmentChart(segments: Vec<SegmentCount>) -> impl IntoView {
    let (prospects, scored): (Vec<_>, Vec<_>) =
        segments.into_iter().partition(|s| s.segment == "prospect");
    let total: i64 = scored.iter().map(|s| s.count).sum();
    let max = scored.iter().map(|s| s.count).max().unwrap_or(0).max(1) as f64;
    let rows = scored
        .into_iter()
        .map(|s| {
            let pct = if total > 0 { s.count as f64 * 100.0 / total as f64 } else { 0.0 };
            let width = s.count as f64 / max * 100.0;
            let title = format!("{}: {} customers ({pct:.0}%)", s.label, s.count);
            view! {
                <li class="p-segment" data-segment=s.segment.clone()>
                    <a href=crate::location::app_href_with("/customers", &[("segment", &s.segment)])>
                        {s.label.clone()}
                    </a>
                    <svg class="p-segment__bar" viewBox="0 0 100 10" preserveAspectRatio="none">
                        <title>{title}</title>
                        <rect x=0 y=0 width=width height=10 class=format!("p-seg--{}", s.segment)/>
                    </svg>
                    <span class="p-segment__count">{format::number(s.count.max(0) as u64)}</span>
                </li>
            }
        })
        .collect_view();
    let prospects = prospects.first().map(|p| p.count).unwrap_or(0);
    view! {
        <ul class="p-segments" id="segment-chart">{rows}</ul>
        <p class="p-text-secondary">
            {format!("{} prospects (no orders yet)", format::number(prospects.max(0) as u64))}
        </p>
    }
}
