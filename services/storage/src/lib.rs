//! MySQL storage (sqlx): the schema of spec/storage.md, Designate's tables and
//! columns, so an existing Designate database can be used as it is.
//!
//! Only central writes zones, recordsets and records; mdns and the worker read.
//!
//! - [`Storage`]: the connection pool ([`db`]) and the schema migrations
//!   ([`migrate`]).
//! - Queries by table: [`zones`], [`recordsets`], [`records`], [`pools`],
//!   [`service_statuses`], [`quotas`], [`tlds`]; [`serving`] holds the reads
//!   mdns answers DNS from. Query functions take a `&mut MySqlConnection`, so
//!   they run alike inside a transaction (`&mut *tx`) or on a pooled connection.
//! - The filter language of `find_*` calls ([`criteria`]), keyset paging
//!   ([`paging`]), tenant scoping ([`scope`]).
//! - [`retry`]: re-running a transaction that lost a deadlock.
//! - [`testing`]: throw-away databases for integration tests.
//! - [`StorageError`] and its mapping to the domain error ([`error`]).
//!
//! Module ownership (while the team builds it):
//! - `serving`: read queries mdns answers DNS from (zone lookup, AXFR rows).
//! - `pools`: pools with their children, read for everyone, written by
//!   `delegate-manage pool update`.
//! - everything else: central's transactional reads and writes.

pub mod criteria;
pub mod db;
pub mod error;
pub mod managed;
pub mod migrate;
pub mod paging;
pub mod pools;
pub mod quotas;
pub mod records;
pub mod recordsets;
pub mod retry;
mod rows;
pub mod scope;
pub mod service_statuses;
pub mod serving;
pub mod testing;
pub mod tlds;
pub mod zones;

pub use db::{Storage, StorageOptions, Tx, commit};
pub use error::{Resource, StorageError};
pub use migrate::MigrationReport;
pub use paging::PageRequest;
pub use scope::Scope;
pub use sqlx::MySqlConnection;
