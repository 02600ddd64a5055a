//! Backends: how the worker creates, updates and deletes a zone on one pool
//! target (spec/services.md §5.4). One backend instance per target.

pub mod bind9;
pub mod fake;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use delegate_model::{PoolTarget, Zone};

/// Why a backend action failed (the target attempt counts as failed).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("unsupported backend type {0:?} (supported: bind9, fake)")]
    Unsupported(String),
    #[error("bad option {option} = {value:?}: {why}")]
    BadOption {
        option: &'static str,
        value: String,
        why: String,
    },
    #[error("zone name {0:?} cannot be passed to the backend")]
    BadZoneName(String),
    /// The backend refused or failed the command.
    #[error("{0}")]
    Command(String),
    /// The backend could not be reached or did not answer in time.
    #[error("{0}")]
    Unreachable(String),
}

impl BackendError {
    /// True when trying again later can succeed.
    pub fn can_pass(&self) -> bool {
        matches!(self, BackendError::Unreachable(_))
    }
}

/// The future a backend action returns.
pub type BackendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), BackendError>> + Send + 'a>>;

/// What a pool target's backend does. A zone action calls one of these, then
/// (for create/update) the worker sends the NOTIFY itself.
pub trait Backend: Send + Sync {
    fn create_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a>;
    /// Designate's default is a no-op (the NOTIFY that follows does the work).
    fn update_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a>;
    /// `hard_delete`: also remove the backend's copy of the zone data.
    fn delete_zone<'a>(&'a self, zone: &'a Zone, hard_delete: bool) -> BackendFuture<'a>;
}

/// The backend for a target, from its `type` and options.
pub fn for_target(target: &PoolTarget) -> Result<Arc<dyn Backend>, BackendError> {
    match target.backend.as_str() {
        "bind9" => Ok(Arc::new(bind9::Bind9::from_target(target)?)),
        "fake" => Ok(Arc::new(fake::Fake)),
        other => Err(BackendError::Unsupported(other.to_owned())),
    }
}
