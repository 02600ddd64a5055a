//! Logging: human-readable lines on stderr, filtered by `RUST_LOG`
//! (default `info`), each prefixed by the service name so that the logs of a
//! whole platform on one machine stay readable.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Safe to call twice (the second call is a no-op).
pub fn init(service: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,lapin=error,openraft=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
    tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
}
