//! MySQL storage (sqlx): the schema of spec/storage.md, Designate's tables and
//! columns, so an existing Designate database can be used as it is.
//!
//! Only central writes zones, recordsets and records; mdns and the worker read.
//!
//! Module ownership (while the team builds it):
//! - `serving`: read queries mdns answers DNS from (zone lookup, AXFR rows).
//! - `pools`: pools with their children, read for everyone, written by
//!   `delegate-manage pool update`.
//! - everything else: central's transactional reads and writes.

pub mod pools;
pub mod serving;
