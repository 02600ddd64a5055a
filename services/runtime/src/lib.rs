//! What every Delegate service does the same way: logging, stopping on a
//! signal, and heartbeats to central (spec/services.md §9).

pub mod heartbeat;
pub mod service;
pub mod shutdown;
pub mod telemetry;

pub use heartbeat::Heartbeat;
pub use service::{Started, connect_bus, connect_storage, load_config, start, start_heartbeat};
pub use shutdown::shutdown_signal;
