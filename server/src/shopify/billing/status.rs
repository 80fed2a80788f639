//! Shopify's `AppSubscriptionStatus` and the rule that makes `app_subscriptions/update`
//! order-independent: the newest change wins, and a final status never changes again.

use chrono::{DateTime, Utc};

/// A subscription's status as Shopify names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum SubscriptionStatus {
    /// Created, waiting for the merchant's approval.
    Pending,
    /// Approved and billing.
    Active,
    /// The merchant declined it.
    Declined,
    /// Not approved within two days.
    Expired,
    /// Suspended for non-payment; the shop is read-only until it is paid.
    Frozen,
    /// Cancelled (by the merchant, a replacement plan or the app).
    Cancelled,
}

impl SubscriptionStatus {
    /// Parses Shopify's upper-case value (the deprecated `ACCEPTED` means approved).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "PENDING" => Self::Pending,
            "ACTIVE" | "ACCEPTED" => Self::Active,
            "DECLINED" => Self::Declined,
            "EXPIRED" => Self::Expired,
            "FROZEN" => Self::Frozen,
            "CANCELLED" => Self::Cancelled,
            _ => return None,
        })
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::Declined => "DECLINED",
            Self::Expired => "EXPIRED",
            Self::Frozen => "FROZEN",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// Statuses a subscription never leaves.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Declined | Self::Expired | Self::Cancelled)
    }
}

/// Whether an incoming status (changed at `incoming_at`) replaces the stored one: never after a
/// final status, and only when it is at least as new. Applied to every delivery of a
/// subscription in any order, this ends in the status of the newest change.
pub fn replaces(
    stored: Option<(SubscriptionStatus, DateTime<Utc>)>,
    incoming: (SubscriptionStatus, DateTime<Utc>),
) -> bool {
    match stored {
        None => true,
        Some((current, _)) if current.is_final() => false,
        Some((_, at)) => incoming.1 >= at || incoming.0.is_final(),
    }
}

#[cfg(test)]
mod tests {
    use super::SubscriptionStatus::*;
    use super::*;

    fn permutations(items: &[(SubscriptionStatus, i64)]) -> Vec<Vec<(SubscriptionStatus, i64)>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.to_vec();
            let first = rest.remove(i);
            for mut tail in permutations(&rest) {
                tail.insert(0, first);
                out.push(tail);
            }
        }
        out
    }

    fn apply(order: &[(SubscriptionStatus, i64)]) -> SubscriptionStatus {
        let mut stored: Option<(SubscriptionStatus, DateTime<Utc>)> = None;
        for (status, at) in order {
            let at = DateTime::from_timestamp(*at, 0).unwrap();
            if replaces(stored, (*status, at)) {
                stored = Some((*status, at));
            }
        }
        stored.unwrap().0
    }

    #[test]
    fn every_delivery_order_ends_in_the_newest_status() {
        let lives: [&[(SubscriptionStatus, i64)]; 4] = [
            &[
                (Pending, 1),
                (Active, 2),
                (Frozen, 3),
                (Active, 4),
                (Cancelled, 5),
            ],
            &[(Pending, 1), (Declined, 2)],
            &[(Pending, 1), (Expired, 2)],
            &[(Pending, 1), (Active, 2), (Frozen, 3)],
        ];
        for life in lives {
            let newest = life.last().unwrap().0;
            for order in permutations(life) {
                assert_eq!(apply(&order), newest, "{order:?}");
            }
        }
    }

    #[test]
    fn a_repeated_delivery_changes_nothing() {
        assert_eq!(apply(&[(Active, 2), (Active, 2), (Pending, 1)]), Active);
    }

    #[test]
    fn statuses_parse_in_shopifys_spelling() {
        for s in [Pending, Active, Declined, Expired, Frozen, Cancelled] {
            assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SubscriptionStatus::parse("accepted"), Some(Active));
        assert_eq!(SubscriptionStatus::parse("paused"), None);
    }
}
