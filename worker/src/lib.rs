//! delegate-worker: pushes zones to the pools' backends (spec/services.md §5).
//!
//! It serves RPC topic `worker` (`[service:worker] topic`). For each
//! `create_zone` / `update_zone` / `delete_zone` cast it runs the zone action
//! ([`zone_action`]): the backend change on every target (`bind9` through
//! rndc, or `fake`), a DNS NOTIFY to each target, SOA polls of the pool's
//! nameservers until enough serve the new serial, a report to central
//! (`update_status`), and NOTIFYs to the pool's also-notifies.
//! `get_serial_number` answers with one server's serial ([`serial`]).
//!
//! # Timing: Delegate's defaults against Designate's
//!
//! Designate sleeps `poll_delay` = 5 s after the backend change, then polls
//! every `poll_retry_interval` = 15 s (10 rounds), with 10 s DNS timeouts: a
//! change needs at least 5 s to turn ACTIVE, 20 s if the first poll is early.
//! Delegate starts polling after `poll_delay` = 0.1 s and backs off: 0.2 s,
//! doubling up to `poll_retry_max_interval` = 2 s, for `poll_max_retries` =
//! 30 rounds; a change a nameserver picks up at once is ACTIVE in well under
//! a second. Target attempts use the same back-off. DNS exchanges (NOTIFY
//! and SOA polls) time out after `serial_timeout` (1 s, Designate's value for
//! its serial probes) instead of a fixed 10 s: a timed-out poll is simply
//! asked again next round. A designate.conf with Designate's values keeps
//! Designate's behaviour (a 15 s interval is never shortened).
//!
//! # Other differences
//!
//! - One action per zone at a time in a process; requests arriving
//!   meanwhile collapse into the newest ([`queue`]).
//! - Pools are read from the database and re-read after
//!   [`pool_cache::POOL_TTL`], so a pool update needs no worker restart.
//! - With `poll_max_retries = 0` one round is still made.
//!
//! # Not yet supported
//!
//! TSIG signing of NOTIFYs and polls (targets' and nameservers'
//! `tsigkey_id`: messages go unsigned, with a warning), catalog zones,
//! backends other than `bind9` and `fake`, and the `recover_shard`,
//! `start_zone_export` and `perform_zone_xfr` methods.

pub mod backend;
pub mod dns_exchange;
pub mod poll;
pub mod pool_cache;
pub mod queue;
pub mod serial;
pub mod service;
pub mod zone_action;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use delegate_config::Config;
use delegate_rpc::{CentralClient, WORKER_VERSION, WorkerDispatcher};
use delegate_runtime::{connect_bus, shutdown_signal, start_heartbeat};
use delegate_storage::Storage;

use crate::pool_cache::{POOL_TTL, PoolCache};
use crate::service::{CentralOverBus, WorkerHandler};

/// How long a stopping worker waits for running zone actions.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Runs the worker until SIGTERM/SIGINT.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let url = config.storage.require_url().context("configuration")?;
    let storage = Storage::connect(url)
        .await
        .context("connect to the database")?;
    let bus = connect_bus(&config).await?;
    let central = Arc::new(CentralOverBus(CentralClient::new(bus.clone())));
    let pools = PoolCache::new(storage.pool().clone(), POOL_TTL);
    let handler = Arc::new(WorkerHandler::new(
        config.worker.clone(),
        config.central.default_pool_id,
        pools,
        central,
    ));
    let heartbeat = start_heartbeat(&bus, &config, "worker");
    tracing::info!(topic = %config.worker.topic, "serving");
    bus.serve(
        &config.worker.topic,
        WORKER_VERSION,
        Arc::new(WorkerDispatcher(handler.clone())),
        shutdown_signal(),
    )
    .await
    .context("serve the worker topic")?;
    handler.drain(SHUTDOWN_GRACE).await;
    heartbeat.stop().await;
    bus.close().await;
    storage.close().await;
    Ok(())
}
