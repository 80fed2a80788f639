//! The one error type of the `api` module. Its `Display` is what a merchant reads in a Banner, so it
//! says what happened and what to do, never a status code or a stack trace.

use std::fmt;

/// Why a server call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached or answered something unusable. The text is for developers
    /// (it is also logged to the console), not for the merchant.
    Network(String),
    /// No valid session: the token was missing, refused or expired twice in a row.
    Unauthorized,
    /// The server ran the request and reported errors (already worded for people).
    Graphql(Vec<String>),
    /// The shop's plan does not allow this (`PLAN_REQUIRED`, `PLAN_LIMIT`, `READ_ONLY`). The
    /// message is the server's: it names the limit, the numbers and the plan that lifts it.
    Plan {
        /// Which refusal.
        code: PlanCode,
        /// The server's message.
        message: String,
    },
}

/// Why the plan refused a request: the `extensions.code` values of the server's plan guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanCode {
    /// The shop has no plan yet.
    Required,
    /// The plan's limit is reached.
    Limit,
    /// Shopify froze the subscription; the app is read-only until the bill is paid.
    ReadOnly,
}

impl PlanCode {
    /// The plan refusal an `extensions.code` names; `None` for any other code, known or not
    /// (those stay ordinary errors: an unknown code must never break the page).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "PLAN_REQUIRED" => Some(Self::Required),
            "PLAN_LIMIT" => Some(Self::Limit),
            "READ_ONLY" => Some(Self::ReadOnly),
            _ => None,
        }
    }
}

impl ApiError {
    /// A `Network` error whose detail also goes to the browser console, where a developer looks.
    pub(crate) fn network(detail: String) -> Self {
        leptos::logging::error!("EcomCRM API: {detail}");
        Self::Network(detail)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(_) => f.write_str(
                "EcomCRM can't be reached right now. Check your internet connection and try again \
                 in a moment.",
            ),
            Self::Unauthorized => f.write_str(
                "Your session has expired. Reload the page, or open EcomCRM again from your \
                 Shopify admin.",
            ),
            Self::Graphql(messages) if messages.is_empty() => {
                f.write_str("Something went wrong on our side. Try again in a moment.")
            }
            Self::Graphql(messages) => write!(f, "Something went wrong: {}", messages.join(" ")),
            Self::Plan { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::{ApiError, PlanCode};

    #[test]
    fn network_details_stay_out_of_the_message() {
        let text = ApiError::Network("POST /graphql answered HTTP 502".into()).to_string();
        assert!(!text.contains("502"), "{text}");
    }

    #[test]
    fn graphql_messages_are_shown() {
        let text = ApiError::Graphql(vec!["Plan limit reached.".into()]).to_string();
        assert_eq!(text, "Something went wrong: Plan limit reached.");
    }

    #[test]
    fn plan_codes_are_recognised_and_others_are_not() {
        assert_eq!(
            PlanCode::from_code("PLAN_REQUIRED"),
            Some(PlanCode::Required)
        );
        assert_eq!(PlanCode::from_code("PLAN_LIMIT"), Some(PlanCode::Limit));
        assert_eq!(PlanCode::from_code("READ_ONLY"), Some(PlanCode::ReadOnly));
        assert_eq!(PlanCode::from_code("SOMETHING_NEW"), None);
    }
}
