//! Heartbeats: every interval, cast central `update_service_status` with
//! status `UP`; on a graceful stop, one last one with `STOPPED`
//! (spec/services.md §9).

use std::time::Duration;

use delegate_model::{Context, ServiceStatus, time};
use delegate_rpc::CentralClient;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running heartbeat emitter.
pub struct Heartbeat {
    /// `None` when heartbeats are off (`emitter_type = noop`).
    running: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl Heartbeat {
    /// Starts emitting for `service_name` on `hostname` every `interval`.
    pub fn spawn(
        central: CentralClient,
        service_name: &str,
        hostname: &str,
        interval: Duration,
    ) -> Heartbeat {
        let (stop, mut stopped) = watch::channel(false);
        let base = ServiceStatus {
            service_name: service_name.to_owned(),
            hostname: hostname.to_owned(),
            stats: json!({}),
            capabilities: json!({}),
            ..ServiceStatus::default()
        };
        let task = tokio::spawn(async move {
            loop {
                emit(&central, &base, "UP").await;
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stopped.changed() => break,
                }
            }
            emit(&central, &base, "STOPPED").await;
        });
        Heartbeat {
            running: Some((stop, task)),
        }
    }

    /// A heartbeat that sends nothing (`[heartbeat_emitter] emitter_type = noop`).
    pub fn disabled() -> Heartbeat {
        Heartbeat { running: None }
    }

    /// Sends the final `STOPPED` heartbeat and waits for it to be published.
    pub async fn stop(self) {
        if let Some((stop, task)) = self.running {
            let _ = stop.send(true);
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

async fn emit(central: &CentralClient, base: &ServiceStatus, status: &str) {
    let beat = ServiceStatus {
        status: status.to_owned(),
        heartbeated_at: Some(time::now()),
        ..base.clone()
    };
    if let Err(e) = central
        .update_service_status(&Context::admin(), &beat)
        .await
    {
        tracing::warn!(error = %e, "heartbeat not sent");
    }
}
