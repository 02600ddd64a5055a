//! The process: configuration, database, bus, serving until SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use delegate_config::{Config, ConfigArgs};
use delegate_rpc::{CENTRAL_VERSION, CentralDispatcher, WorkerClient};
use delegate_runtime::{connect_bus, shutdown_signal, start_heartbeat, telemetry};
use delegate_storage::{Storage, StorageOptions};

use crate::notify::BusNotifier;
use crate::service::Central;
use crate::settings::Settings;

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
    let storage = connect_storage(&config).await?;
    let bus = connect_bus(&config).await?;

    let notifier = BusNotifier(WorkerClient::new(bus.clone()));
    let central = Arc::new(Central::new(
        storage.clone(),
        Settings::from_config(&config),
        notifier,
    ));
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
    bus.close().await;
    storage.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Connects to the database, retrying as `[storage:sqlalchemy] max_retries`
/// and `retry_interval` say (the database may start after central).
async fn connect_storage(config: &Config) -> Result<Storage> {
    let s = &config.storage;
    let url = s.require_url()?;
    let options = StorageOptions {
        max_connections: s.max_pool_size.saturating_add(s.max_overflow),
        acquire_timeout: s.pool_timeout.unwrap_or(Duration::from_secs(30)),
        sql_mode: s.mysql_sql_mode.clone(),
    };
    let mut attempt = 0u32;
    loop {
        match Storage::connect_with(url, &options).await {
            Ok(storage) => return Ok(storage),
            Err(e) if s.max_retries.is_none_or(|max| attempt < max) => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "database not reachable, retrying");
                tokio::time::sleep(s.retry_interval).await;
            }
            Err(e) => return Err(e).context("connecting to the database"),
        }
    }
}
