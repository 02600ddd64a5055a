//! The zone action (spec/services.md §5.2): apply a create/update/delete on
//! every target of the pool, NOTIFY, poll the nameservers, report to central,
//! then NOTIFY the also-notifies.
//!
//! Delegate's rule for failures (domain-rules §7.3 stays as it is): a zone
//! is reported ERROR only when targets refused the change for good, or when
//! the change has been propagating for longer than `max_prop_time`. Until
//! then a failure that can pass (a target or nameserver down, slow, or not
//! yet serving the serial) ends the action [`Unfinished`], and the caller
//! retries it later: the zone stays PENDING, its bus message unacknowledged.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use delegate_config::Worker;
use delegate_model::{Action, Error, HostPort, Pool, PoolTarget, ReportStatus};
use delegate_storage::zones::ZoneProgress;
use futures::future::join_all;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Name;
use uuid::Uuid;

use crate::backend::{self, Backend, BackendError};
use crate::dns_exchange::{Transport, exchange, notify_message, zone_name};
use crate::limits::Limits;
use crate::poll::{PollPlan, Report, meets, outcome, poll};
use crate::progress::{Relevance, propagation_expired, relevance};
use crate::queue::ZoneJob;

/// A boxed future, for the object-safe [`CentralPort`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a zone action needs from the rest of the platform.
pub trait CentralPort: Send + Sync {
    /// `update_status(zone_id, status, serial, action)` to central (a cast:
    /// done once the broker holds it).
    fn report(&self, zone_id: Uuid, report: Report) -> BoxFuture<'_, Result<(), Error>>;
    /// Where the zone stands now (the database); `None` once purged.
    fn progress(&self, zone_id: Uuid) -> BoxFuture<'_, Result<Option<ZoneProgress>, Error>>;
}

/// A pool with a backend for each target.
pub struct LoadedPool {
    pub pool: Pool,
    pub targets: Vec<LoadedTarget>,
    /// Shared by every pool a worker loads (see [`crate::limits`]).
    pub limits: Arc<Limits>,
}

/// A target and its backend (or why it has none: every action on it fails).
pub struct LoadedTarget {
    pub target: PoolTarget,
    pub backend: Result<Arc<dyn Backend>, String>,
    /// The key its calls are limited by.
    pub key: String,
}

impl LoadedPool {
    /// A pool with limits of its own (tests); workers share theirs.
    pub fn new(pool: Pool) -> LoadedPool {
        LoadedPool::with_limits(pool, Limits::new(4, 32))
    }

    pub fn with_limits(pool: Pool, limits: Arc<Limits>) -> LoadedPool {
        let targets = pool
            .targets
            .iter()
            .map(|t| LoadedTarget {
                key: t
                    .id
                    .map(|id| id.to_string())
                    .unwrap_or_else(|| format!("{} {:?}", t.backend, t.options)),
                target: t.clone(),
                backend: backend::for_target(t).map_err(|e| e.to_string()),
            })
            .collect();
        LoadedPool {
            pool,
            targets,
            limits,
        }
    }
}

/// How a zone action ended without needing a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Reported to central.
    Reported(ReportStatus),
    /// Nothing to do: the zone moved on (newer serial, deleted, served).
    Superseded,
}

/// The action could not finish for a reason that can pass; run it again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unfinished(pub String);

/// Runs one zone action to its report, or to a reason to retry it.
pub async fn run(
    job: &ZoneJob,
    pool: &LoadedPool,
    cfg: &Worker,
    central: &dyn CentralPort,
) -> Result<Done, Unfinished> {
    let zone = &job.zone;
    let Some(zone_id) = zone.id else {
        tracing::error!(zone = %zone.name, "zone without id: nothing to do");
        return Ok(Done::Superseded);
    };
    if let Relevance::Superseded(why) = check(central, job, zone_id).await? {
        tracing::debug!(zone = %zone.name, serial = zone.serial, why, "zone action skipped");
        return Ok(Done::Superseded);
    }
    let name = match zone_name(&zone.name) {
        Ok(name) => name,
        Err(e) => {
            tracing::error!(zone = %zone.name, error = %e, "cannot act on zone");
            let report = Report {
                status: ReportStatus::Error,
                serial: zone.serial,
                action: job.action,
            };
            return send(central, zone_id, report).await;
        }
    };
    tracing::info!(zone = %zone.name, %zone_id, action = %job.action, serial = zone.serial, "zone action");
    let done = match act_and_poll(job, &name, pool, cfg, central, zone_id).await? {
        Some(report) => {
            tracing::info!(zone = %zone.name, status = %report.status, serial = report.serial, "zone action done");
            send(central, zone_id, report).await?
        }
        None => Done::Superseded,
    };
    also_notify(&name, &pool.pool.also_notifies, pool, cfg).await;
    Ok(done)
}

/// The job's relevance; a database that cannot answer is a reason to retry.
async fn check(
    central: &dyn CentralPort,
    job: &ZoneJob,
    zone_id: Uuid,
) -> Result<Relevance, Unfinished> {
    let now = central
        .progress(zone_id)
        .await
        .map_err(|e| Unfinished(format!("cannot read the zone's state: {e}")))?;
    Ok(relevance(job, now.as_ref()))
}

async fn send(
    central: &dyn CentralPort,
    zone_id: Uuid,
    report: Report,
) -> Result<Done, Unfinished> {
    central
        .report(zone_id, report)
        .await
        .map_err(|e| Unfinished(format!("update_status not delivered: {e}")))?;
    Ok(Done::Reported(report.status))
}

/// `Ok(None)`: superseded while polling.
async fn act_and_poll(
    job: &ZoneJob,
    name: &Name,
    pool: &LoadedPool,
    cfg: &Worker,
    central: &dyn CentralPort,
    zone_id: Uuid,
) -> Result<Option<Report>, Unfinished> {
    let expired = || propagation_expired(job, cfg.max_prop_time());
    let results = join_all(
        pool.targets
            .iter()
            .map(|t| act_on_target(job, name, t, pool, cfg)),
    )
    .await;
    let successes = results.iter().filter(|r| r.is_ok()).count();
    if !meets(successes, results.len(), cfg.threshold_percentage) {
        let passing = results.iter().any(|r| matches!(r, Err(f) if f.can_pass()));
        if passing && !expired() {
            return Err(Unfinished(format!(
                "{successes} of {} targets updated; will try again",
                results.len()
            )));
        }
        tracing::warn!(zone = %job.zone.name, successes, targets = results.len(), "too few targets updated");
        return Ok(Some(Report {
            status: ReportStatus::Error,
            serial: job.zone.serial,
            action: job.action,
        }));
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
        limits: &pool.limits,
    };
    // Between rounds: is the change still wanted (a database that cannot
    // answer does not stop the polling)? And every few rounds the targets
    // are NOTIFYed again: a secondary whose transfer failed, or that was
    // restarted meanwhile, would otherwise wait for its SOA refresh timer.
    let rounds = std::sync::atomic::AtomicU32::new(0);
    let still_wanted = || async {
        let round = rounds.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if round.is_multiple_of(RENOTIFY_EVERY) && job.action != Action::Delete {
            renotify(name, pool, cfg).await;
        }
        !matches!(
            check(central, job, zone_id).await,
            Ok(Relevance::Superseded(_))
        )
    };
    let Some(tally) = poll(&plan, cfg, still_wanted).await else {
        return Ok(None);
    };
    let report = outcome(&tally, job.action, expected, cfg.threshold_percentage);
    if report.status != ReportStatus::Success && !expired() {
        return Err(Unfinished(format!(
            "{} of {} nameservers serve the change; will poll again",
            tally.positives, tally.total
        )));
    }
    Ok(Some(report))
}

/// Polling rounds between two NOTIFYs to the targets.
const RENOTIFY_EVERY: u32 = 4;

/// NOTIFYs every target again (failures only logged).
async fn renotify(name: &Name, pool: &LoadedPool, cfg: &Worker) {
    let sends = pool.targets.iter().map(|t| async move {
        let (host, port) = notify_address(&t.target);
        if let Err(e) = send_notify(name, host, port, &pool.limits, cfg).await {
            tracing::debug!(zone = %name, error = %e, "NOTIFY while polling failed");
        }
    });
    join_all(sends).await;
}

/// Up to `poll_max_retries` attempts (at least one) on one target, backing
/// off between them; the last failure when none succeeded.
async fn act_on_target(
    job: &ZoneJob,
    name: &Name,
    target: &LoadedTarget,
    pool: &LoadedPool,
    cfg: &Worker,
) -> Result<(), TargetError> {
    let attempts = cfg.poll_max_retries.max(1);
    let mut attempt = 0;
    loop {
        let err = match attempt_on_target(job, name, target, pool, cfg).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        tracing::info!(
            zone = %job.zone.name, target = %target.target.backend, attempt = attempt + 1, error = %err,
            "target action failed"
        );
        // A misconfigured target will not get better by waiting.
        if matches!(err, TargetError::Misconfigured(_)) || attempt + 1 >= attempts {
            return Err(err);
        }
        tokio::time::sleep(cfg.poll_retry_delay(attempt)).await;
        attempt += 1;
    }
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

impl TargetError {
    /// False for a definite refusal (bad configuration, the backend said
    /// no); true when the target was unreachable, slow or did not answer.
    fn can_pass(&self) -> bool {
        match self {
            TargetError::Misconfigured(_) => false,
            TargetError::Backend(e) => e.can_pass(),
            TargetError::Notify { .. } => true,
        }
    }
}

/// One attempt (§5.2 step 1, pool without catalog zone): CREATE → create then
/// NOTIFY; DELETE → delete (no NOTIFY); anything else → update then NOTIFY.
async fn attempt_on_target(
    job: &ZoneJob,
    name: &Name,
    target: &LoadedTarget,
    pool: &LoadedPool,
    cfg: &Worker,
) -> Result<(), TargetError> {
    let backend = target
        .backend
        .as_ref()
        .map_err(|e| TargetError::Misconfigured(e.clone()))?;
    if target.target.tsigkey_id.is_some() {
        tracing::warn!(zone = %job.zone.name, "target TSIG keys are not supported yet: NOTIFY sent unsigned");
    }
    {
        let _slot = pool.limits.backend(&target.key).await;
        match job.action {
            Action::Create => backend.create_zone(&job.zone).await?,
            Action::Delete => return Ok(backend.delete_zone(&job.zone, job.hard_delete).await?),
            Action::Update | Action::None => backend.update_zone(&job.zone).await?,
        }
    }
    let (host, port) = notify_address(&target.target);
    send_notify(name, host, port, &pool.limits, cfg).await
}

/// Where a target takes NOTIFYs: options `host` (127.0.0.1) and `port` (53).
fn notify_address(target: &PoolTarget) -> (&str, &str) {
    (
        target.option("host").unwrap_or("127.0.0.1"),
        target.option("port").unwrap_or("53"),
    )
}

/// A NOTIFY (RFC 1996) to `host:port`. Any response counts as delivered (as
/// in Designate); only a timeout or a network error is a failure.
async fn send_notify(
    name: &Name,
    host: &str,
    port: &str,
    limits: &Limits,
    cfg: &Worker,
) -> Result<(), TargetError> {
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
    let _slot = limits.dns(host, port_num).await;
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
async fn also_notify(name: &Name, targets: &[HostPort], pool: &LoadedPool, cfg: &Worker) {
    let sends = targets.iter().map(|hp| async move {
        if let Err(e) = send_notify(name, &hp.host, &hp.port.to_string(), &pool.limits, cfg).await {
            tracing::info!(zone = %name, error = %e, "also-notify failed");
        }
    });
    join_all(sends).await;
}
