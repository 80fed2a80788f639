//! The insight a merchant sees for one customer: from the cache while the customer's facts are
//! unchanged, else from the configured LLM (rate-limited per shop and counted against the plan's
//! AI allowance), else from the deterministic writer. Every failure on the LLM path falls back to
//! the deterministic text, so the customer page never fails because of AI.

use std::sync::Arc;

use chrono::Duration;

use super::deterministic;
use super::facts;
use super::limit;
use super::openai::OpenAiWriter;
use super::store;
use super::writer::{Insight, InsightWriter};
use crate::db::ShopDb;
use crate::error::AppError;
use crate::shopify::billing::usage::{self, Metric};
use crate::state::AppState;

/// After a failed LLM call the customer gets the deterministic text for this long before the
/// LLM is asked again: every call counts against the plan, so a failing endpoint must not be
/// paid for on every page view.
pub const RETRY_FAILED_AFTER: Duration = Duration::minutes(10);

/// The configured LLM writer, if any.
pub fn llm_writer(state: &AppState) -> Option<Arc<dyn InsightWriter>> {
    let config = state.config.llm.as_ref()?;
    Some(Arc::new(OpenAiWriter::new(state.http.clone(), config)))
}

/// The insight for a customer of the shop; `None` when the shop has no such customer.
///
/// Deterministic texts are written fresh on every call (they cost nothing and their "days ago"
/// stay true) and are only stored to remember a failed LLM call. LLM texts are stored with the
/// facts' fingerprint and served until the facts change.
pub async fn insight(
    state: &AppState,
    db: &ShopDb,
    customer_id: i64,
) -> Result<Option<Insight>, AppError> {
    let now = state.clock.now();
    let Some(mut facts) = facts::load(db, customer_id, now).await? else {
        return Ok(None);
    };
    if let Some(p) = crate::crm::predictions::for_customer(db, customer_id).await? {
        let zone = crate::crm::shop_time::zone(db).await?;
        let currency = facts.currency.clone();
        facts = facts.with_prediction(facts::PredictionFacts {
            probability_order_365d: Some(p.probability_order_365d),
            expected_next_order_on: p
                .next_order_at
                .map(|t| crate::crm::shop_time::local_date(zone, t)),
            clv_365d: Some(facts::Money {
                minor_units: p.clv_365d,
                currency,
            }),
            reason: Some(p.reason),
        });
    }
    let fingerprint = facts.fingerprint();
    let writer = llm_writer(state);
    if let Some(cached) = store::find_insight(db, customer_id).await?
        && cached.fingerprint == fingerprint
        && let Some(text) = cached.text
    {
        if cached.provider != deterministic::PROVIDER {
            return Ok(Some(Insight {
                text,
                provider: cached.provider,
                model: cached.model,
            }));
        }
        if now - cached.created_at < RETRY_FAILED_AFTER {
            return Ok(Some(deterministic::insight(&facts)));
        }
    }
    let Some(writer) = writer else {
        return Ok(Some(deterministic::insight(&facts)));
    };
    let shop = db.shop_id();
    if let Err(retry_in) = limit::check(state, shop) {
        tracing::info!(%shop, retry_in, "AI insight rate-limited; deterministic text");
        return Ok(Some(deterministic::insight(&facts)));
    }
    match usage::consume(state, db, Metric::AiRequests, 1).await {
        Ok(_) => {}
        Err(AppError::Plan { code, message }) => {
            tracing::info!(%shop, code, %message, "AI insight not allowed by the plan; deterministic text");
            return Ok(Some(deterministic::insight(&facts)));
        }
        Err(e) => return Err(e),
    }
    let insight = match writer.write(&facts).await {
        Ok(insight) => insight,
        Err(e) => {
            tracing::warn!(%shop, error = %e, "AI insight failed; deterministic text");
            deterministic::insight(&facts)
        }
    };
    store::upsert_insight(db, customer_id, &fingerprint, &insight, now).await?;
    Ok(Some(insight))
}
