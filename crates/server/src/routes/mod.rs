//! Handlers, grouped by resource. Handlers are thin: parse, call a core capability, shape the
//! response.

pub mod audit;
pub mod auth;
pub mod customers;
pub mod events;
pub mod export;
pub mod fraud;
pub mod mail;
pub mod orders;
pub mod payees;
pub mod redact;
pub mod requests;
pub mod staff;
pub mod sys;
pub mod tokens;
pub mod webhooks;

use crate::error::ApiError;
use axum::http::StatusCode;
use uuid::Uuid;

/// Parses a customer id from the path.
pub(crate) fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "the id in the path is not a UUID",
        )
    })
}
