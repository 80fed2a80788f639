//! Writes synced records, whichever path they came by, through [`Upsert`]s: customers, orders
//! with their refunds, products with their variants, abandoned checkouts.

use chrono::{DateTime, Utc};

use super::records::{CheckoutRecord, CustomerRecord, OrderRecord, ProductRecord};
use super::upsert::Upsert;
use crate::db::{Arg, ShopTx};

const CUSTOMERS: Upsert = Upsert {
    table: "customers",
    columns: &[
        "id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "state",
        "tags",
        "locale",
        "verified_email",
        "email_marketing_state",
        "email_opt_in_level",
        "email_consent_updated_at",
        "sms_marketing_state",
        "sms_opt_in_level",
        "sms_consent_updated_at",
        "default_address",
        "shopify_orders_count",
        "shopify_amount_spent",
        "created_at",
        "updated_at",
    ],
    key: &["id"],
    insert_only: &["created_at"],
    newest_wins: true,
    redactable: true,
};

/// Customer webhooks carry no tags and no marketing consent (removed in API 2025-01): they
/// write every other column and leave those as the Admin API last reported them.
const CUSTOMERS_FROM_WEBHOOK: Upsert = Upsert {
    table: "customers",
    columns: &[
        "id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "state",
        "locale",
        "verified_email",
        "default_address",
        "created_at",
        "updated_at",
    ],
    key: &["id"],
    insert_only: &["created_at"],
    newest_wins: true,
    redactable: true,
};

const ORDERS: Upsert = Upsert {
    table: "orders",
    columns: &[
        "id",
        "name",
        "customer_id",
        "email",
        "phone",
        "currency",
        "presentment_currency",
        "subtotal_price",
        "total_discounts",
        "total_shipping",
        "total_tax",
        "total_price",
        "financial_status",
        "fulfillment_status",
        "cancel_reason",
        "cancelled_at",
        "discount_codes",
        "tags",
        "line_items",
        "source_name",
        "test",
        "historical",
        "created_at",
        "processed_at",
        "updated_at",
    ],
    key: &["id"],
    insert_only: &["historical", "created_at"],
    newest_wins: true,
    redactable: true,
};

const REFUNDS: Upsert = Upsert {
    table: "refunds",
    columns: &["id", "order_id", "amount", "currency", "note", "created_at"],
    key: &["id"],
    // A refund never changes once made.
    insert_only: &["order_id", "amount", "currency", "note", "created_at"],
    newest_wins: false,
    redactable: false,
};

const PRODUCTS: Upsert = Upsert {
    table: "products",
    columns: &[
        "id",
        "title",
        "handle",
        "product_type",
        "vendor",
        "status",
        "tags",
        "images",
        "created_at",
        "updated_at",
    ],
    key: &["id"],
    insert_only: &["created_at"],
    newest_wins: true,
    redactable: false,
};

const VARIANTS: Upsert = Upsert {
    table: "product_variants",
    columns: &[
        "id",
        "product_id",
        "title",
        "sku",
        "price",
        "compare_at_price",
        "inventory_quantity",
        "updated_at",
    ],
    key: &["id"],
    insert_only: &[],
    newest_wins: true,
    redactable: false,
};

const CHECKOUTS: Upsert = Upsert {
    table: "abandoned_checkouts",
    columns: &[
        "token",
        "shopify_id",
        "customer_id",
        "email",
        "currency",
        "presentment_currency",
        "subtotal_price",
        "total_price",
        "line_items",
        "recovery_url",
        "created_at",
        "updated_at",
        "completed_at",
    ],
    key: &["token"],
    insert_only: &["created_at"],
    newest_wins: true,
    redactable: true,
};

fn json_text<T: serde::Serialize>(value: &T) -> Arg {
    // Serializing plain records (strings, numbers, vectors of them) cannot fail.
    Arg::Text(Some(
        serde_json::to_string(value).unwrap_or_else(|_| "[]".into()),
    ))
}

/// Upserts customers; returns how many rows changed.
pub async fn customers(tx: &mut ShopTx, rows: &[CustomerRecord]) -> sqlx::Result<u64> {
    let args = rows
        .iter()
        .map(|c| {
            vec![
                c.id.into(),
                c.email.clone().into(),
                c.first_name.clone().into(),
                c.last_name.clone().into(),
                c.phone.clone().into(),
                c.state.as_str().into(),
                json_text(&c.tags),
                c.locale.clone().into(),
                c.verified_email.into(),
                c.email_consent.state.clone().into(),
                c.email_consent.opt_in_level.clone().into(),
                c.email_consent.updated_at.into(),
                c.sms_consent.state.clone().into(),
                c.sms_consent.opt_in_level.clone().into(),
                c.sms_consent.updated_at.into(),
                Arg::Text(c.default_address.as_ref().map(|a| a.to_string())),
                c.shopify_orders_count.into(),
                c.shopify_amount_spent.into(),
                c.created_at.into(),
                c.updated_at.into(),
            ]
        })
        .collect();
    CUSTOMERS.run(tx, args).await
}

/// Upserts a customer from a webhook (no tags or consent in the payload).
pub async fn customer_from_webhook(tx: &mut ShopTx, c: &CustomerRecord) -> sqlx::Result<u64> {
    let row = vec![
        c.id.into(),
        c.email.clone().into(),
        c.first_name.clone().into(),
        c.last_name.clone().into(),
        c.phone.clone().into(),
        c.state.as_str().into(),
        c.locale.clone().into(),
        c.verified_email.into(),
        Arg::Text(c.default_address.as_ref().map(|a| a.to_string())),
        c.created_at.into(),
        c.updated_at.into(),
    ];
    CUSTOMERS_FROM_WEBHOOK.run(tx, vec![row]).await
}

/// Upserts orders and their refunds. Orders created before `historical_before` are marked
/// historical when first written; returns how many order rows changed.
pub async fn orders(
    tx: &mut ShopTx,
    rows: &[OrderRecord],
    historical_before: Option<DateTime<Utc>>,
) -> sqlx::Result<u64> {
    let args = rows
        .iter()
        .map(|o| {
            let historical = historical_before.is_some_and(|before| o.created_at < before);
            vec![
                o.id.into(),
                o.name.as_str().into(),
                o.customer_id.into(),
                o.email.clone().into(),
                o.phone.clone().into(),
                o.currency.as_str().into(),
                o.presentment_currency.as_str().into(),
                o.subtotal_price.into(),
                o.total_discounts.into(),
                o.total_shipping.into(),
                o.total_tax.into(),
                o.total_price.into(),
                o.financial_status.clone().into(),
                o.fulfillment_status.clone().into(),
                o.cancel_reason.clone().into(),
                o.cancelled_at.into(),
                json_text(&o.discount_codes),
                json_text(&o.tags),
                json_text(&o.line_items),
                o.source_name.clone().into(),
                o.test.into(),
                historical.into(),
                o.created_at.into(),
                o.processed_at.into(),
                o.updated_at.into(),
            ]
        })
        .collect();
    let changed = ORDERS.run(tx, args).await?;
    let refunds = rows
        .iter()
        .flat_map(|o| &o.refunds)
        .map(refund_row)
        .collect();
    REFUNDS.run(tx, refunds).await?;
    Ok(changed)
}

/// Inserts refunds that arrived on their own (`refunds/create`).
pub async fn refunds(tx: &mut ShopTx, rows: &[super::records::RefundRecord]) -> sqlx::Result<u64> {
    REFUNDS.run(tx, rows.iter().map(refund_row).collect()).await
}

fn refund_row(r: &super::records::RefundRecord) -> Vec<Arg> {
    vec![
        r.id.into(),
        r.order_id.into(),
        r.amount.into(),
        r.currency.as_str().into(),
        r.note.clone().into(),
        r.created_at.into(),
    ]
}

/// Upserts products and their variants; returns how many product rows changed.
pub async fn products(tx: &mut ShopTx, rows: &[ProductRecord]) -> sqlx::Result<u64> {
    let args = rows
        .iter()
        .map(|p| {
            vec![
                p.id.into(),
                p.title.as_str().into(),
                p.handle.as_str().into(),
                p.product_type.clone().into(),
                p.vendor.clone().into(),
                p.status.as_str().into(),
                json_text(&p.tags),
                json_text(&p.images),
                p.created_at.into(),
                p.updated_at.into(),
            ]
        })
        .collect();
    let changed = PRODUCTS.run(tx, args).await?;
    let variants: Vec<Vec<Arg>> = rows
        .iter()
        .flat_map(|p| &p.variants)
        .map(|v| {
            vec![
                v.id.into(),
                v.product_id.into(),
                v.title.as_str().into(),
                v.sku.clone().into(),
                v.price.into(),
                v.compare_at_price.into(),
                v.inventory_quantity.into(),
                v.updated_at.into(),
            ]
        })
        .collect();
    VARIANTS.run(tx, variants).await?;
    Ok(changed)
}

/// Upserts abandoned checkouts; returns how many rows changed.
pub async fn checkouts(tx: &mut ShopTx, rows: &[CheckoutRecord]) -> sqlx::Result<u64> {
    let args = rows
        .iter()
        .map(|c| {
            vec![
                c.token.as_str().into(),
                c.shopify_id.into(),
                c.customer_id.into(),
                c.email.clone().into(),
                c.currency.as_str().into(),
                c.presentment_currency.clone().into(),
                c.subtotal_price.into(),
                c.total_price.into(),
                json_text(&c.line_items),
                c.recovery_url.clone().into(),
                c.created_at.into(),
                c.updated_at.into(),
                c.completed_at.into(),
            ]
        })
        .collect();
    CHECKOUTS.run(tx, args).await
}

/// Soft-deletes a customer (`customers/delete`): hidden, kept for the orders pointing at it.
pub async fn delete_customer(tx: &mut ShopTx, id: i64, at: DateTime<Utc>) -> sqlx::Result<u64> {
    tx.query("update customers set deleted_at = $3 where shop_id = $1 and id = $2 and deleted_at is null")
        .bind(id)
        .bind(at)
        .execute()
        .await
}
