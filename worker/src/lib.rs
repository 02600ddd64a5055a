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
//!   meanwhile collapse into the newest ([`queue`]); across processes a job
//!   whose zone has moved on is skipped ([`progress`]).
//! - A zone action holds its bus message until it ends: a failure that can
//!   pass (target or nameserver down or slow, database away) leaves the
//!   zone PENDING and the message is retried with back-off; ERROR only
//!   comes from a definite refusal or after `max_prop_time` ([`zone_action`]).
//! - Bounded concurrency per target and per nameserver ([`limits`]).
//! - ERROR and stale PENDING zones are re-driven by the worker's own
//!   recovery timer as well as by `recover_shard` ([`recovery`]).
//! - Pools are read from the database and re-read after
//!   [`pool_cache::POOL_TTL`], so a pool update needs no worker restart.
//! - With `poll_max_retries = 0` one round is still made.
//!
//! # Not yet supported
//!
//! TSIG signing of NOTIFYs and polls (targets' and nameservers'
//! `tsigkey_id`: messages go unsigned, with a warning), catalog zones,
//! backends other than `bind9` and `fake`, and the `start_zone_export` and
//! `perform_zone_xfr` methods.

pub mod backend;
pub mod dns_exchange;
pub mod limits;
pub mod poll;
pub mod pool_cache;
pub mod progress;
pub mod queue;
pub mod recovery;
pub mod serial;
pub mod service;
pub mod zone_action;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use delegate_config::Config;
use delegate_rpc::{CentralClient, WORKER_VERSION, WorkerClient, WorkerDispatcher};
use delegate_runtime::{connect_bus, connect_storage, shutdown_signal, start_heartbeat};

use crate::limits::Limits;
use crate::pool_cache::{POOL_TTL, PoolCache};
use crate::service::{CentralOverBus, WorkerHandler};

/// How long a stopping worker lets running zone actions finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs the worker until SIGTERM/SIGINT, then lets zone actions in flight
/// finish for up to [`SHUTDOWN_GRACE`].
pub async fn run(config: Config) -> anyhow::Result<()> {
    let storage = connect_storage(&config).await?;
    let bus = connect_bus(&config).await?;
    let db = storage.pool().clone();
    let central = Arc::new(CentralOverBus {
        central: CentralClient::new(bus.clone()),
        db: db.clone(),
    });
    let cfg = &config.worker;
    let limits = Limits::new(cfg.target_concurrency, cfg.nameserver_concurrency);
    let pools = PoolCache::new(db.clone(), POOL_TTL, limits);
    let handler = WorkerHandler::new(cfg.clone(), config.central.default_pool_id, pools, central)
        .with_recasts(WorkerClient::new(bus.clone()));
    let handler = Arc::new(handler);
    let recovery = tokio::spawn(recovery::run_timer(handler.clone(), db, cfg.clone()));
    let heartbeat = start_heartbeat(&bus, &config, "worker");
    tracing::info!(topic = %cfg.topic, "serving");
    let serving = bus.serve(
        &cfg.topic,
        WORKER_VERSION,
        Arc::new(WorkerDispatcher(handler)),
        shutdown_signal(),
    );
    // Zone actions in flight get SHUTDOWN_GRACE to finish; past that (a
    // nameserver that is down, say) they are dropped unacknowledged, and
    // their messages go to another worker when the connection closes.
    let grace_over = async {
        shutdown_signal().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = serving => served.context("serve the worker topic")?,
        () = grace_over => tracing::warn!(
            "zone actions still running {SHUTDOWN_GRACE:?} after the stop signal; their messages go back to the queue"
        ),
    }
    recovery.abort();
    heartbeat.stop().await;
    bus.close().await;
    storage.close().await;
    Ok(())
}
