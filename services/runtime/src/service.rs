//! Start-up steps every service binary shares: load the configuration, connect
//! the bus, start heartbeats ([`start`] does all of them, after logging).
//! Errors carry the context an operator needs.

use anyhow::{Context, Result};
use delegate_bus::{Bus, BusConfig};
use delegate_config::{Config, ConfigArgs, EmitterType};
use delegate_rpc::CentralClient;
use delegate_storage::{Storage, StorageOptions};

use crate::{Heartbeat, telemetry};

/// A started service: its configuration, its bus connection and its heartbeat.
pub struct Started {
    pub config: Config,
    pub bus: Bus,
    heartbeat: Heartbeat,
}

/// The prologue of a bus service's `main`: logging, configuration, bus,
/// heartbeats of `service_name`.
pub async fn start(service_name: &str, args: &ConfigArgs) -> Result<Started> {
    telemetry::init(service_name);
    let config = load_config(args)?;
    let bus = connect_bus(&config).await?;
    let heartbeat = start_heartbeat(&bus, &config, service_name);
    Ok(Started {
        config,
        bus,
        heartbeat,
    })
}

impl Started {
    /// The epilogue: the last heartbeat, the bus closed, `stopped` logged.
    pub async fn stop(self) {
        self.heartbeat.stop().await;
        self.bus.close().await;
        tracing::info!("stopped");
    }
}

/// Loads the configuration named on the command line (plus environment).
pub fn load_config(args: &ConfigArgs) -> Result<Config> {
    let config = args.load().context("configuration")?;
    for unused in config.unused_settings() {
        tracing::debug!(setting = %unused, "configuration setting not used by Delegate");
    }
    Ok(config)
}

/// Connects to the brokers of `[DEFAULT] transport_url`.
pub async fn connect_bus(config: &Config) -> Result<Bus> {
    let d = &config.default;
    let url = d.require_transport_url().context("configuration")?;
    let bus_config =
        BusConfig::from_transport_url(url, &d.control_exchange, &d.host, d.rpc_response_timeout)
            .context("[DEFAULT] transport_url")?;
    Bus::connect(bus_config)
        .await
        .context("connect to the message bus")
}

/// Starts the heartbeat of `service_name` on this host (spec/services.md §9);
/// with `[heartbeat_emitter] emitter_type = noop` nothing is sent.
pub fn start_heartbeat(bus: &Bus, config: &Config, service_name: &str) -> Heartbeat {
    if config.heartbeat_emitter.emitter_type == EmitterType::Noop {
        tracing::info!("heartbeats off ([heartbeat_emitter] emitter_type = noop)");
        return Heartbeat::disabled();
    }
    Heartbeat::spawn(
        CentralClient::new(bus.clone()),
        service_name,
        &config.default.host,
        config.heartbeat_emitter.heartbeat_interval,
    )
}

/// Connects to the database with `[storage:sqlalchemy]`'s pool options
/// (oslo.db's: up to `max_pool_size + max_overflow` connections, waiting
/// `pool_timeout` for one), retrying as `max_retries` and `retry_interval`
/// say (the database may start after the service).
pub async fn connect_storage(config: &Config) -> Result<Storage> {
    let s = &config.storage;
    let url = s.require_url()?;
    let options = StorageOptions {
        max_connections: s.max_pool_size.saturating_add(s.max_overflow),
        acquire_timeout: s.pool_timeout.unwrap_or(std::time::Duration::from_secs(30)),
        max_lifetime: s.connection_recycle_time,
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
