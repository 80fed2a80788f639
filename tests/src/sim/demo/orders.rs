//! Demo orders: what is in the cart, discounts, shipping, tax, payment and fulfilment states,
//! cancellations and refunds, built in time order (from `plan.rs`) with increasing ids and
//! numbers, like a real shop's.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::{Calendar, DAY};
use super::catalog::Catalog;
use super::currency::Currency;
use super::ids::IdSeq;
use super::model::{
    CancelReason, Customer, FinancialStatus, FulfillmentStatus, LineItem, Minor, Order,
    OrderSource, Refund, Span,
};
use super::people::People;
use super::plan::{self, GUEST};
use super::words::{CITIES, DISCOUNT_CODES, REFUND_NOTES};

const CANCEL_RATE: f64 = 0.015;
const REFUND_RATE: f64 = 0.035;

/// Everything the order generator reads.
#[derive(Debug)]
pub struct OrderInputs<'a> {
    pub count: usize,
    pub start: i64,
    pub end: i64,
    pub currency: Currency,
    pub presentment: &'a [Currency],
    pub calendar: &'a Calendar,
    pub catalog: &'a Catalog,
}

/// Orders with their line items and refunds in flat arenas.
#[derive(Debug, Default)]
pub struct OrderBook {
    pub orders: Vec<Order>,
    pub line_items: Vec<LineItem>,
    pub refunds: Vec<Refund>,
}

/// Generates the orders and updates each customer's order count, spend and VIP tag.
pub fn generate(rng: &mut ChaCha8Rng, input: &OrderInputs<'_>, people: &mut People) -> OrderBook {
    let plan = plan::plan_orders(rng, input, people);
    let mut book = OrderBook {
        orders: Vec::with_capacity(plan.len()),
        line_items: Vec::with_capacity(plan.len() * 2 + plan.len() / 4),
        refunds: Vec::new(),
    };
    let mut order_ids = IdSeq::crossing_two_pow_53(plan.len(), 1_500);
    // About 1.8 lines per order; estimating low makes sure some line ids cross 2^53.
    let mut line_ids = IdSeq::crossing_two_pow_53(plan.len() * 3 / 2, 900);
    let mut refund_ids = IdSeq::new(1_100_000_000_000, 3_000);
    let customers = &mut people.customers;
    for (number, &(created_at, who)) in plan.iter().enumerate() {
        let customer = (who != GUEST).then_some(who);
        let first_order = customer.is_none_or(|c| customers[c as usize].orders_count == 0);
        let index = book.orders.len() as u32;
        let mut order = build_order(
            rng,
            input,
            &mut book,
            &mut line_ids,
            customers,
            customer,
            created_at,
            first_order,
        );
        order.id = order_ids.next(rng);
        order.number = 1001 + number as u32;
        settle(rng, input, &mut book, &mut refund_ids, &mut order, index);
        if let Some(c) = customer {
            let buyer = &mut customers[c as usize];
            buyer.orders_count += 1;
            if order.financial_status != FinancialStatus::Voided {
                let refunded: Minor = book.refunds[order.refunds.range()]
                    .iter()
                    .map(|r| r.amount)
                    .sum();
                buyer.amount_spent += order.total_price() - refunded;
            }
            buyer.last_order = Some(order.id);
            buyer.updated_at = buyer.updated_at.max(order.updated_at);
        }
        book.orders.push(order);
    }
    plan::tag_top_spenders(customers);
    book
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename the same values"
)]
fn build_order(
    rng: &mut ChaCha8Rng,
    input: &OrderInputs<'_>,
    book: &mut OrderBook,
    line_ids: &mut IdSeq,
    customers: &[Customer],
    customer: Option<u32>,
    created_at: i64,
    first_order: bool,
) -> Order {
    let city = customer
        .and_then(|c| customers[c as usize].address)
        .map_or_else(|| &CITIES[rng.random_range(0..CITIES.len())], |a| a.city);
    let lines = match rng.random_range(0..100) {
        0..=54 => 1,
        55..=79 => 2,
        80..=91 => 3,
        _ => rng.random_range(4..=6),
    };
    let start = book.line_items.len();
    let mut subtotal = 0;
    for _ in 0..lines {
        let variant = input.catalog.pick_variant(rng);
        let quantity = match rng.random_range(0..100) {
            0..=85 => 1,
            86..=95 => 2,
            96..=98 => 3,
            _ => 4,
        };
        let unit_price = input.catalog.variants[variant as usize].price;
        subtotal += unit_price * i64::from(quantity);
        // The same variant twice in one cart becomes one line with a higher quantity.
        if let Some(line) = book.line_items[start..]
            .iter_mut()
            .find(|l| l.variant == variant)
        {
            line.quantity += quantity;
            continue;
        }
        book.line_items.push(LineItem {
            id: line_ids.next(rng),
            variant,
            quantity,
            unit_price,
        });
    }
    let roll: f64 = rng.random();
    let discount_code = if input.calendar.is_bfcm(created_at) && roll < 0.45 {
        Some(DISCOUNT_CODES[4])
    } else if first_order && roll < 0.15 {
        Some(DISCOUNT_CODES[0])
    } else if roll < 0.06 {
        Some(DISCOUNT_CODES[rng.random_range(1..4)])
    } else {
        None
    };
    let total_discounts = discount_code.map_or(0, |(_, pct)| subtotal * pct / 100);
    let source = match rng.random_range(0..100) {
        0..=87 => OrderSource::Web,
        88..=93 => OrderSource::ShopApp,
        94..=97 => OrderSource::Pos,
        _ => OrderSource::ShopifyDraftOrder,
    };
    let free_shipping = subtotal - total_discounts >= input.currency.from_usd(75.0)
        || discount_code.is_some_and(|(code, _)| code == "FREESHIP")
        || source == OrderSource::Pos;
    let shipping = if free_shipping {
        0
    } else if city.country_code == "US" {
        input.currency.from_usd(7.99)
    } else {
        input.currency.from_usd(14.99)
    };
    let presentment_currency = if input.presentment.contains(&city.currency) {
        city.currency
    } else {
        input.currency
    };
    Order {
        id: 0,
        number: 0,
        customer,
        created_at,
        updated_at: created_at,
        cancelled_at: None,
        cancel_reason: None,
        financial_status: FinancialStatus::Paid,
        fulfillment_status: FulfillmentStatus::Unfulfilled,
        presentment_currency,
        subtotal,
        total_discounts,
        shipping,
        tax: (subtotal - total_discounts) * city.tax_bp / 10_000,
        discount_code: discount_code.map(|(code, _)| code),
        source,
        line_items: Span {
            start: start as u32,
            len: (book.line_items.len() - start) as u16,
        },
        refunds: Span {
            start: book.refunds.len() as u32,
            len: 0,
        },
    }
}

/// Payment, fulfilment, cancellation and refunds, depending on the order's age.
fn settle(
    rng: &mut ChaCha8Rng,
    input: &OrderInputs<'_>,
    book: &mut OrderBook,
    refund_ids: &mut IdSeq,
    order: &mut Order,
    index: u32,
) {
    let (created_at, end) = (order.created_at, input.end);
    let age = end - created_at;
    let later = move |rng: &mut ChaCha8Rng, min: i64, max: i64| {
        (created_at + rng.random_range(min..=max.max(min))).min(end)
    };
    if rng.random_bool(CANCEL_RATE) {
        let reason = match rng.random_range(0..100) {
            0..=49 => CancelReason::Customer,
            50..=64 => CancelReason::Inventory,
            65..=79 => CancelReason::Fraud,
            80..=89 => CancelReason::Declined,
            90..=94 => CancelReason::Staff,
            _ => CancelReason::Other,
        };
        let at = later(rng, 600, 3 * DAY);
        order.cancelled_at = Some(at);
        order.cancel_reason = Some(reason);
        order.updated_at = at;
        if matches!(reason, CancelReason::Declined | CancelReason::Fraud) {
            // Payment never captured: nothing to refund.
            order.financial_status = FinancialStatus::Voided;
        } else {
            order.financial_status = FinancialStatus::Refunded;
            order.fulfillment_status = FulfillmentStatus::Restocked;
            push_refund(
                book,
                refund_ids,
                rng,
                order,
                index,
                at,
                order.total_price(),
                None,
                true,
            );
        }
        return;
    }
    let roll = rng.random_range(0..1000);
    order.financial_status = match (age < 3 * DAY, roll) {
        (true, 0..=29) => FinancialStatus::Pending,
        (true, 30..=69) => FinancialStatus::Authorized,
        (false, 0..=3) => FinancialStatus::Pending,
        _ => FinancialStatus::Paid,
    };
    let roll = rng.random_range(0..1000);
    order.fulfillment_status = match order.financial_status {
        FinancialStatus::Paid if age < DAY => {
            if roll < 200 {
                FulfillmentStatus::Fulfilled
            } else {
                FulfillmentStatus::Unfulfilled
            }
        }
        FinancialStatus::Paid if age < 4 * DAY => match roll {
            0..=599 => FulfillmentStatus::Fulfilled,
            600..=699 => FulfillmentStatus::PartiallyFulfilled,
            _ => FulfillmentStatus::Unfulfilled,
        },
        FinancialStatus::Paid => match roll {
            0..=984 => FulfillmentStatus::Fulfilled,
            985..=991 => FulfillmentStatus::PartiallyFulfilled,
            _ => FulfillmentStatus::Unfulfilled,
        },
        _ => FulfillmentStatus::Unfulfilled,
    };
    if order.fulfillment_status != FulfillmentStatus::Unfulfilled {
        order.updated_at = later(rng, 3_600, 3 * DAY);
    }
    if order.financial_status != FinancialStatus::Paid
        || age < 3 * DAY
        || !rng.random_bool(REFUND_RATE)
    {
        return;
    }
    let at = later(rng, 2 * DAY, 30 * DAY);
    let lines = order.line_items;
    let returnable = book.line_items[lines.range()]
        .iter()
        .position(|l| lines.len > 1 || l.quantity > 1);
    if rng.random_bool(0.55) {
        order.financial_status = FinancialStatus::Refunded;
        push_refund(
            book,
            refund_ids,
            rng,
            order,
            index,
            at,
            order.total_price(),
            None,
            true,
        );
    } else if let Some(pos) = returnable.filter(|_| rng.random_bool(0.7)) {
        // One unit of one line comes back, with its share of the tax.
        let line_index = lines.start + pos as u32;
        let line = book.line_items[line_index as usize];
        let base = order.subtotal.max(1);
        let amount = line.unit_price + order.tax * line.unit_price / base;
        order.financial_status = FinancialStatus::PartiallyRefunded;
        push_refund(
            book,
            refund_ids,
            rng,
            order,
            index,
            at,
            amount,
            Some(line_index),
            true,
        );
    } else {
        let amount = order.total_price() * rng.random_range(10..=30) / 100;
        order.financial_status = FinancialStatus::PartiallyRefunded;
        push_refund(book, refund_ids, rng, order, index, at, amount, None, false);
    }
    order.updated_at = order.updated_at.max(at);
}

#[expect(
    clippy::too_many_arguments,
    reason = "private helper mirroring the Refund fields"
)]
fn push_refund(
    book: &mut OrderBook,
    ids: &mut IdSeq,
    rng: &mut ChaCha8Rng,
    order: &mut Order,
    index: u32,
    at: i64,
    amount: Minor,
    line_item: Option<u32>,
    restock: bool,
) {
    if order.refunds.len == 0 {
        order.refunds.start = book.refunds.len() as u32;
    }
    book.refunds.push(Refund {
        id: ids.next(rng),
        order: index,
        created_at: at,
        amount,
        line_item,
        quantity: u16::from(line_item.is_some()),
        restock,
        note: REFUND_NOTES[rng.random_range(0..REFUND_NOTES.len())],
    });
    order.refunds.len += 1;
}
