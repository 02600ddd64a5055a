//! The storage error, and its one mapping to the domain error
//! (`ZoneNotFound`, `DuplicateZone`, …) that central returns to callers.

use std::fmt;

use delegate_model::{Error, ErrorKind};
use sqlx::mysql::MySqlDatabaseError;

/// MySQL/MariaDB error numbers the storage layer interprets.
mod codes {
    /// ER_DUP_ENTRY: a unique key refused the row.
    pub const DUPLICATE_ENTRY: u16 = 1062;
    /// ER_LOCK_DEADLOCK: InnoDB chose this transaction as a deadlock victim.
    pub const DEADLOCK: u16 = 1213;
    /// ER_LOCK_WAIT_TIMEOUT: a row lock was not granted in time.
    pub const LOCK_WAIT_TIMEOUT: u16 = 1205;
    /// Server-side refusals and losses that pass: ER_CON_COUNT_ERROR (1040,
    /// "Too many connections"), ER_SERVER_SHUTDOWN (1053),
    /// ER_HOST_IS_BLOCKED (1129), ER_TOO_MANY_USER_CONNECTIONS (1203),
    /// ER_USER_LIMIT_REACHED (1226), ER_QUERY_INTERRUPTED (1317),
    /// ER_CONNECTION_KILLED (1927), and the client codes CR_CONNECTION_ERROR
    /// (2002), CR_CONN_HOST_ERROR (2003), CR_SERVER_GONE_ERROR (2006),
    /// CR_SERVER_LOST (2013).
    pub const CONNECTION: &[u16] = &[
        1040, 1053, 1129, 1203, 1226, 1317, 1927, 2002, 2003, 2006, 2013,
    ];
}

/// The kind of row an error is about; displays as Designate's object name,
/// which the API shows in "Could not find Zone" / "Duplicate Zone".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Zone,
    RecordSet,
    Record,
    Pool,
    ServiceStatus,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Zone => "Zone",
            Resource::RecordSet => "RecordSet",
            Resource::Record => "Record",
            Resource::Pool => "Pool",
            Resource::ServiceStatus => "ServiceStatus",
        })
    }
}

/// What can go wrong in the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("could not find {0}")]
    NotFound(Resource),
    #[error("duplicate {0}")]
    Duplicate(Resource),
    /// The paging marker is not a UUID.
    #[error("invalid marker")]
    InvalidMarker,
    /// The paging marker names no row of the table.
    #[error("marker not found")]
    MarkerNotFound,
    #[error("invalid sort key {0:?}")]
    InvalidSortKey(String),
    #[error("invalid sort direction {0:?}")]
    InvalidSortDir(String),
    /// A criterion names an unknown column or has a value of the wrong shape.
    #[error("invalid criterion {0}")]
    InvalidCriterion(String),
    /// A row holds a value the domain model cannot represent.
    #[error("bad value in column {column}: {detail}")]
    BadRow {
        column: &'static str,
        detail: String,
    },
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The database holds a schema this version cannot adopt.
    #[error("unsupported database schema: {0}")]
    UnsupportedSchema(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The connection failed during COMMIT: the transaction may or may not
    /// have been applied. Transient for callers, but never re-run in place
    /// (a re-run could refuse what the first run did, e.g. as a duplicate).
    #[error("connection lost while committing; the change may or may not be stored: {0}")]
    CommitUnknown(sqlx::Error),
}

impl StorageError {
    /// True for deadlocks and lock-wait timeouts: the whole transaction may be
    /// run again (spec/storage.md §3.9).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.mysql_number(),
            Some(codes::DEADLOCK | codes::LOCK_WAIT_TIMEOUT)
        )
    }

    /// True for failures of the database connection rather than of the
    /// statement: refused or lost connections, a full pool, a server
    /// shutting down. The same work can succeed once it passes.
    pub fn is_connection_failure(&self) -> bool {
        match self {
            StorageError::Database(e) => StorageError::is_connection_error(e),
            _ => false,
        }
    }

    fn is_connection_error(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db
                .try_downcast_ref::<MySqlDatabaseError>()
                .is_some_and(|m| codes::CONNECTION.contains(&m.number())),
            _ => false,
        }
    }

    /// True for anything that passes by itself: lock conflicts and
    /// connection failures. Such an error reaches callers as
    /// `ServiceUnavailable`, which casts retry (delegate-bus `redelivery`).
    pub fn is_transient(&self) -> bool {
        self.is_retryable()
            || self.is_connection_failure()
            || matches!(self, StorageError::CommitUnknown(_))
    }

    /// This error, as it reads when it happened during COMMIT.
    pub(crate) fn at_commit(self) -> StorageError {
        match self {
            StorageError::Database(e) if StorageError::is_connection_error(&e) => {
                StorageError::CommitUnknown(e)
            }
            other => other,
        }
    }

    /// Maps a unique-key violation to `Duplicate(resource)`; other errors pass through.
    pub(crate) fn or_duplicate(err: sqlx::Error, resource: Resource) -> StorageError {
        let err = StorageError::Database(err);
        if err.mysql_number() == Some(codes::DUPLICATE_ENTRY) {
            StorageError::Duplicate(resource)
        } else {
            err
        }
    }

    fn mysql_number(&self) -> Option<u16> {
        match self {
            StorageError::Database(sqlx::Error::Database(e)) => e
                .try_downcast_ref::<MySqlDatabaseError>()
                .map(MySqlDatabaseError::number),
            _ => None,
        }
    }
}

/// Not-found and duplicate errors become the resource's Designate class with
/// the storage layer's messages; paging errors keep Designate's texts; anything
/// else is an internal error (HTTP 500).
impl From<StorageError> for Error {
    fn from(err: StorageError) -> Error {
        match err {
            StorageError::NotFound(r) => Error::not_found(not_found_kind(r), &r.to_string()),
            StorageError::Duplicate(r) => Error::duplicate(duplicate_kind(r), &r.to_string()),
            StorageError::InvalidMarker => Error::bare(ErrorKind::InvalidMarker),
            StorageError::MarkerNotFound => {
                Error::new(ErrorKind::MarkerNotFound, "Marker None could not be found")
            }
            StorageError::InvalidSortKey(_) => Error::new(
                ErrorKind::InvalidSortKey,
                "Sort key supplied is invalid: None",
            ),
            StorageError::InvalidSortDir(_) => Error::new(
                ErrorKind::InvalidSortDir,
                "Unknown sort direction, must be 'desc' or 'asc'",
            ),
            StorageError::InvalidCriterion(detail) => Error::bad_request(detail),
            other if other.is_transient() => Error::unavailable(other),
            other => Error::internal(other),
        }
    }
}

fn not_found_kind(r: Resource) -> ErrorKind {
    match r {
        Resource::Zone => ErrorKind::ZoneNotFound,
        Resource::RecordSet => ErrorKind::RecordSetNotFound,
        Resource::Record => ErrorKind::RecordNotFound,
        Resource::Pool => ErrorKind::PoolNotFound,
        Resource::ServiceStatus => ErrorKind::ServiceStatusNotFound,
    }
}

fn duplicate_kind(r: Resource) -> ErrorKind {
    match r {
        Resource::Zone => ErrorKind::DuplicateZone,
        Resource::RecordSet => ErrorKind::DuplicateRecordSet,
        Resource::Record => ErrorKind::DuplicateRecord,
        Resource::Pool => ErrorKind::DuplicatePool,
        Resource::ServiceStatus => ErrorKind::DuplicateServiceStatus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_designate_classes_and_messages() {
        let e: Error = StorageError::NotFound(Resource::Zone).into();
        assert_eq!(
            e,
            Error::new(ErrorKind::ZoneNotFound, "Could not find Zone")
        );
        let e: Error = StorageError::Duplicate(Resource::RecordSet).into();
        assert_eq!(
            e,
            Error::new(ErrorKind::DuplicateRecordSet, "Duplicate RecordSet")
        );
        let e: Error = StorageError::MarkerNotFound.into();
        assert_eq!(e.message.as_deref(), Some("Marker None could not be found"));
        let e: Error = StorageError::InvalidMarker.into();
        assert_eq!((e.kind, e.message), (ErrorKind::InvalidMarker, None));
        let e: Error = StorageError::InvalidUrl("x".into()).into();
        assert_eq!(e.kind, ErrorKind::Unknown);
        let e: Error = StorageError::Database(sqlx::Error::PoolTimedOut).into();
        assert_eq!(e.kind, ErrorKind::ServiceUnavailable);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let e: Error = StorageError::Database(sqlx::Error::Io(refused)).into();
        assert_eq!(e.kind, ErrorKind::ServiceUnavailable);
    }
}
