//! Graceful stop: services finish in-flight work when SIGTERM or SIGINT arrives.

use tokio::signal::unix::{SignalKind, signal};

/// Resolves on the first SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received, stopping"),
                _ = int.recv() => tracing::info!("SIGINT received, stopping"),
            }
        }
        // Without signal handlers (very unusual) fall back to Ctrl-C only.
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
