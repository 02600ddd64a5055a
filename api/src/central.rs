//! What the API asks of central. Handlers go through this trait so that the
//! router can be tested with an in-memory central; the service uses
//! [`CentralClient`], which calls central over the bus.

use std::future::Future;

use delegate_model::{Context, Error, PoolNsRecord, RecordSet, ServiceStatus, Zone};
use delegate_rpc::{CentralClient, Paging};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The central calls the API makes (spec/services.md §3.2).
pub trait Central: Send + Sync + 'static {
    fn create_zone(
        &self,
        ctx: &Context,
        zone: &Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn get_zone(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn find_zones(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> impl Future<Output = Result<(Vec<Zone>, u64), Error>> + Send;
    fn delete_zone(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn get_zone_ns_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Vec<PoolNsRecord>, Error>> + Send;
    fn update_zone(
        &self,
        ctx: &Context,
        zone: &Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn get_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> impl Future<Output = Result<Map<String, Value>, Error>> + Send;
    fn set_quota(
        &self,
        ctx: &Context,
        project_id: &str,
        resource: &str,
        hard_limit: i64,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn reset_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn find_service_statuses(
        &self,
        ctx: &Context,
        criterion: &Map<String, Value>,
    ) -> impl Future<Output = Result<Vec<ServiceStatus>, Error>> + Send;
    fn update_recordset(
        &self,
        ctx: &Context,
        recordset: &RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn create_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset: &RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn get_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn find_recordsets(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> impl Future<Output = Result<(Vec<RecordSet>, u64), Error>> + Send;
    /// A recordset by id alone (the global `GET /v2/recordsets/{id}`).
    fn find_recordset(
        &self,
        ctx: &Context,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn delete_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
}

impl Central for CentralClient {
    fn create_zone(
        &self,
        ctx: &Context,
        zone: &Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send {
        CentralClient::create_zone(self, ctx, zone)
    }

    fn get_zone(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send {
        CentralClient::get_zone(self, ctx, zone_id)
    }

    fn find_zones(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> impl Future<Output = Result<(Vec<Zone>, u64), Error>> + Send {
        CentralClient::find_zones(self, ctx, paging)
    }

    fn delete_zone(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send {
        CentralClient::delete_zone(self, ctx, zone_id)
    }

    fn get_zone_ns_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Vec<PoolNsRecord>, Error>> + Send {
        CentralClient::get_zone_ns_records(self, ctx, zone_id)
    }

    fn update_zone(
        &self,
        ctx: &Context,
        zone: &Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send {
        CentralClient::update_zone(self, ctx, zone)
    }

    fn get_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> impl Future<Output = Result<Map<String, Value>, Error>> + Send {
        CentralClient::get_quotas(self, ctx, project_id)
    }

    fn set_quota(
        &self,
        ctx: &Context,
        project_id: &str,
        resource: &str,
        hard_limit: i64,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        CentralClient::set_quota(self, ctx, project_id, resource, hard_limit)
    }

    fn reset_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        CentralClient::reset_quotas(self, ctx, project_id)
    }

    fn find_service_statuses(
        &self,
        ctx: &Context,
        criterion: &Map<String, Value>,
    ) -> impl Future<Output = Result<Vec<ServiceStatus>, Error>> + Send {
        CentralClient::find_service_statuses(self, ctx, criterion)
    }

    fn update_recordset(
        &self,
        ctx: &Context,
        recordset: &RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send {
        CentralClient::update_recordset(self, ctx, recordset)
    }

    fn create_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset: &RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send {
        CentralClient::create_recordset(self, ctx, zone_id, recordset)
    }

    fn get_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send {
        CentralClient::get_recordset(self, ctx, Some(zone_id), recordset_id)
    }

    fn find_recordsets(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> impl Future<Output = Result<(Vec<RecordSet>, u64), Error>> + Send {
        CentralClient::find_recordsets(self, ctx, paging)
    }

    fn find_recordset(
        &self,
        ctx: &Context,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send {
        CentralClient::get_recordset(self, ctx, None, recordset_id)
    }

    fn delete_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send {
        CentralClient::delete_recordset(self, ctx, zone_id, recordset_id)
    }
}
