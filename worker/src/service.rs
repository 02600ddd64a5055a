//! The worker's RPC methods (spec/services.md §5.1). Zone actions are casts:
//! the request is accepted at once and the action runs in its own task,
//! one per zone at a time ([`crate::queue`]).

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use delegate_config::Worker;
use delegate_model::{Action, Context, Error, ErrorKind, ReportStatus, Zone};
use delegate_rpc::{CentralClient, SerialReport, WorkerService};
use futures::FutureExt;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::poll::Report;
use crate::pool_cache::PoolCache;
use crate::queue::{ZoneJob, ZoneQueue};
use crate::serial::get_serial_number;
use crate::zone_action::{self, BoxFuture, CentralPort, ZoneState};

/// The worker service.
pub struct WorkerHandler {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: Worker,
    default_pool_id: Uuid,
    pools: PoolCache,
    central: Arc<dyn CentralPort>,
    queue: ZoneQueue,
    tasks: Mutex<JoinSet<()>>,
}

impl WorkerHandler {
    pub fn new(
        cfg: Worker,
        default_pool_id: Uuid,
        pools: PoolCache,
        central: Arc<dyn CentralPort>,
    ) -> Self {
        let inner = Inner {
            cfg,
            default_pool_id,
            pools,
            central,
            queue: ZoneQueue::new(),
            tasks: Mutex::default(),
        };
        WorkerHandler {
            inner: Arc::new(inner),
        }
    }

    /// Accepts a zone action; it runs now, or after the zone's running one.
    fn enqueue(&self, zone: Zone, action: Action, hard_delete: bool) -> Result<(), Error> {
        let zone_id = zone
            .id
            .ok_or_else(|| Error::bad_request("zone without id"))?;
        let job = ZoneJob {
            zone,
            action,
            hard_delete,
        };
        let Some(first) = self.inner.queue.submit(zone_id, job) else {
            return Ok(());
        };
        let inner = self.inner.clone();
        let mut tasks = self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner());
        while tasks.try_join_next().is_some() {} // forget finished tasks
        tasks.spawn(async move {
            let mut job = first;
            loop {
                // A panic must not leave the zone's slot taken forever.
                if AssertUnwindSafe(inner.run(&job))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!(%zone_id, "zone action panicked");
                }
                match inner.queue.next(zone_id) {
                    Some(next) => job = next,
                    None => break,
                }
            }
        });
        Ok(())
    }

    /// Waits up to `grace` for running zone actions (graceful stop).
    pub async fn drain(&self, grace: Duration) {
        let mut tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        if tasks.is_empty() {
            return;
        }
        tracing::info!(running = tasks.len(), "waiting for running zone actions");
        let all = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("zone actions still running at shutdown; recovery will redo them");
        }
    }
}

impl Inner {
    async fn run(&self, job: &ZoneJob) {
        let pool_id = job.zone.pool_id.unwrap_or(self.default_pool_id);
        match self.pools.get(pool_id).await {
            Ok(pool) => zone_action::run(job, &pool, &self.cfg, self.central.as_ref()).await,
            Err(e) => {
                tracing::error!(zone = %job.zone.name, pool = %pool_id, error = %e, "cannot load the zone's pool");
                if let Some(id) = job.zone.id {
                    let report = Report {
                        status: ReportStatus::Error,
                        serial: job.zone.serial,
                        action: job.action,
                    };
                    self.central.report(id, report).await;
                }
            }
        }
    }
}

/// A cast's action: the zone's own, unless it says NONE.
fn action_of(zone: &Zone, fallback: Action) -> Action {
    if zone.action == Action::None {
        fallback
    } else {
        zone.action
    }
}

impl WorkerService for WorkerHandler {
    async fn create_zone(&self, _ctx: Context, zone: Zone) -> Result<(), Error> {
        let action = action_of(&zone, Action::Create);
        self.enqueue(zone, action, false)
    }

    async fn update_zone(&self, _ctx: Context, zone: Zone) -> Result<(), Error> {
        let action = action_of(&zone, Action::Update);
        self.enqueue(zone, action, false)
    }

    async fn delete_zone(&self, _ctx: Context, zone: Zone, hard_delete: bool) -> Result<(), Error> {
        self.enqueue(zone, Action::Delete, hard_delete)
    }

    async fn recover_shard(&self, _ctx: Context, begin: u16, end: u16) -> Result<(), Error> {
        Err(Error::internal(format!(
            "recover_shard({begin}, {end}) is not implemented yet"
        )))
    }

    async fn get_serial_number(
        &self,
        _ctx: Context,
        zone: Zone,
        host: String,
        port: u16,
    ) -> Result<SerialReport, Error> {
        Ok(get_serial_number(&zone, &host, port, &self.inner.cfg).await)
    }
}

/// [`CentralPort`] over the bus: reports are `update_status` casts, zone
/// states come from `get_zone`, both with an admin context.
pub struct CentralOverBus(pub CentralClient);

impl CentralPort for CentralOverBus {
    fn report(&self, zone_id: Uuid, report: Report) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let ctx = Context::admin();
            let sent = self
                .0
                .update_status(
                    &ctx,
                    zone_id,
                    report.status,
                    report.serial,
                    Some(report.action),
                )
                .await;
            if let Err(e) = sent {
                tracing::error!(%zone_id, error = %e, "update_status not sent; recovery will redo the zone");
            }
        })
    }

    fn zone_state(&self, zone_id: Uuid) -> BoxFuture<'_, ZoneState> {
        Box::pin(async move {
            match self.0.get_zone(&Context::admin(), zone_id).await {
                Ok(zone) => ZoneState::Exists(zone.action),
                Err(e) if e.kind == ErrorKind::ZoneNotFound => ZoneState::Gone,
                Err(e) => {
                    tracing::debug!(%zone_id, error = %e, "zone state unknown");
                    ZoneState::Unknown
                }
            }
        })
    }
}
