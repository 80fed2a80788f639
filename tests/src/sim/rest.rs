//! The REST-shaped payloads of the webhooks the control API sends (`changes*.rs`): `customer`
//! (without tags and marketing consent, which Shopify removed in 2025-01), the `customers/delete`
//! stub, `order`, `refund` and the abandoned
//! `checkout` (keyed by `token`, as since 2026-04), built from [`Records`] like the GraphQL
//! objects in `records.rs`. Money is in the shop currency, as decimal strings.

use serde_json::{Value as Json, json};

use super::demo::{
    CancelReason, Customer, CustomerState, FinancialStatus, FulfillmentStatus, OrderSource, Refund,
};
use super::records::{CheckoutView, OrderView, Records, checkout_name, checkout_url, gid, iso};

/// The REST `customer` object of webhooks (`customers/create`, `customers/update`, and inside
/// orders).
pub fn customer_rest(records: &Records, c: &Customer) -> Json {
    let address = c.address.map(|a| {
        json!({
            "id": c.id + 1,
            "customer_id": c.id,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": Json::Null,
            "address1": a.address1(),
            "address2": Json::Null,
            "city": a.city.name,
            "province": a.city.province,
            "country": a.city.country,
            "zip": a.zip(),
            "phone": c.phone.as_deref(),
            "name": format!("{} {}", c.first_name, c.last_name),
            "province_code": a.city.province_code,
            "country_code": a.city.country_code,
            "country_name": a.city.country,
            "default": true,
        })
    });
    json!({
        "id": c.id,
        "email": c.email.as_deref(),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "state": match c.state {
            CustomerState::Disabled => "disabled",
            CustomerState::Invited => "invited",
            CustomerState::Enabled => "enabled",
            CustomerState::Declined => "declined",
        },
        "note": Json::Null,
        "verified_email": c.verified_email,
        "multipass_identifier": Json::Null,
        "tax_exempt": false,
        "phone": c.phone.as_deref(),
        "currency": records.currency().code(),
        "addresses": address.iter().cloned().collect::<Vec<_>>(),
        "tax_exemptions": [],
        "admin_graphql_api_id": gid("Customer", c.id),
        "default_address": address,
    })
}

/// The `customers/delete` payload: Shopify sends only the id and empty personal fields.
pub fn customer_delete_rest(id: i64) -> Json {
    json!({
        "id": id,
        "phone": Json::Null,
        "addresses": [],
        "tax_exemptions": [],
        "email_marketing_consent": Json::Null,
        "sms_marketing_consent": Json::Null,
        "admin_graphql_api_id": gid("Customer", id),
    })
}

pub fn financial_rest(status: FinancialStatus) -> &'static str {
    match status {
        FinancialStatus::Pending => "pending",
        FinancialStatus::Authorized => "authorized",
        FinancialStatus::Paid => "paid",
        FinancialStatus::PartiallyRefunded => "partially_refunded",
        FinancialStatus::Refunded => "refunded",
        FinancialStatus::Voided => "voided",
    }
}

fn money_set(records: &Records, amount: i64) -> Json {
    let c = records.currency();
    let money = json!({"amount": c.format(amount), "currency_code": c.code()});
    json!({"shop_money": money, "presentment_money": money})
}

/// The REST `refund` object (`refunds/create`, and inside orders).
pub fn refund_rest(records: &Records, order_id: i64, r: &Refund) -> Json {
    let c = records.currency();
    json!({
        "id": r.id,
        "order_id": order_id,
        "created_at": iso(r.created_at),
        "processed_at": iso(r.created_at),
        "note": r.note,
        "restock": r.restock,
        "user_id": Json::Null,
        "admin_graphql_api_id": gid("Refund", r.id),
        "refund_line_items": [],
        "transactions": [{
            "id": r.id + 1,
            "order_id": order_id,
            "kind": "refund",
            "gateway": "bogus",
            "status": "success",
            "amount": c.format(r.amount),
            "currency": c.code(),
            "created_at": iso(r.created_at),
            "admin_graphql_api_id": gid("OrderTransaction", r.id + 1),
        }],
        "order_adjustments": [],
    })
}

/// The REST `order` object of `orders/*` webhooks.
pub fn order_rest(records: &Records, view: OrderView<'_>) -> Json {
    let o = view.order;
    let c = records.currency();
    let customer = view.customer_id.and_then(|id| records.customer(id));
    let refunded: i64 = view.refunds.iter().map(|r| r.amount).sum();
    let total = o.total_price();
    let lines: Vec<Json> = view
        .lines
        .iter()
        .map(|l| {
            let variant = records.store.variants.get(l.variant as usize);
            let product = variant.and_then(|v| records.store.products.get(v.product as usize));
            json!({
                "id": l.id,
                "admin_graphql_api_id": gid("LineItem", l.id),
                "variant_id": variant.map(|v| v.id),
                "product_id": product.map(|p| p.id),
                "title": product.map_or("", |p| p.title.as_str()),
                "variant_title": variant.map(|v| v.title.as_str()),
                "name": product.map_or("", |p| p.title.as_str()),
                "sku": variant.map(|v| v.sku.as_str()),
                "vendor": product.map(|p| p.vendor),
                "quantity": l.quantity,
                "current_quantity": l.quantity,
                "price": c.format(l.unit_price),
                "price_set": money_set(records, l.unit_price),
                "total_discount": c.format(0),
                "gift_card": false,
                "taxable": true,
                "requires_shipping": true,
                "product_exists": product.is_some(),
            })
        })
        .collect();
    let email = customer.and_then(|c| c.email.as_deref());
    let mut out = json!({
        "id": o.id,
        "admin_graphql_api_id": gid("Order", o.id),
        "name": o.name(),
        "number": o.number.saturating_sub(1000),
        "order_number": o.number,
        "email": email,
        "contact_email": email,
        "phone": Json::Null,
        "created_at": iso(o.created_at),
        "processed_at": iso(o.created_at),
        "updated_at": iso(o.updated_at),
        "cancelled_at": o.cancelled_at.map(iso),
        "cancel_reason": o.cancel_reason.map(|r| match r {
            CancelReason::Customer => "customer",
            CancelReason::Declined => "declined",
            CancelReason::Fraud => "fraud",
            CancelReason::Inventory => "inventory",
            CancelReason::Staff => "staff",
            CancelReason::Other => "other",
        }),
        "closed_at": o.cancelled_at.map(iso),
        "confirmed": true,
        "test": false,
        "currency": c.code(),
        "presentment_currency": o.presentment_currency.code(),
        "financial_status": financial_rest(o.financial_status),
        "fulfillment_status": match o.fulfillment_status {
            FulfillmentStatus::Unfulfilled => Json::Null,
            FulfillmentStatus::PartiallyFulfilled => json!("partial"),
            FulfillmentStatus::Fulfilled => json!("fulfilled"),
            FulfillmentStatus::Restocked => json!("restocked"),
        },
    });
    let more = json!({
        "source_name": match o.source {
            OrderSource::Web => "web",
            OrderSource::ShopifyDraftOrder => "shopify_draft_order",
            OrderSource::Pos => "pos",
            OrderSource::ShopApp => "shop",
        },
        "subtotal_price": c.format(o.subtotal),
        "subtotal_price_set": money_set(records, o.subtotal),
        "total_line_items_price": c.format(o.subtotal),
        "total_discounts": c.format(o.total_discounts),
        "total_discounts_set": money_set(records, o.total_discounts),
        "total_tax": c.format(o.tax),
        "total_tax_set": money_set(records, o.tax),
        "total_shipping_price_set": money_set(records, o.shipping),
        "total_price": c.format(total),
        "total_price_set": money_set(records, total),
        "current_subtotal_price": c.format(o.subtotal),
        "current_total_price": c.format(total - refunded),
        "current_total_price_set": money_set(records, total - refunded),
        "current_total_discounts": c.format(o.total_discounts),
        "current_total_tax": c.format(o.tax),
        "total_outstanding": c.format(0),
        "discount_codes": o.discount_code.map(|code| json!([{"code": code, "amount": c.format(o.total_discounts), "type": "fixed_amount"}])).unwrap_or(json!([])),
        "tags": "",
        "note": Json::Null,
        "customer": customer.map(|cu| customer_rest(records, cu)),
        "line_items": lines,
        "refunds": view.refunds.iter().map(|r| refund_rest(records, o.id, r)).collect::<Vec<_>>(),
        "fulfillments": [],
        "shipping_lines": [],
    });
    if let (Some(out), Json::Object(more)) = (out.as_object_mut(), more) {
        out.extend(more);
    }
    out
}

/// The REST `checkout` object of `checkouts/create` and `checkouts/update` (after
/// `fixtures/shopify/checkouts_create.json`): keyed by `token`, without `id` (removed 2026-04).
pub fn checkout_rest(records: &Records, view: CheckoutView<'_>) -> Json {
    let c = view.checkout;
    let currency = records.currency();
    let customer = view.customer_id.and_then(|id| records.customer(id));
    let email = c
        .email
        .as_deref()
        .or_else(|| customer.and_then(|cu| cu.email.as_deref()));
    let lines: Vec<Json> = view
        .lines
        .iter()
        .map(|l| {
            let variant = records.store.variants.get(l.variant as usize);
            let product = variant.and_then(|v| records.store.products.get(v.product as usize));
            let title = product.map_or("", |p| p.title.as_str());
            json!({
                "key": format!("{:016x}{:016x}", l.id, variant.map_or(0, |v| v.id)),
                "product_id": product.map(|p| p.id),
                "variant_id": variant.map(|v| v.id),
                "title": title,
                "presentment_title": title,
                "variant_title": variant.map(|v| v.title.as_str()),
                "presentment_variant_title": variant.map(|v| v.title.as_str()),
                "sku": variant.map(|v| v.sku.as_str()),
                "vendor": product.map(|p| p.vendor),
                "quantity": l.quantity,
                "price": currency.format(l.unit_price),
                "variant_price": currency.format(l.unit_price),
                "line_price": currency.format(l.unit_price * i64::from(l.quantity)),
                "compare_at_price": Json::Null,
                "applied_discounts": [],
                "discount_allocations": [],
                "tax_lines": [],
                "gift_card": false,
                "taxable": true,
                "requires_shipping": true,
                "fulfillment_service": "manual",
                "properties": Json::Null,
            })
        })
        .collect();
    let subtotal = c.subtotal;
    // The cart token is another 32 hex digits; derived from the checkout token so it is stable.
    let cart_token: String = c
        .token
        .iter()
        .map(|b| format!("{:02x}", b ^ 0xa5))
        .collect();
    let mut out = json!({
        "token": c.token_hex(),
        "cart_token": cart_token,
        "email": email,
        "gateway": Json::Null,
        "buyer_accepts_marketing": false,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "completed_at": c.completed_at.map(iso),
        "closed_at": Json::Null,
        "landing_site": Json::Null,
        "note": Json::Null,
        "note_attributes": [],
        "referring_site": Json::Null,
        "shipping_lines": [],
        "taxes_included": false,
        "currency": currency.code(),
        "presentment_currency": c.presentment_currency.code(),
        "user_id": Json::Null,
        "location_id": Json::Null,
        "source_identifier": Json::Null,
        "source_url": Json::Null,
        "device_id": Json::Null,
        "phone": Json::Null,
        "customer_locale": customer.map(|cu| cu.locale),
    });
    let more = json!({
        "name": checkout_name(c),
        "source": Json::Null,
        "source_name": "web",
        "abandoned_checkout_url": checkout_url(c),
        "line_items": lines,
        "discount_codes": [],
        "tax_lines": [],
        "buyer_accepts_sms_marketing": false,
        "sms_marketing_phone": Json::Null,
        "subtotal_price": currency.format(subtotal),
        "total_line_items_price": currency.format(subtotal),
        "total_discounts": currency.format(0),
        "total_tax": currency.format(0),
        "total_duties": Json::Null,
        "total_price": currency.format(subtotal),
        "customer": customer.map(|cu| customer_rest(records, cu)),
    });
    if let (Some(out), Json::Object(more)) = (out.as_object_mut(), more) {
        out.extend(more);
    }
    out
}
