//! The central service: [`CentralService`] over the database, with the
//! workers told after each commit. The operations live in [`crate::zones`],
//! [`crate::recordsets`] and [`crate::status`].

use delegate_model::{
    Action, Context, Error, Pool, PoolNsRecord, RecordSet, ReportStatus, ServiceStatus, Zone,
};
use delegate_rpc::{CentralService, ManagedRecordSetValues, ManagedRecordValues, Paging};
use delegate_storage::{PageRequest, Storage, criteria, pools};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::notify::{WorkerCast, WorkerNotifier};
use crate::settings::Settings;

/// Central: business rules and every write to zones, recordsets and records.
pub struct Central<N> {
    pub(crate) storage: Storage,
    pub(crate) settings: Settings,
    notifier: Arc<N>,
}

/// How long a cast that the broker refused is retried in the background.
const PUSH_RETRY_FOR: Duration = Duration::from_secs(600);

impl<N: WorkerNotifier> Central<N> {
    pub fn new(storage: Storage, settings: Settings, notifier: N) -> Self {
        Central {
            storage,
            settings,
            notifier: Arc::new(notifier),
        }
    }

    /// Sends the casts of a committed change. A cast that fails (the broker
    /// away) is not returned — the change is stored — but retried in the
    /// background with back-off for [`PUSH_RETRY_FOR`]; past that (or if
    /// this central dies meanwhile), recovery of PENDING zones pushes it.
    pub(crate) async fn push(&self, ctx: &Context, casts: Vec<WorkerCast>) {
        for cast in casts {
            if let Err(e) = self.notifier.cast(ctx, &cast).await {
                tracing::warn!(error = %e, ?cast, "could not tell the workers; retrying in the background");
                tokio::spawn(push_later(self.notifier.clone(), ctx.clone(), cast));
            }
        }
    }
}

async fn push_later<N: WorkerNotifier>(notifier: Arc<N>, ctx: Context, cast: WorkerCast) {
    let started = tokio::time::Instant::now();
    let mut pause = Duration::from_millis(500);
    while started.elapsed() < PUSH_RETRY_FOR {
        tokio::time::sleep(pause).await;
        match notifier.cast(&ctx, &cast).await {
            Ok(()) => {
                tracing::info!(?cast, "workers told after a retry");
                return;
            }
            Err(e) => tracing::debug!(error = %e, "cast still failing"),
        }
        pause = (pause * 2).min(Duration::from_secs(10));
    }
    tracing::error!(
        ?cast,
        "could not tell the workers; recovery will push the zone"
    );
}

/// A listing request as storage takes it: the criterion (`*` expanded to a
/// wildcard) and the page.
pub(crate) fn listing(paging: Paging) -> (Map<String, Value>, PageRequest) {
    let mut criterion = paging.criterion;
    criteria::expand_wildcards(&mut criterion);
    let page = PageRequest {
        marker: paging.marker,
        limit: paging.limit,
        sort_key: paging.sort_key,
        sort_dir: paging.sort_dir,
    };
    (criterion, page)
}

impl<N: WorkerNotifier> CentralService for Central<N> {
    async fn create_zone(&self, ctx: Context, zone: Zone) -> Result<Zone, Error> {
        self.create_zone_op(&ctx, zone).await
    }

    async fn get_zone(&self, ctx: Context, zone_id: Uuid) -> Result<Zone, Error> {
        self.get_zone_op(&ctx, zone_id).await
    }

    async fn find_zones(&self, ctx: Context, paging: Paging) -> Result<(Vec<Zone>, u64), Error> {
        self.find_zones_op(&ctx, paging).await
    }

    async fn delete_zone(&self, ctx: Context, zone_id: Uuid) -> Result<Zone, Error> {
        self.delete_zone_op(&ctx, zone_id).await
    }

    async fn get_zone_ns_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
    ) -> Result<Vec<PoolNsRecord>, Error> {
        self.get_zone_ns_records_op(&ctx, zone_id).await
    }

    async fn create_recordset(
        &self,
        ctx: Context,
        zone_id: Uuid,
        recordset: RecordSet,
    ) -> Result<RecordSet, Error> {
        self.create_recordset_op(&ctx, zone_id, recordset).await
    }

    async fn get_recordset(
        &self,
        ctx: Context,
        zone_id: Option<Uuid>,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        self.get_recordset_op(&ctx, zone_id, recordset_id).await
    }

    async fn find_recordsets(
        &self,
        ctx: Context,
        paging: Paging,
    ) -> Result<(Vec<RecordSet>, u64), Error> {
        self.find_recordsets_op(&ctx, paging).await
    }

    async fn delete_recordset(
        &self,
        ctx: Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        self.delete_recordset_op(&ctx, zone_id, recordset_id).await
    }

    async fn update_zone(&self, ctx: Context, zone: Zone) -> Result<Zone, Error> {
        self.update_zone_op(&ctx, zone).await
    }

    async fn update_recordset(
        &self,
        ctx: Context,
        recordset: RecordSet,
    ) -> Result<RecordSet, Error> {
        self.update_recordset_op(&ctx, recordset).await
    }

    async fn get_quotas(
        &self,
        ctx: Context,
        project_id: String,
    ) -> Result<Map<String, Value>, Error> {
        self.get_quotas_op(&ctx, &project_id).await
    }

    async fn set_quota(
        &self,
        ctx: Context,
        project_id: String,
        resource: String,
        hard_limit: i64,
    ) -> Result<(), Error> {
        self.set_quota_op(&ctx, &project_id, &resource, hard_limit)
            .await
    }

    async fn reset_quotas(&self, ctx: Context, project_id: String) -> Result<(), Error> {
        self.reset_quotas_op(&ctx, &project_id).await
    }

    async fn get_pool(&self, _ctx: Context, pool_id: Uuid) -> Result<Pool, Error> {
        let mut conn = self.storage.acquire().await?;
        Ok(pools::get_pool(&mut conn, pool_id).await?)
    }

    async fn create_managed_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
        records_values: Vec<ManagedRecordValues>,
        recordset_values: ManagedRecordSetValues,
    ) -> Result<RecordSet, Error> {
        self.create_managed_records_op(&ctx, zone_id, records_values, recordset_values)
            .await
    }

    async fn delete_managed_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
        criterion: Map<String, Value>,
    ) -> Result<(), Error> {
        self.delete_managed_records_op(&ctx, zone_id, criterion)
            .await
    }

    async fn update_status(
        &self,
        _ctx: Context,
        zone_id: Uuid,
        status: ReportStatus,
        serial: i64,
        action: Option<Action>,
    ) -> Result<(), Error> {
        self.update_status_op(zone_id, status, serial, action).await
    }

    async fn update_service_status(
        &self,
        ctx: Context,
        status: ServiceStatus,
    ) -> Result<(), Error> {
        self.update_service_status_op(&ctx, status).await
    }

    async fn find_service_statuses(
        &self,
        ctx: Context,
        criterion: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Vec<ServiceStatus>, Error> {
        self.find_service_statuses_op(&ctx, criterion).await
    }

    async fn delete_service_status(
        &self,
        ctx: Context,
        service_status_id: uuid::Uuid,
    ) -> Result<(), Error> {
        self.delete_service_status_op(&ctx, service_status_id).await
    }

    async fn increment_zone_serial(&self, ctx: Context, zone_id: uuid::Uuid) -> Result<i64, Error> {
        self.increment_zone_serial_op(&ctx, zone_id).await
    }

    async fn purge_zones(
        &self,
        ctx: Context,
        criterion: serde_json::Map<String, serde_json::Value>,
        limit: Option<u32>,
    ) -> Result<u64, Error> {
        self.purge_zones_op(&ctx, criterion, limit).await
    }
}
