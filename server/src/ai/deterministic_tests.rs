//! Unit tests of the deterministic writer: a regular at risk, a one-time buyer without a name, a
//! prospect, a prediction, and facts with gaps.

use chrono::NaiveDate;
use shared::Segment;

use super::describe;
use crate::ai::facts::tests::ada;
use crate::ai::facts::{CustomerFacts, Money, PredictionFacts, ProductFact, RfmScores};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn one_time_buyer() -> CustomerFacts {
    CustomerFacts {
        first_name: None,
        currency: "EUR".into(),
        orders_count: 1,
        total_spent: Money {
            minor_units: 4_500,
            currency: "EUR".into(),
        },
        first_order_on: Some(d(2025, 3, 3)),
        last_order_on: Some(d(2025, 3, 3)),
        days_since_last_order: Some(350),
        average_days_between_orders: None,
        segment: Segment::Lost,
        scores: Some(RfmScores {
            recency: 1,
            frequency: 1,
            monetary: 2,
        }),
        latest_change: None,
        top_products: vec![ProductFact {
            title: "Linen Shirt".into(),
            orders: 1,
            quantity: 1,
        }],
        refunds_count: 0,
        prediction: None,
        as_of: d(2026, 2, 16),
    }
}

#[test]
fn a_merchant_reads_a_regulars_history_move_and_favourites() {
    assert_eq!(
        describe(&ada()),
        "Ada has placed 7 orders since March 2025, worth $1,234.50 after refunds, about one \
         every 34 days. Ada's last order was 96 days ago (12 November 2025). On 20 January \
         Ada's segment changed from Loyal to At risk: last order 69 days ago (recency 2/5); \
         7 orders (frequency 4/5); spend 4/5. Ada's most ordered products are Linen Shirt and \
         Wool Socks. There has been 1 refund on Ada's orders."
    );
}

#[test]
fn a_one_time_buyer_without_a_name_reads_naturally() {
    assert_eq!(
        describe(&one_time_buyer()),
        "This customer has placed 1 order, worth €45.00, on 3 March 2025 (350 days ago). \
         Their segment is Lost (recency 1/5, frequency 1/5, spend 2/5). That order included \
         Linen Shirt."
    );
}

#[test]
fn a_prospect_gets_one_sentence() {
    let prospect = CustomerFacts {
        first_name: Some("Grace".into()),
        orders_count: 0,
        total_spent: Money {
            minor_units: 0,
            currency: "USD".into(),
        },
        first_order_on: None,
        last_order_on: None,
        days_since_last_order: None,
        segment: Segment::Prospect,
        scores: None,
        top_products: vec![],
        ..one_time_buyer()
    };
    assert_eq!(describe(&prospect), "Grace has not placed an order yet.");
}

#[test]
fn a_prediction_is_stated_with_its_numbers_and_reason() {
    let facts = CustomerFacts {
        latest_change: None,
        top_products: vec![],
        refunds_count: 2,
        ..ada()
    }
    .with_prediction(PredictionFacts {
        probability_order_365d: Some(0.624),
        expected_next_order_on: Some(d(2026, 4, 1)),
        clv_365d: Some(Money {
            minor_units: 31_000,
            currency: "USD".into(),
        }),
        reason: Some("7 orders about 34 days apart, the last one 96 days ago".into()),
    });
    let text = describe(&facts);
    assert!(
        text.contains("Ada's segment is At risk (recency 2/5, frequency 4/5, spend 4/5)."),
        "{text}"
    );
    assert!(
        text.contains("There have been 2 refunds on Ada's orders."),
        "{text}"
    );
    assert!(
        text.ends_with(
            "The prediction gives a 62% chance of another order within a year, a next order \
             expected around 1 April and about $310.00 expected over the next 12 months. \
             7 orders about 34 days apart, the last one 96 days ago."
        ),
        "{text}"
    );
}

#[test]
fn missing_dates_and_scores_leave_their_sentences_out() {
    let sparse = CustomerFacts {
        first_order_on: None,
        last_order_on: None,
        days_since_last_order: None,
        average_days_between_orders: Some(0),
        scores: None,
        latest_change: None,
        top_products: vec![],
        refunds_count: 0,
        orders_count: 3,
        total_spent: Money {
            minor_units: 150_000,
            currency: "JPY".into(),
        },
        ..ada()
    };
    assert_eq!(
        describe(&sparse),
        "Ada has placed 3 orders, worth ¥150,000, all within a day."
    );
}
