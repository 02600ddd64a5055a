//! delegate-mdns: the hidden primary. It answers SOA queries and zone
//! transfers (AXFR; IXFR answered as AXFR) for the zones in the database, over
//! UDP and TCP, so that the pool's nameservers can pull zones from it
//! (spec/services.md §4). It reads the database and writes nothing.
//!
//! - [`server`]: the UDP and TCP listeners.
//! - [`handler`]: one request in, what to send out (dispatch, spec §4.3).
//! - [`query`]: ordinary queries, one stored RRset (spec §4.6).
//! - [`axfr`]: zone transfers, streamed from the database (spec §4.4).
//! - [`source`]: where zones come from (the database, or memory in tests).
//! - [`records`], [`response`], [`framing`]: wire-format helpers.
//! - [`settings`]: what mdns takes from the configuration.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod axfr;
pub mod framing;
pub mod handler;
pub mod query;
pub mod records;
pub mod response;
pub mod server;
pub mod settings;
pub mod source;

#[cfg(test)]
mod tests;

pub use handler::{Handler, Outcome, Policy};
pub use server::Server;
pub use settings::Settings;
pub use source::{DbSource, ZoneSource};
