//! The API's one error type and Designate's error body (spec/api-v2.md §5):
//!
//! ```json
//! {"code": 404, "type": "zone_not_found", "message": "Could not find Zone", "request_id": "req-…"}
//! ```
//!
//! `message` appears only when the error carries one, `errors` only for
//! structured validation failures. The `request_id` is added by the
//! [`crate::request_id`] middleware, which knows it: the response carries its
//! [`ErrorBody`] as an extension and the middleware renders it again with the id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use delegate_model::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pyjson;

/// One entry of `errors.errors` (spec/api-v2.md §5.2), keys in Designate's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationError {
    pub path: Vec<Value>,
    pub message: String,
    pub validator: String,
    pub validator_value: Value,
}

/// The `{"errors": [...]}` wrapper (the doubly nested `errors.errors`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorList {
    pub errors: Vec<ValidationError>,
}

/// The JSON error body, keys in Designate's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBody {
    pub code: u16,
    #[serde(rename = "type")]
    pub error_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// The body as response bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        pyjson::to_vec(self).unwrap_or_else(|_| format!("{{\"code\": {}}}", self.code).into_bytes())
    }
}

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// An error of `kind` with an optional message.
    pub fn new(kind: ErrorKind, message: Option<String>) -> Self {
        ApiError::from(Error {
            kind,
            message,
            errors: None,
        })
    }

    /// `400 invalid_object` with structured errors and no message.
    pub fn invalid_object(errors: Vec<ValidationError>) -> Self {
        let mut err = ApiError::new(ErrorKind::InvalidObject, None);
        err.body.errors = Some(ErrorList { errors });
        err
    }

    /// An error outside Designate's catalogue (e.g. 413), rendered the same way.
    pub fn other(status: StatusCode, error_type: &str, message: &str) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: status.as_u16(),
                error_type: error_type.to_owned(),
                message: Some(message.to_owned()),
                errors: None,
                request_id: None,
            },
        }
    }

    #[cfg(test)]
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let status =
            StatusCode::from_u16(err.kind.http_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // Unexpected failures and timeouts never show their internals (§5.1).
        let message = match err.kind {
            ErrorKind::Unknown | ErrorKind::Timeout => {
                tracing::error!(error = %err, "request failed");
                None
            }
            _ => err.message,
        };
        let errors = err
            .errors
            .and_then(|v| serde_json::from_value::<Vec<ValidationError>>(v).ok())
            .map(|errors| ErrorList { errors });
        ApiError {
            status,
            body: ErrorBody {
                code: status.as_u16(),
                error_type: err.kind.error_type().to_owned(),
                message,
                errors,
                request_id: None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let bytes = self.body.to_bytes();
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response();
        response.extensions_mut().insert(self.body);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_body_matches_designate_bytes() {
        let mut body = ApiError::from(Error::not_found(ErrorKind::ZoneNotFound, "Zone")).body;
        body.request_id = Some("req-7db17b70-8593-4030-b7c1-fd27483761e1".into());
        let text = String::from_utf8(body.to_bytes()).expect("utf8");
        assert_eq!(
            text,
            r#"{"code": 404, "type": "zone_not_found", "message": "Could not find Zone", "request_id": "req-7db17b70-8593-4030-b7c1-fd27483761e1"}"#
        );
        assert_eq!(text.len(), 131, "Content-Length of the transcript");
    }

    #[test]
    fn unexpected_errors_and_timeouts_hide_their_message() {
        let err = ApiError::from(Error::internal("db password wrong"));
        assert_eq!((err.status.as_u16(), err.body.message.clone()), (500, None));
        assert_eq!(err.body.error_type, "unknown");
        let err = ApiError::from(Error::new(ErrorKind::Timeout, "central"));
        assert_eq!(
            (err.status.as_u16(), err.body.error_type.as_str()),
            (504, "timeout")
        );
        assert_eq!(err.body.message, None);
    }
}
