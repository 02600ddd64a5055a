//! The zone action (spec/services.md §5.2): apply a create/update/delete on
//! every target of the pool, NOTIFY, poll the nameservers, report to central,
//! then NOTIFY the also-notifies.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use delegate_config::Worker;
use delegate_model::{Action, HostPort, Pool, PoolTarget, ReportStatus};
use futures::future::join_all;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Name;
use uuid::Uuid;

use crate::backend::{self, Backend, BackendError};
use crate::dns_exchange::{Transport, exchange, notify_message, zone_name};
use crate::poll::{PollPlan, Report, meets, outcome, poll};
use crate::queue::ZoneJob;

/// A boxed future, for the object-safe [`CentralPort`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A zone as central currently sees it, for the poller's "still wanted?" check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneState {
    Exists(Action),
    Gone,
    /// Central could not say (unreachable): keep going.
    Unknown,
}

/// What a zone action needs from central.
pub trait CentralPort: Send + Sync {
    /// `update_status(zone_id, status, serial, action)`; failures are logged.
    fn report(&self, zone_id: Uuid, report: Report) -> BoxFuture<'_, ()>;
    fn zone_state(&self, zone_id: Uuid) -> BoxFuture<'_, ZoneState>;
}

/// A pool with a backend for each target.
pub struct LoadedPool {
    pub pool: Pool,
    pub targets: Vec<LoadedTarget>,
}

/// A target and its backend (or why it has none: every action on it fails).
pub struct LoadedTarget {
    pub target: PoolTarget,
    pub backend: Result<Arc<dyn Backend>, String>,
}

impl LoadedPool {
    pub fn new(pool: Pool) -> LoadedPool {
        let targets = pool
            .targets
            .iter()
            .map(|t| LoadedTarget {
                target: t.clone(),
                backend: backend::for_target(t).map_err(|e| e.to_string()),
            })
            .collect();
        LoadedPool { pool, targets }
    }
}

/// Runs one zone action to its report.
pub async fn run(job: &ZoneJob, pool: &LoadedPool, cfg: &Worker, central: &dyn CentralPort) {
    let zone = &job.zone;
    let Some(zone_id) = zone.id else {
        tracing::error!(zone = %zone.name, "zone without id: nothing to do");
        return;
    };
    let name = match zone_name(&zone.name) {
        Ok(name) => name,
        Err(e) => {
            tracing::error!(zone = %zone.name, error = %e, "cannot act on zone");
            central
                .report(
                    zone_id,
                    Report {
                        status: ReportStatus::Error,
                        serial: zone.serial,
                        action: job.action,
                    },
                )
                .await;
            return;
        }
    };
    tracing::info!(zone = %zone.name, %zone_id, action = %job.action, serial = zone.serial, "zone action");
    if let Some(report) = act_and_poll(job, &name, pool, cfg, central, zone_id).await {
        tracing::info!(zone = %zone.name, status = %report.status, serial = report.serial, "zone action done");
        central.report(zone_id, report).await;
    }
    also_notify(&name, &pool.pool.also_notifies, cfg).await;
}

async fn act_and_poll(
    job: &ZoneJob,
    name: &Name,
    pool: &LoadedPool,
    cfg: &Worker,
    central: &dyn CentralPort,
    zone_id: Uuid,
) -> Option<Report> {
    let results = join_all(
        pool.targets
            .iter()
            .map(|t| act_on_target(job, name, t, cfg)),
    )
    .await;
    let successes = results.iter().filter(|ok| **ok).count();
    if !meets(successes, results.len(), cfg.threshold_percentage) {
        tracing::warn!(zone = %job.zone.name, successes, targets = results.len(), "too few targets updated");
        return Some(Report {
            status: ReportStatus::Error,
            serial: job.zone.serial,
            action: job.action,
        });
    }
    // Give the nameservers a moment to transfer (Delegate: 0.1 s, Designate 5 s).
    tokio::time::sleep(cfg.poll_delay).await;
    let expected = if job.action == Action::Delete {
        0
    } else {
        job.zone.serial
    };
    let plan = PollPlan {
        zone: name,
        action: job.action,
        expected,
        nameservers: &pool.pool.nameservers,
    };
    let tally = poll(&plan, cfg, || still_wanted(central, zone_id, job.action)).await;
    Some(outcome(
        &tally,
        job.action,
        expected,
        cfg.threshold_percentage,
    ))
}

/// Designate's "is the current action still valid?": a DELETE always is;
/// otherwise not once the zone is back to NONE or being deleted (someone
/// else finished or overtook it), nor once it is gone (unless creating).
async fn still_wanted(central: &dyn CentralPort, zone_id: Uuid, action: Action) -> bool {
    if action == Action::Delete {
        return true;
    }
    match central.zone_state(zone_id).await {
        ZoneState::Exists(Action::None | Action::Delete) => false,
        ZoneState::Gone => action == Action::Create,
        ZoneState::Exists(_) | ZoneState::Unknown => true,
    }
}

/// Up to `poll_max_retries` attempts (at least one) on one target, backing
/// off between them; true on success.
async fn act_on_target(job: &ZoneJob, name: &Name, target: &LoadedTarget, cfg: &Worker) -> bool {
    let attempts = cfg.poll_max_retries.max(1);
    for attempt in 0..attempts {
        match attempt_on_target(job, name, target, cfg).await {
            Ok(()) => return true,
            Err(e) => tracing::info!(
                zone = %job.zone.name, target = %target.target.backend, attempt = attempt + 1, error = %e,
                "target action failed"
            ),
        }
        if target.backend.is_err() {
            return false; // a misconfigured target will not get better by waiting
        }
        if attempt + 1 < attempts {
            tokio::time::sleep(cfg.poll_retry_delay(attempt)).await;
        }
    }
    false
}

/// Why one attempt on a target failed.
#[derive(Debug, thiserror::Error)]
enum TargetError {
    #[error("backend not usable: {0}")]
    Misconfigured(String),
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("NOTIFY to {host}:{port} failed: {why}")]
    Notify {
        host: String,
        port: String,
        why: String,
    },
}

/// One attempt (§5.2 step 1, pool without catalog zone): CREATE → create then
/// NOTIFY; DELETE → delete (no NOTIFY); anything else → update then NOTIFY.
async fn attempt_on_target(
    job: &ZoneJob,
    name: &Name,
    target: &LoadedTarget,
    cfg: &Worker,
) -> Result<(), TargetError> {
    let backend = target
        .backend
        .as_ref()
        .map_err(|e| TargetError::Misconfigured(e.clone()))?;
    if target.target.tsigkey_id.is_some() {
        tracing::warn!(zone = %job.zone.name, "target TSIG keys are not supported yet: NOTIFY sent unsigned");
    }
    match job.action {
        Action::Create => backend.create_zone(&job.zone).await?,
        Action::Delete => return Ok(backend.delete_zone(&job.zone, job.hard_delete).await?),
        Action::Update | Action::None => backend.update_zone(&job.zone).await?,
    }
    let host = target.target.option("host").unwrap_or("127.0.0.1");
    let port = target.target.option("port").unwrap_or("53");
    send_notify(name, host, port, cfg).await
}

/// A NOTIFY (RFC 1996) to `host:port`. Any response counts as delivered (as
/// in Designate); only a timeout or a network error is a failure.
async fn send_notify(name: &Name, host: &str, port: &str, cfg: &Worker) -> Result<(), TargetError> {
    let fail = |why: String| TargetError::Notify {
        host: host.to_owned(),
        port: port.to_owned(),
        why,
    };
    let port_num: u16 = port
        .trim()
        .parse()
        .map_err(|_| fail("the port option is not a port number".into()))?;
    let transport = Transport::from_all_tcp(cfg.all_tcp);
    let response = exchange(
        &notify_message(name),
        host,
        port_num,
        transport,
        cfg.serial_timeout,
    )
    .await
    .map_err(|e| fail(e.to_string()))?;
    let rcode = response.metadata.response_code;
    if rcode != ResponseCode::NoError {
        tracing::debug!(zone = %name, host, port, %rcode, "NOTIFY answered with an error code");
    }
    Ok(())
}

/// Step 7: an unsigned NOTIFY to every also-notify; failures only logged.
async fn also_notify(name: &Name, targets: &[HostPort], cfg: &Worker) {
    let sends = targets.iter().map(|hp| async move {
        if let Err(e) = send_notify(name, &hp.host, &hp.port.to_string(), cfg).await {
            tracing::info!(zone = %name, error = %e, "also-notify failed");
        }
    });
    join_all(sends).await;
}
