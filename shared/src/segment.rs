//! RFM segments: the names the server stores, the GraphQL API returns and the app shows.

use std::fmt;
use std::str::FromStr;

/// Where a customer stands by recency, frequency and monetary value. `Prospect` is a customer
/// with no orders yet; it is shown apart from the seven scored segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champion,
    Loyal,
    Potential,
    New,
    AtRisk,
    Hibernating,
    Lost,
    Prospect,
}

impl Segment {
    /// Every segment, best first, prospects last.
    pub const ALL: [Segment; 8] = [
        Segment::Champion,
        Segment::Loyal,
        Segment::Potential,
        Segment::New,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
        Segment::Prospect,
    ];

    /// The stored name (`at_risk`).
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champion => "champion",
            Segment::Loyal => "loyal",
            Segment::Potential => "potential",
            Segment::New => "new",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
            Segment::Prospect => "prospect",
        }
    }

    /// The label a merchant reads (`At risk`).
    pub fn label(self) -> &'static str {
        match self {
            Segment::Champion => "Champions",
            Segment::Loyal => "Loyal",
            Segment::Potential => "Potential",
            Segment::New => "New",
            Segment::AtRisk => "At risk",
            Segment::Hibernating => "Hibernating",
            Segment::Lost => "Lost",
            Segment::Prospect => "Prospects",
        }
    }

    /// Whether moving into this segment is a churn signal (the dashboard's alert widget).
    pub fn is_churn_signal(self) -> bool {
        matches!(self, Segment::AtRisk | Segment::Hibernating | Segment::Lost)
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A segment name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSegment(pub String);

impl fmt::Display for UnknownSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown segment `{}`", self.0)
    }
}

impl std::error::Error for UnknownSegment {}

impl FromStr for Segment {
    type Err = UnknownSegment;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Segment::ALL
            .into_iter()
            .find(|seg| seg.as_str() == s)
            .ok_or_else(|| UnknownSegment(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_segment_parses_back_from_its_name() {
        for s in Segment::ALL {
            assert_eq!(s.as_str().parse::<Segment>(), Ok(s));
        }
        assert!("vip".parse::<Segment>().is_err());
    }
}
