//! The one error type at the HTTP and GraphQL boundary. Internal details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error a request can end with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session token.
    #[error("authentication required")]
    Unauthorized,
    /// The input was malformed; the message is safe to show.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing there (or not this shop's).
    #[error("not found")]
    NotFound,
    /// A link or ticket this server did not make (or that was altered); the message is safe.
    #[error("{0}")]
    Forbidden(String),
    /// A link that worked once and has expired; the message says what to do instead.
    #[error("{0}")]
    Gone(String),
    /// The shop's plan does not allow this. The message (safe to show) names the limit, its
    /// numbers and the plan that lifts it; `code` is `PLAN_REQUIRED`, `PLAN_LIMIT` or `READ_ONLY`.
    #[error("{message}")]
    Plan {
        /// Stable code for the UI.
        code: &'static str,
        /// What the merchant reads.
        message: String,
    },
    /// Anything unexpected. Display stays generic on purpose.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
    /// A database failure. Display stays generic on purpose.
    #[error("internal error")]
    Db(#[from] sqlx::Error),
}

impl AppError {
    /// The stable code sent in GraphQL `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "UNAUTHENTICATED",
            AppError::BadRequest(_) => "BAD_REQUEST",
            AppError::NotFound => "NOT_FOUND",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::Gone(_) => "GONE",
            AppError::Plan { code, .. } => code,
            AppError::Internal(_) | AppError::Db(_) => "INTERNAL",
        }
    }

    fn log_if_internal(&self) {
        match self {
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            AppError::Db(e) => tracing::error!(error = %e, "database error"),
            _ => {}
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let status = match &self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Plan { .. } => StatusCode::PAYMENT_REQUIRED,
            AppError::Internal(_) | AppError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut res = (
            status,
            axum::Json(serde_json::json!({ "error": self.to_string(), "code": self.code() })),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            // App Bridge fetches a fresh session token and retries once when it sees this.
            res.headers_mut().insert(
                "X-Shopify-Retry-Invalid-Session-Request",
                axum::http::HeaderValue::from_static("1"),
            );
        }
        res
    }
}

impl async_graphql::ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.log_if_internal();
        let code = self.code();
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", code))
    }
}

/// Maps any boundary-convertible error into a GraphQL error without leaking its text.
pub trait GqlResultExt<T> {
    /// Converts to a GraphQL result, logging internal errors.
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<AppError>> GqlResultExt<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        use async_graphql::ErrorExtensions;
        self.map_err(|e| e.into().extend())
    }
}
