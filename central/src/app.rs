//! The process: configuration, database, bus, serving until SIGTERM.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use delegate_config::{ConfigArgs, EmitterType};
use delegate_model::{ServiceStatus, time};
use delegate_rpc::{CENTRAL_VERSION, CentralDispatcher, WorkerClient};
use delegate_runtime::{connect_bus, connect_storage, shutdown_signal, start_heartbeat, telemetry};
use delegate_storage::{Storage, service_statuses};
use serde_json::json;

use crate::notify::BusNotifier;
use crate::service::Central;
use crate::settings::{Settings, load_policy};

const SERVICE: &str = "central";

/// Command line of `delegate-central`.
#[derive(Debug, clap::Parser)]
#[command(
    name = "delegate-central",
    version,
    about = "Delegate central: business rules and all writes"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs central until SIGTERM/SIGINT: requests in flight finish, then it exits.
pub async fn run(cli: Cli) -> Result<()> {
    telemetry::init("delegate-central");
    let config = cli.config.load().context("reading the configuration")?;
    let settings = Settings {
        policy: Arc::new(load_policy(&config).context("loading the policy")?),
        ..Settings::from_config(&config)
    };
    let storage = connect_storage(&config).await?;
    let bus = connect_bus(&config).await?;

    let notifier = BusNotifier(WorkerClient::new(bus.clone()));
    let central = Arc::new(Central::new(storage.clone(), settings, notifier));
    let heartbeat = start_heartbeat(&bus, &config, SERVICE);
    tracing::info!(topic = %config.central.topic, "serving");
    bus.serve(
        &config.central.topic,
        CENTRAL_VERSION,
        Arc::new(CentralDispatcher(central)),
        shutdown_signal(),
    )
    .await
    .context("serving the central topic")?;

    heartbeat.stop().await;
    if config.heartbeat_emitter.emitter_type != EmitterType::Noop {
        // The STOPPED heartbeat just cast waits in the queue for the next
        // central; this instance, no longer serving, writes its own row.
        record_stopped(&storage, &config.default.host).await;
    }
    bus.close().await;
    storage.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn record_stopped(storage: &Storage, host: &str) {
    let status = ServiceStatus {
        service_name: SERVICE.to_owned(),
        hostname: host.to_owned(),
        status: "STOPPED".to_owned(),
        heartbeated_at: Some(time::now()),
        stats: json!({}),
        capabilities: json!({}),
        ..ServiceStatus::default()
    };
    let written = match storage.acquire().await {
        Ok(mut conn) => service_statuses::upsert(&mut conn, &status).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        tracing::warn!(error = %e, "could not record the STOPPED status");
    }
}
