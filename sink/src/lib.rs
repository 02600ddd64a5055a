//! The sink service: turns nova and neutron notifications into managed
//! A/AAAA records (spec/services.md §7).
//!
//! - [`handlers`]: `nova_fixed`, `neutron_floatingip` and `fake` — the events
//!   each claims and the [`handlers::Plan`] it makes of one.
//! - [`format`]: Python's `%(name)s` substitution for the name formats.
//! - [`listener`]: [`listener::Sink`], the bus's notification handler that
//!   carries the plans out through central.

pub mod format;
pub mod handlers;
pub mod listener;
