//! Unit tests of the demo generator: determinism, realistic shapes, size and speed.

use super::*;

/// 2026-11-01T00:00:00Z, so the history includes two Black Fridays.
const END: i64 = 1_793_491_200;

fn store(seed: u64, customers: u32, orders: u32) -> DemoStore {
    generate(&DemoConfig::new(seed, customers, orders, END))
}

#[test]
fn twenty_thousand_orders_are_deterministic_per_seed() {
    let a = store(42, 5_000, 20_000);
    let b = store(42, 5_000, 20_000);
    let c = store(43, 5_000, 20_000);
    assert_eq!(a.counts().orders, 20_000);
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.orders, b.orders);
    assert_eq!(a.customers, b.customers);
    assert_ne!(a.fingerprint(), c.fingerprint());
    assert_ne!(a.orders, c.orders);
}

#[test]
fn repeat_buyers_are_heavy_tailed() {
    let s = store(7, 5_000, 20_000);
    let mut counts: Vec<u32> = s.customers.iter().map(|c| c.orders_count).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let buyers = counts.iter().filter(|&&n| n > 0).count();
    let one_time = counts.iter().filter(|&&n| n == 1).count();
    let never = counts.iter().filter(|&&n| n == 0).count();
    let top5: u32 = counts[..buyers / 20].iter().sum();
    let with_customer: u32 = counts.iter().sum();
    assert!(never > 500, "some customers never buy: {never}");
    assert!(
        one_time > buyers / 5,
        "plenty of one-time buyers: {one_time} of {buyers}"
    );
    assert!(
        f64::from(top5) > 0.2 * f64::from(with_customer),
        "champion core: top 5% place {top5} of {with_customer}"
    );
    assert!(
        counts[0] >= 20,
        "the best customer comes back often: {}",
        counts[0]
    );
    let guests = s.orders.iter().filter(|o| o.customer.is_none()).count();
    assert!(
        (300..=900).contains(&guests),
        "a few guest checkouts: {guests}"
    );
}

#[test]
fn orders_are_seasonal_and_time_ordered() {
    let s = store(11, 5_000, 20_000);
    assert!(
        s.orders
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at && w[0].id < w[1].id)
    );
    assert!(s.orders.windows(2).all(|w| w[0].number + 1 == w[1].number));
    let mut by_month = [0u32; 13];
    for o in &s.orders {
        let (_, month, _) = calendar::civil_from_days(o.created_at.div_euclid(calendar::DAY));
        by_month[month as usize] += 1;
    }
    assert!(
        by_month[12] > by_month[1],
        "December beats January: {by_month:?}"
    );
    assert!(
        by_month[11] > by_month[2],
        "November beats February: {by_month:?}"
    );
    assert!(s.orders.iter().all(|o| o.created_at <= END));
    for o in &s.orders {
        if let Some(c) = o.customer {
            assert!(
                o.created_at >= s.customers[c as usize].created_at,
                "no order before sign-up"
            );
        }
    }
}

#[test]
fn refunds_cancellations_and_statuses_look_real() {
    let s = store(3, 5_000, 20_000);
    let n = s.orders.len() as f64;
    let refunded = s.orders.iter().filter(|o| o.refunds.len > 0).count() as f64;
    assert!(
        (0.02..0.08).contains(&(refunded / n)),
        "refund rate {}",
        refunded / n
    );
    let full = s
        .orders
        .iter()
        .filter(|o| o.financial_status == FinancialStatus::Refunded)
        .count();
    let partial = s
        .orders
        .iter()
        .filter(|o| o.financial_status == FinancialStatus::PartiallyRefunded)
        .count();
    assert!(full > 0 && partial > 0);
    let cancelled = s.orders.iter().filter(|o| o.cancelled_at.is_some()).count();
    assert!(
        cancelled > 100
            && s.orders
                .iter()
                .all(|o| o.cancelled_at.is_some() == o.cancel_reason.is_some())
    );
    for o in &s.orders {
        let refunded: Minor = s.order_refunds(o).iter().map(|r| r.amount).sum();
        assert!(
            refunded <= o.total_price(),
            "never refund more than was paid"
        );
        assert!(!s.order_lines(o).is_empty());
    }
    assert!(s.orders.iter().any(|o| o.discount_code == Some("BFCM25")));
    assert!(
        s.orders
            .iter()
            .all(|o| o.presentment_currency == Currency::Usd),
        "multi-currency is off by default"
    );
}

#[test]
fn ids_are_shopify_sized_and_some_exceed_two_pow_53() {
    let s = store(5, 2_000, 5_000);
    let big = ids::TWO_POW_53;
    assert!(s.orders.iter().any(|o| o.id > big) && s.orders.iter().any(|o| o.id < big));
    assert!(s.customers.iter().any(|c| c.id > big));
    assert!(s.line_items.iter().any(|l| l.id > big));
    assert!(s.customers.windows(2).all(|w| w[0].id < w[1].id));
    let mut emails: Vec<&str> = s
        .customers
        .iter()
        .filter_map(|c| c.email.as_deref())
        .collect();
    let total = emails.len();
    emails.sort_unstable();
    emails.dedup();
    assert_eq!(emails.len(), total, "emails are unique");
    assert!(
        emails
            .iter()
            .all(|e| e.ends_with(".example") || e.contains("@example."))
    );
}

#[test]
fn customers_carry_consent_tags_and_addresses() {
    let s = store(9, 3_000, 6_000);
    let subscribed = s
        .customers
        .iter()
        .filter(|c| c.email_consent.state == EmailMarketingState::Subscribed)
        .count();
    let unsubscribed = s
        .customers
        .iter()
        .filter(|c| c.email_consent.state == EmailMarketingState::Unsubscribed)
        .count();
    assert!(subscribed > 800 && unsubscribed > 100);
    assert!(s.customers.iter().any(|c| {
        c.sms_consent
            .is_some_and(|x| x.state == SmsMarketingState::Subscribed)
    }));
    assert!(s.customers.iter().any(|c| c.tags.names().contains(&"VIP")));
    assert!(s.customers.iter().filter(|c| c.address.is_some()).count() > 2_000);
    let vip_min = s
        .customers
        .iter()
        .filter(|c| c.tags.0 & 1 != 0)
        .map(|c| c.amount_spent)
        .min()
        .unwrap_or(0);
    let median = {
        let mut spent: Vec<Minor> = s
            .customers
            .iter()
            .map(|c| c.amount_spent)
            .filter(|a| *a > 0)
            .collect();
        spent.sort_unstable();
        spent[spent.len() / 2]
    };
    assert!(vip_min > median, "VIPs are top spenders");
}

#[test]
fn presentment_currencies_and_abandoned_checkouts() {
    let mut config = DemoConfig::new(1, 2_000, 4_000, END);
    config.presentment_currencies = vec![Currency::Eur, Currency::Gbp, Currency::Cad];
    let s = generate(&config);
    assert!(
        s.orders
            .iter()
            .any(|o| o.presentment_currency == Currency::Gbp)
    );
    assert!(
        s.orders
            .iter()
            .all(|o| o.presentment_currency != Currency::Jpy)
    );
    assert_eq!(s.abandoned_checkouts.len(), 1_200);
    let recovered = s
        .abandoned_checkouts
        .iter()
        .filter(|c| c.completed_at.is_some())
        .count();
    assert!(recovered > 40 && recovered < 250);
    let url = s.abandoned_checkouts[0].recovery_url("demo.myshopify.com", 1);
    assert!(
        url.starts_with("https://demo.myshopify.com/1/checkouts/ac/")
            && url.contains("/recover?key=")
    );
    assert!(
        s.abandoned_checkouts
            .iter()
            .all(|c| c.customer.is_some() != c.email.is_some())
    );
}

#[test]
fn products_have_variants_and_prices() {
    let s = store(2, 100, 100);
    assert!(s.products.len() >= 12);
    assert!(s.products.iter().any(|p| p.variants.len > 1));
    for (index, variant) in s.variants.iter().enumerate() {
        assert!(variant.price > 0);
        let product = &s.products[variant.product as usize];
        assert!(
            product.variants.range().contains(&index),
            "variants sit in their product's span"
        );
    }
    let mut handles: Vec<&str> = s.products.iter().map(|p| p.handle.as_str()).collect();
    handles.sort_unstable();
    handles.dedup();
    assert_eq!(handles.len(), s.products.len(), "handles are unique");
    assert_eq!(s.orders.len(), 100);
}

#[test]
#[ignore = "timing check; run with --release --ignored"]
fn a_million_orders_in_seconds() {
    let started = std::time::Instant::now();
    let s = store(42, 250_000, 1_000_000);
    assert_eq!(s.orders.len(), 1_000_000);
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
}
