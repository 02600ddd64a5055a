//! The domain error: one type for every service, shaped after Designate's
//! exception classes so that it survives the bus (class name + message) and the
//! API can render Designate's error body from it (spec/api-v2.md §5).

use serde_json::Value;

/// The exception module name Designate peers accept across RPC.
pub const EXCEPTION_MODULE: &str = "designate.exceptions";

macro_rules! error_kinds {
    ($( $variant:ident => ($class:literal, $code:literal, $ty:literal) ),* $(,)?) => {
        /// What went wrong, as Designate names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorKind { $( $variant ),* }

        impl ErrorKind {
            const ALL: &'static [ErrorKind] = &[ $( ErrorKind::$variant ),* ];

            /// The Designate exception class name (travels on the bus).
            pub fn class(self) -> &'static str {
                match self { $( ErrorKind::$variant => $class ),* }
            }
            /// The HTTP status the API answers with.
            pub fn http_code(self) -> u16 {
                match self { $( ErrorKind::$variant => $code ),* }
            }
            /// The `type` field of the API error body.
            pub fn error_type(self) -> &'static str {
                match self { $( ErrorKind::$variant => $ty ),* }
            }
        }
    };
}

error_kinds! {
    BadRequest => ("BadRequest", 400, "bad_request"),
    InvalidObject => ("InvalidObject", 400, "invalid_object"),
    EmptyRequestBody => ("EmptyRequestBody", 400, "empty_request_body"),
    InvalidJson => ("InvalidJson", 400, "invalid_json"),
    InvalidUuid => ("InvalidUUID", 400, "invalid_uuid"),
    InvalidMarker => ("InvalidMarker", 400, "invalid_marker"),
    MarkerNotFound => ("MarkerNotFound", 400, "marker_not_found"),
    InvalidLimit => ("InvalidLimit", 400, "invalid_limit"),
    InvalidSortDir => ("InvalidSortDir", 400, "invalid_sort_dir"),
    InvalidSortKey => ("InvalidSortKey", 400, "invalid_sort_key"),
    InvalidOperation => ("InvalidOperation", 400, "invalid_operation"),
    InvalidZoneName => ("InvalidZoneName", 400, "invalid_zone_name"),
    InvalidRecordSetName => ("InvalidRecordSetName", 400, "invalid_recordset_name"),
    InvalidRecordSetLocation => ("InvalidRecordSetLocation", 400, "invalid_recordset_location"),
    InvalidTtl => ("InvalidTTL", 400, "invalid_ttl"),
    ZoneHasSubZone => ("ZoneHasSubZone", 400, "zone_has_sub_zone"),
    ZoneShared => ("ZoneShared", 400, "zone_is_shared"),
    LastServerDeleteNotAllowed => ("LastServerDeleteNotAllowed", 400, "last_server_delete_not_allowed"),
    MissingProjectId => ("MissingProjectID", 401, "missing_project_id"),
    Forbidden => ("Forbidden", 403, "forbidden"),
    IllegalChildZone => ("IllegalChildZone", 403, "illegal_child"),
    IllegalParentZone => ("IllegalParentZone", 403, "illegal_parent"),
    InvalidTokenScope => ("InvalidTokenScope", 403, "invalid_token_scope"),
    NotFound => ("NotFound", 404, "not_found"),
    ZoneNotFound => ("ZoneNotFound", 404, "zone_not_found"),
    RecordSetNotFound => ("RecordSetNotFound", 404, "recordset_not_found"),
    RecordNotFound => ("RecordNotFound", 404, "record_not_found"),
    PoolNotFound => ("PoolNotFound", 404, "pool_not_found"),
    NoValidPoolFound => ("NoValidPoolFound", 404, "no_valid_pool_found"),
    ServiceStatusNotFound => ("ServiceStatusNotFound", 404, "service_status_not_found"),
    MethodNotAllowed => ("MethodNotAllowed", 405, "method_not_allowed"),
    Duplicate => ("Duplicate", 409, "duplicate"),
    DuplicateZone => ("DuplicateZone", 409, "duplicate_zone"),
    DuplicateRecordSet => ("DuplicateRecordSet", 409, "duplicate_recordset"),
    DuplicateRecord => ("DuplicateRecord", 409, "duplicate_record"),
    DuplicatePool => ("DuplicatePool", 409, "duplicate_pool"),
    DuplicateServiceStatus => ("DuplicateServiceStatus", 409, "duplicate_service_status"),
    OverQuota => ("OverQuota", 413, "over_quota"),
    UnsupportedContentType => ("UnsupportedContentType", 415, "unsupported_content_type"),
    NoServersConfigured => ("NoServersConfigured", 500, "no_servers_configured"),
    MultiplePoolsFound => ("MultiplePoolsFound", 500, "multiple_pools_found"),
    ConfigurationError => ("ConfigurationError", 500, "configuration_error"),
    Unknown => ("DesignateException", 500, "unknown"),
    ServiceUnavailable => ("ServiceUnavailable", 503, "service_unavailable"),
    Timeout => ("MessagingTimeout", 504, "timeout"),
    CommunicationFailure => ("CommunicationFailure", 504, "communication_failure"),
}

impl ErrorKind {
    /// Failures that pass by themselves (a database refusing connections, a
    /// timed-out call, the broker away): the one list every consumer's
    /// retry rule reads (delegate-rpc's `retry_for`).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::ServiceUnavailable | ErrorKind::Timeout | ErrorKind::CommunicationFailure
        )
    }

    /// The kind for a Designate exception class name; unknown classes are
    /// unexpected errors (HTTP 500), as in Designate.
    pub fn from_class(class: &str) -> ErrorKind {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| k.class() == class)
            .unwrap_or(ErrorKind::Unknown)
    }
}

/// A domain error: its kind, an optional message and, for structured
/// validation failures, the `errors` list of the API body (spec/api-v2.md §5.2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {}", .kind.class(), .message.as_deref().unwrap_or("(no message)"))]
pub struct Error {
    pub kind: ErrorKind,
    pub message: Option<String>,
    /// Structured validation errors; stays in the process that made them
    /// (Designate does not transport exception kwargs either).
    pub errors: Option<Value>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: Some(message.into()),
            errors: None,
        }
    }

    /// An error whose body carries no `message`.
    pub fn bare(kind: ErrorKind) -> Self {
        Error {
            kind,
            message: None,
            errors: None,
        }
    }

    /// `400 invalid_object` with the structured `errors` list.
    pub fn invalid_object(errors: Vec<Value>) -> Self {
        Error {
            kind: ErrorKind::InvalidObject,
            message: None,
            errors: Some(Value::Array(errors)),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::BadRequest, message)
    }

    /// `Could not find <Object>`, the storage layer's not-found message.
    pub fn not_found(kind: ErrorKind, object: &str) -> Self {
        Error::new(kind, format!("Could not find {object}"))
    }

    /// `Duplicate <Object>`, the storage layer's duplicate message.
    pub fn duplicate(kind: ErrorKind, object: &str) -> Self {
        Error::new(kind, format!("Duplicate {object}"))
    }

    /// An unexpected failure: logged by whoever raised it, rendered as 500 `unknown`
    /// without leaking internals.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Error::new(ErrorKind::Unknown, detail.to_string())
    }

    /// A failure that can pass (database, broker, a nameserver away): a
    /// cast failing with it is retried, an API call answers 503.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        Error::new(ErrorKind::ServiceUnavailable, detail.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_back_to_kinds() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_class(kind.class()), *kind);
        }
        assert_eq!(ErrorKind::from_class("KeyError"), ErrorKind::Unknown);
        assert_eq!(ErrorKind::ZoneNotFound.http_code(), 404);
        assert_eq!(ErrorKind::MissingProjectId.http_code(), 401);
    }
}
