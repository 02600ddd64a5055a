//! The worker's RPC methods (spec/services.md §5.1).
//!
//! A zone action's cast is handled to its end before the handler returns,
//! so its bus message is acknowledged only once the change is served (or
//! covered by a newer one, or reported): a worker that dies mid-way leaves
//! the message to another. A failure that can pass returns a transient
//! error, and the bus retries the message with back-off
//! (`delegate_bus::redelivery`); the zone stays PENDING meanwhile.

use std::sync::Arc;

use delegate_config::Worker;
use delegate_model::{Action, Context, Error, Zone};
use delegate_rpc::{CentralClient, SerialReport, WorkerClient, WorkerService};
use delegate_storage::zones::{self, ZoneProgress};
use sqlx::MySqlPool;
use uuid::Uuid;

use crate::poll::Report;
use crate::pool_cache::PoolCache;
use crate::queue::{Admission, Turn, ZoneJob, ZoneQueue};
use crate::recovery;
use crate::serial::get_serial_number;
use crate::zone_action::{self, BoxFuture, CentralPort, Done};

/// The worker service.
pub struct WorkerHandler {
    cfg: Worker,
    default_pool_id: Uuid,
    pools: PoolCache,
    central: Arc<dyn CentralPort>,
    queue: Arc<ZoneQueue>,
    /// Where recovered zones are cast (None in tests without a bus).
    recasts: Option<WorkerClient>,
}

impl WorkerHandler {
    pub fn new(
        cfg: Worker,
        default_pool_id: Uuid,
        pools: PoolCache,
        central: Arc<dyn CentralPort>,
    ) -> Self {
        WorkerHandler {
            cfg,
            default_pool_id,
            pools,
            central,
            queue: ZoneQueue::new(),
            recasts: None,
        }
    }

    /// Recovery casts its zones to the workers through `client`.
    pub fn with_recasts(mut self, client: WorkerClient) -> Self {
        self.recasts = Some(client);
        self
    }

    /// Runs a zone action once the zone is free; returns when it is served,
    /// covered by a newer request, or reported.
    async fn handle(&self, zone: Zone, action: Action, hard_delete: bool) -> Result<(), Error> {
        let zone_id = zone
            .id
            .ok_or_else(|| Error::bad_request("zone without id"))?;
        let job = ZoneJob {
            zone,
            action,
            hard_delete,
        };
        let _slot = match self.queue.admit(zone_id, &job) {
            Admission::Run(slot) => slot,
            Admission::Covered => return Ok(()),
            Admission::Wait(turn) => match turn.await {
                Ok(Turn::Superseded) => return Ok(()),
                // The turn came (or its sender went away with the queue).
                Ok(Turn::Run) | Err(_) => self.queue.slot(zone_id),
            },
        };
        let pool_id = job.zone.pool_id.unwrap_or(self.default_pool_id);
        let pool = self.pools.get(pool_id).await.map_err(|e| {
            Error::unavailable(format!("cannot load pool {pool_id} of zone {zone_id}: {e}"))
        })?;
        match zone_action::run(&job, &pool, &self.cfg, self.central.as_ref()).await {
            Ok(Done::Reported(_) | Done::Superseded) => Ok(()),
            Err(unfinished) => {
                tracing::info!(zone = %job.zone.name, %zone_id, serial = job.zone.serial, reason = %unfinished, "zone action unfinished; retried later");
                Err(Error::unavailable(unfinished))
            }
        }
    }

    /// Runs a zone's action in the background, as if its cast had arrived
    /// again (recovery): coalesced with whatever runs for the zone here.
    pub fn redrive(self: &Arc<Self>, zone: Zone) {
        let action = match zone.action {
            Action::None => return,
            other => other,
        };
        let handler = self.clone();
        tokio::spawn(async move {
            let name = zone.name.clone();
            if let Err(e) = handler.handle(zone, action, false).await {
                tracing::info!(zone = %name, error = %e, "recovered zone not served yet; next pass tries again");
            }
        });
    }

    /// Zones with a running action in this process.
    pub fn busy_zones(&self) -> usize {
        self.queue.busy_zones()
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
        self.handle(zone, action, false).await
    }

    async fn update_zone(&self, _ctx: Context, zone: Zone) -> Result<(), Error> {
        let action = action_of(&zone, Action::Update);
        self.handle(zone, action, false).await
    }

    async fn delete_zone(&self, _ctx: Context, zone: Zone, hard_delete: bool) -> Result<(), Error> {
        self.handle(zone, Action::Delete, hard_delete).await
    }

    async fn recover_shard(&self, _ctx: Context, begin: u16, end: u16) -> Result<(), Error> {
        let Some(client) = &self.recasts else {
            return Err(Error::internal("recovery needs the bus"));
        };
        recovery::recover_shards(self.pools.db(), client, &self.cfg, (begin, end)).await
    }

    async fn get_serial_number(
        &self,
        _ctx: Context,
        zone: Zone,
        host: String,
        port: u16,
    ) -> Result<SerialReport, Error> {
        Ok(get_serial_number(&zone, &host, port, &self.cfg).await)
    }
}

/// [`CentralPort`] for a running worker: reports are `update_status` casts
/// (admin context); zone progress is read from the database.
pub struct CentralOverBus {
    pub central: CentralClient,
    pub db: MySqlPool,
}

impl CentralPort for CentralOverBus {
    fn report(&self, zone_id: Uuid, report: Report) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.central
                .update_status(
                    &Context::admin(),
                    zone_id,
                    report.status,
                    report.serial,
                    Some(report.action),
                )
                .await
        })
    }

    fn progress(&self, zone_id: Uuid) -> BoxFuture<'_, Result<Option<ZoneProgress>, Error>> {
        Box::pin(async move {
            let mut conn = self.db.acquire().await.map_err(Error::unavailable)?;
            Ok(zones::progress(&mut conn, zone_id).await?)
        })
    }
}
