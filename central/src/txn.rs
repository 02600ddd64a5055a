//! One operation = one transaction, run again when the database picks it as
//! a deadlock victim (spec/storage.md §3.9). Inside, errors are [`OpError`]
//! so the retry loop can still tell a deadlock from a refusal.

use delegate_model::{Error, ErrorKind};
use delegate_storage::StorageError;
use delegate_storage::retry::Retryable;

/// Why an attempt failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpError {
    /// A rule refused the request; final.
    #[error(transparent)]
    Domain(#[from] Error),
    /// The database failed; retried if it was a deadlock.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Retryable for OpError {
    fn is_retryable(&self) -> bool {
        matches!(self, OpError::Storage(e) if e.is_retryable())
    }
}

impl From<OpError> for Error {
    fn from(err: OpError) -> Error {
        let err = match err {
            OpError::Domain(e) => e,
            OpError::Storage(e) => Error::from(e),
        };
        // Refusals are the caller's business; only the unexpected is logged.
        if err.kind == ErrorKind::Unknown {
            tracing::error!(error = %err, "central operation failed");
        }
        err
    }
}

/// Shorthand: `Err(OpError)` from a domain error.
pub(crate) fn refuse<T>(err: Error) -> Result<T, OpError> {
    Err(OpError::Domain(err))
}
