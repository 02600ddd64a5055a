//! delegate-central: the business rules of zones and recordsets, and the only
//! writer of zones, recordsets and records (design.md "The path of one change").
//!
//! Every mutating operation is one transaction that first locks the zone row
//! (`SELECT … FOR UPDATE`; zone creation locks the pool row), so any number
//! of central instances can serve the same zones. A deadlock re-runs the
//! whole operation. A change bumps the zone serial (`max(old + 1, now)`),
//! rebuilds the SOA record, and once committed is cast to the workers at once
//! — the producer's periodic serial increment is only a safety net.
//!
//! - [`service`]: [`Central`], the [`delegate_rpc::CentralService`] implementation.
//! - [`zones`], [`recordsets`], [`status`], [`managed`]: the operations.
//! - [`zone_names`], [`access`], [`quota`], [`serial`]: the rules they apply.
//! - [`notify`]: the after-commit casts, behind a trait tests replace.
//! - [`app`]: the process (configuration, database, bus, signals).

pub mod access;
pub mod app;
pub mod managed;
pub mod notify;
pub mod quota;
pub mod recordsets;
pub mod serial;
pub mod service;
pub mod settings;
pub mod status;
mod txn;
pub mod zone_names;
pub mod zone_update;
pub mod zones;

pub use app::{Cli, run};
pub use notify::{BusNotifier, WorkerCast, WorkerNotifier};
pub use service::Central;
pub use settings::Settings;
