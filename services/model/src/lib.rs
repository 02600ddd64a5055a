//! The domain model shared by every Delegate service.
//!
//! - [`context`]: who is asking (Designate's request context, as it travels on the bus).
//! - [`error`]: the one error type of the domain; each variant is a Designate
//!   exception class with its HTTP code and API `type`, so an error raised in
//!   central renders the same body in the API after crossing the bus.
//! - [`objects`]: zones, recordsets, records, pools, service statuses.
//! - [`envelope`]: oslo.versionedobjects primitives (`designate_object.*`), the
//!   form objects take on the bus (spec/services.md §2).
//! - [`ids`]: UUID helpers (hyphenated on the bus and in the API, 32 hex in MySQL)
//!   and the zone shard function.
//! - [`time`]: the timestamp formats of the bus and of the API.

pub mod context;
pub mod envelope;
pub mod error;
pub mod ids;
pub mod objects;
pub mod time;

pub use context::Context;
pub use error::{Error, ErrorKind};
pub use objects::*;
