//! Dev-only helpers (routes exist only with `ECOMCRM_ENV=dev`): a session token for running
//! the app outside the Shopify admin, where App Bridge cannot issue one.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use shared::ShopDomain;

use super::HttpState;
use crate::error::AppError;
use crate::shopify::session_token;

#[derive(Deserialize)]
pub struct SessionParams {
    shop: Option<String>,
}

/// `GET /dev/session?shop=` → `{"token": "<jwt>", "shop": "..."}`.
pub async fn session(
    State(s): State<HttpState>,
    Query(p): Query<SessionParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    let cfg = &s.app.config;
    let raw = p
        .shop
        .or_else(|| cfg.dev_shop.clone())
        .ok_or_else(|| AppError::BadRequest("add ?shop=your-store.myshopify.com".into()))?;
    let shop = ShopDomain::parse(&raw).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let now = s.app.clock.now().timestamp();
    let token = session_token::mint_dev_token(&shop, &cfg.api_key, cfg.api_secret.expose(), now);
    Ok(Json(serde_json::json!({ "token": token, "shop": shop })))
}
