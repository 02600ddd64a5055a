//! Central's RPC surface (spec/services.md §3.2): topic `central`, version 6.12.

use std::future::Future;
use std::sync::Arc;

use delegate_bus::{Bus, Handler, RemoteError, Request};
use delegate_model::envelope::{list_to_primitive, to_primitive};
use delegate_model::{
    Action, Context, Error, ErrorKind, Pool, PoolNsRecord, RecordSet, ReportStatus, ServiceStatus,
    Zone,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::args::{self, ArgsBuilder};
use crate::remote;

pub const CENTRAL_TOPIC: &str = "central";
pub const CENTRAL_VERSION: &str = "6.12";
const TARGET: (&str, &str) = (CENTRAL_TOPIC, CENTRAL_VERSION);

/// The arguments every `find_*` method carries (all of them, even when null).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paging {
    /// Column → value; values use the storage operators (`%` LIKE, `!x`, `<x`, …).
    pub criterion: Map<String, Value>,
    pub marker: Option<String>,
    pub limit: Option<u32>,
    pub sort_key: Option<String>,
    pub sort_dir: Option<String>,
}

impl Paging {
    fn to_args(&self) -> ArgsBuilder {
        ArgsBuilder::new()
            .value("criterion", &self.criterion)
            .value("marker", &self.marker)
            .value("limit", self.limit)
            .value("sort_key", &self.sort_key)
            .value("sort_dir", &self.sort_dir)
    }

    fn from_args(a: &Map<String, Value>) -> Result<Self, Error> {
        Ok(Paging {
            criterion: args::optional(a, "criterion")?.unwrap_or_default(),
            marker: args::optional(a, "marker")?,
            limit: args::optional(a, "limit")?,
            sort_key: args::optional(a, "sort_key")?,
            sort_dir: args::optional(a, "sort_dir")?,
        })
    }
}

/// One record of `create_managed_records` (`records_values`): a plain dict
/// on the wire, as the sink builds it (spec/services.md §7).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ManagedRecordValues {
    pub data: String,
    pub managed: bool,
    pub managed_plugin_name: Option<String>,
    pub managed_plugin_type: Option<String>,
    pub managed_resource_type: Option<String>,
    pub managed_resource_id: Option<String>,
}

/// The recordset of `create_managed_records` (`recordset_values`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ManagedRecordSetValues {
    pub zone_id: Option<Uuid>,
    pub name: String,
    #[serde(rename = "type")]
    pub rr_type: String,
    /// Absent for the sink: the recordset's TTL becomes null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i32>,
}

/// What central does; implemented by the central service.
pub trait CentralService: Send + Sync + 'static {
    fn create_zone(
        &self,
        ctx: Context,
        zone: Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn get_zone(
        &self,
        ctx: Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn find_zones(
        &self,
        ctx: Context,
        paging: Paging,
    ) -> impl Future<Output = Result<(Vec<Zone>, u64), Error>> + Send;
    fn delete_zone(
        &self,
        ctx: Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    fn get_zone_ns_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<Vec<PoolNsRecord>, Error>> + Send;
    fn create_recordset(
        &self,
        ctx: Context,
        zone_id: Uuid,
        recordset: RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn get_recordset(
        &self,
        ctx: Context,
        zone_id: Option<Uuid>,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    fn find_recordsets(
        &self,
        ctx: Context,
        paging: Paging,
    ) -> impl Future<Output = Result<(Vec<RecordSet>, u64), Error>> + Send;
    fn delete_recordset(
        &self,
        ctx: Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    /// Saves the changed fields of `zone` (PATCH): serial bumped, pushed.
    fn update_zone(
        &self,
        ctx: Context,
        zone: Zone,
    ) -> impl Future<Output = Result<Zone, Error>> + Send;
    /// Saves `recordset` as given (PUT): records replaced, serial bumped, pushed.
    fn update_recordset(
        &self,
        ctx: Context,
        recordset: RecordSet,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    /// The project's quota limits, resource → limit.
    fn get_quotas(
        &self,
        ctx: Context,
        project_id: String,
    ) -> impl Future<Output = Result<Map<String, Value>, Error>> + Send;
    fn set_quota(
        &self,
        ctx: Context,
        project_id: String,
        resource: String,
        hard_limit: i64,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn reset_quotas(
        &self,
        ctx: Context,
        project_id: String,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn get_pool(
        &self,
        ctx: Context,
        pool_id: Uuid,
    ) -> impl Future<Output = Result<Pool, Error>> + Send;
    /// Creates the recordset `(zone, name, type)` with `records_values`, or
    /// replaces the records of the existing one (spec/domain-rules.md §3.4).
    fn create_managed_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
        records_values: Vec<ManagedRecordValues>,
        recordset_values: ManagedRecordSetValues,
    ) -> impl Future<Output = Result<RecordSet, Error>> + Send;
    /// Deletes the managed records of a zone matching `criterion`, and the
    /// recordsets left empty.
    fn delete_managed_records(
        &self,
        ctx: Context,
        zone_id: Uuid,
        criterion: Map<String, Value>,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn update_status(
        &self,
        ctx: Context,
        zone_id: Uuid,
        status: ReportStatus,
        serial: i64,
        action: Option<Action>,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn update_service_status(
        &self,
        ctx: Context,
        status: ServiceStatus,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    /// The service statuses matching `criterion` (the producer's status tasks).
    fn find_service_statuses(
        &self,
        ctx: Context,
        criterion: Map<String, Value>,
    ) -> impl Future<Output = Result<Vec<ServiceStatus>, Error>> + Send;
    fn delete_service_status(
        &self,
        ctx: Context,
        service_status_id: Uuid,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    /// Bumps a zone flagged `increment_serial` (the producer's task of that
    /// name): new serial, SOA rebuilt, flag cleared; returns the serial.
    fn increment_zone_serial(
        &self,
        ctx: Context,
        zone_id: Uuid,
    ) -> impl Future<Output = Result<i64, Error>> + Send;
    /// Hard-deletes up to `limit` zones matching `criterion` (soft-deleted
    /// ones included); returns how many (the producer's `zone_purge`).
    fn purge_zones(
        &self,
        ctx: Context,
        criterion: Map<String, Value>,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<u64, Error>> + Send;
}

/// Calls central over the bus.
#[derive(Clone)]
pub struct CentralClient {
    bus: Bus,
}

impl CentralClient {
    pub fn new(bus: Bus) -> Self {
        CentralClient { bus }
    }

    async fn call(&self, ctx: &Context, method: &str, args: ArgsBuilder) -> Result<Value, Error> {
        remote::call(&self.bus, TARGET, ctx, method, args).await
    }

    async fn cast(&self, ctx: &Context, method: &str, args: ArgsBuilder) -> Result<(), Error> {
        remote::cast(&self.bus, TARGET, ctx, method, args).await
    }

    pub async fn create_zone(&self, ctx: &Context, zone: &Zone) -> Result<Zone, Error> {
        let a = ArgsBuilder::new().object("zone", zone, &[]);
        args::result_object(self.call(ctx, "create_zone", a).await?)
    }

    pub async fn get_zone(&self, ctx: &Context, zone_id: Uuid) -> Result<Zone, Error> {
        let a = ArgsBuilder::new().value("zone_id", zone_id);
        args::result_object(self.call(ctx, "get_zone", a).await?)
    }

    pub async fn find_zones(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> Result<(Vec<Zone>, u64), Error> {
        let (zones, total) =
            args::result_list(self.call(ctx, "find_zones", paging.to_args()).await?)?;
        Ok((zones, total.unwrap_or_default()))
    }

    pub async fn delete_zone(&self, ctx: &Context, zone_id: Uuid) -> Result<Zone, Error> {
        let a = ArgsBuilder::new().value("zone_id", zone_id);
        args::result_object(self.call(ctx, "delete_zone", a).await?)
    }

    pub async fn get_zone_ns_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> Result<Vec<PoolNsRecord>, Error> {
        let a = ArgsBuilder::new().value("zone_id", zone_id);
        Ok(args::result_list(self.call(ctx, "get_zone_ns_records", a).await?)?.0)
    }

    pub async fn create_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        rs: &RecordSet,
    ) -> Result<RecordSet, Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .object("recordset", rs, &[]);
        args::result_object(self.call(ctx, "create_recordset", a).await?)
    }

    pub async fn get_recordset(
        &self,
        ctx: &Context,
        zone_id: Option<Uuid>,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .value("recordset_id", recordset_id);
        args::result_object(self.call(ctx, "get_recordset", a).await?)
    }

    pub async fn find_recordsets(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> Result<(Vec<RecordSet>, u64), Error> {
        let a = paging.to_args().value("force_index", false);
        let (items, total) = args::result_list(self.call(ctx, "find_recordsets", a).await?)?;
        Ok((items, total.unwrap_or_default()))
    }

    pub async fn delete_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .value("recordset_id", recordset_id)
            .value("increment_serial", true);
        args::result_object(self.call(ctx, "delete_recordset", a).await?)
    }

    pub async fn update_zone(&self, ctx: &Context, zone: &Zone) -> Result<Zone, Error> {
        let a = ArgsBuilder::new()
            .object("zone", zone, &[])
            .value("increment_serial", true);
        args::result_object(self.call(ctx, "update_zone", a).await?)
    }

    pub async fn update_recordset(
        &self,
        ctx: &Context,
        rs: &RecordSet,
    ) -> Result<RecordSet, Error> {
        let a = ArgsBuilder::new()
            .object("recordset", rs, &[])
            .value("increment_serial", true);
        args::result_object(self.call(ctx, "update_recordset", a).await?)
    }

    pub async fn get_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> Result<Map<String, Value>, Error> {
        let a = ArgsBuilder::new().value("tenant_id", project_id);
        match self.call(ctx, "get_quotas", a).await? {
            Value::Object(map) => Ok(map),
            other => Err(Error::internal(format!("get_quotas returned {other}"))),
        }
    }

    pub async fn set_quota(
        &self,
        ctx: &Context,
        project_id: &str,
        resource: &str,
        hard_limit: i64,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new()
            .value("tenant_id", project_id)
            .value("resource", resource)
            .value("hard_limit", hard_limit);
        self.call(ctx, "set_quota", a).await.map(|_| ())
    }

    pub async fn reset_quotas(&self, ctx: &Context, project_id: &str) -> Result<(), Error> {
        let a = ArgsBuilder::new().value("tenant_id", project_id);
        self.call(ctx, "reset_quotas", a).await.map(|_| ())
    }

    pub async fn get_pool(&self, ctx: &Context, pool_id: Uuid) -> Result<Pool, Error> {
        let a = ArgsBuilder::new().value("pool_id", pool_id);
        args::result_object(self.call(ctx, "get_pool", a).await?)
    }

    pub async fn create_managed_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        records_values: &[ManagedRecordValues],
        recordset_values: &ManagedRecordSetValues,
    ) -> Result<RecordSet, Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .value("records_values", records_values)
            .value("recordset_values", recordset_values);
        args::result_object(self.call(ctx, "create_managed_records", a).await?)
    }

    pub async fn delete_managed_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        criterion: &Map<String, Value>,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .value("criterion", criterion);
        self.call(ctx, "delete_managed_records", a).await?;
        Ok(())
    }

    /// Cast: the worker reports the outcome of a zone action.
    pub async fn update_status(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        status: ReportStatus,
        serial: i64,
        action: Option<Action>,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new()
            .value("zone_id", zone_id)
            .value("status", status)
            .value("serial", serial)
            .value("action", action);
        self.cast(ctx, "update_status", a).await
    }

    /// Cast: a heartbeat.
    pub async fn update_service_status(
        &self,
        ctx: &Context,
        status: &ServiceStatus,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new().object("service_status", status, &[]);
        self.cast(ctx, "update_service_status", a).await
    }

    pub async fn find_service_statuses(
        &self,
        ctx: &Context,
        criterion: &Map<String, Value>,
    ) -> Result<Vec<ServiceStatus>, Error> {
        let a = ArgsBuilder::new().value("criterion", criterion);
        Ok(args::result_list(self.call(ctx, "find_service_statuses", a).await?)?.0)
    }

    pub async fn delete_service_status(
        &self,
        ctx: &Context,
        service_status_id: Uuid,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new().value("service_status_id", service_status_id);
        self.call(ctx, "delete_service_status", a).await.map(|_| ())
    }

    /// Designate passes the whole zone; only its id is read.
    pub async fn increment_zone_serial(&self, ctx: &Context, zone: &Zone) -> Result<i64, Error> {
        let a = ArgsBuilder::new().object("zone", zone, &[]);
        let serial = self.call(ctx, "increment_zone_serial", a).await?;
        serial
            .as_i64()
            .ok_or_else(|| Error::internal(format!("increment_zone_serial returned {serial}")))
    }

    pub async fn purge_zones(
        &self,
        ctx: &Context,
        criterion: &Map<String, Value>,
        limit: Option<u32>,
    ) -> Result<u64, Error> {
        let a = ArgsBuilder::new()
            .value("criterion", criterion)
            .value("limit", limit);
        let count = self.call(ctx, "purge_zones", a).await?;
        Ok(count.as_u64().unwrap_or_default())
    }
}

/// Turns bus requests into [`CentralService`] calls.
pub struct CentralDispatcher<S>(pub Arc<S>);

impl<S: CentralService> Handler for CentralDispatcher<S> {
    fn handle(&self, req: Request) -> impl Future<Output = Result<Value, RemoteError>> + Send {
        let service = self.0.clone();
        remote::answer(req, move |ctx, req| async move {
            dispatch(&*service, ctx, &req.method, &req.args).await
        })
    }

    fn retry(&self, err: &RemoteError) -> delegate_bus::Retry {
        remote::retry_for(err)
    }
}

async fn dispatch<S: CentralService>(
    s: &S,
    ctx: Context,
    method: &str,
    a: &Map<String, Value>,
) -> Result<Value, Error> {
    let v = match method {
        "create_zone" => to_primitive(&s.create_zone(ctx, args::object(a, "zone")?.0).await?, &[]),
        "get_zone" => to_primitive(&s.get_zone(ctx, args::value(a, "zone_id")?).await?, &[]),
        "find_zones" => {
            let (zones, total) = s.find_zones(ctx, Paging::from_args(a)?).await?;
            list_to_primitive(&zones, Some(total))
        }
        "delete_zone" => to_primitive(&s.delete_zone(ctx, args::value(a, "zone_id")?).await?, &[]),
        "get_zone_ns_records" => list_to_primitive(
            &s.get_zone_ns_records(ctx, args::value(a, "zone_id")?)
                .await?,
            None,
        ),
        "create_recordset" => {
            let rs = args::object(a, "recordset")?.0;
            to_primitive(
                &s.create_recordset(ctx, args::value(a, "zone_id")?, rs)
                    .await?,
                &[],
            )
        }
        "get_recordset" => {
            let rs = s
                .get_recordset(
                    ctx,
                    args::optional(a, "zone_id")?,
                    args::value(a, "recordset_id")?,
                )
                .await?;
            to_primitive(&rs, &[])
        }
        "find_recordsets" => {
            let (items, total) = s.find_recordsets(ctx, Paging::from_args(a)?).await?;
            list_to_primitive(&items, Some(total))
        }
        "delete_recordset" => {
            let rs = s
                .delete_recordset(
                    ctx,
                    args::value(a, "zone_id")?,
                    args::value(a, "recordset_id")?,
                )
                .await?;
            to_primitive(&rs, &[])
        }
        "update_zone" => to_primitive(&s.update_zone(ctx, args::object(a, "zone")?.0).await?, &[]),
        "update_recordset" => to_primitive(
            &s.update_recordset(ctx, args::object(a, "recordset")?.0)
                .await?,
            &[],
        ),
        "get_quotas" => Value::Object(s.get_quotas(ctx, args::value(a, "tenant_id")?).await?),
        "set_quota" => {
            let (project, resource, limit) = (
                args::value(a, "tenant_id")?,
                args::value(a, "resource")?,
                args::value(a, "hard_limit")?,
            );
            s.set_quota(ctx, project, resource, limit).await?;
            Value::Null
        }
        "reset_quotas" => {
            s.reset_quotas(ctx, args::value(a, "tenant_id")?).await?;
            Value::Null
        }
        "get_pool" => to_primitive(&s.get_pool(ctx, args::value(a, "pool_id")?).await?, &[]),
        "create_managed_records" => {
            let rs = s
                .create_managed_records(
                    ctx,
                    args::value(a, "zone_id")?,
                    args::value(a, "records_values")?,
                    args::value(a, "recordset_values")?,
                )
                .await?;
            to_primitive(&rs, &[])
        }
        "delete_managed_records" => {
            let criterion = args::optional(a, "criterion")?.unwrap_or_default();
            s.delete_managed_records(ctx, args::value(a, "zone_id")?, criterion)
                .await?;
            Value::Null
        }
        "update_status" => {
            let (zone_id, status, serial) = (
                args::value(a, "zone_id")?,
                args::value(a, "status")?,
                args::value(a, "serial")?,
            );
            s.update_status(ctx, zone_id, status, serial, args::optional(a, "action")?)
                .await?;
            Value::Null
        }
        "update_service_status" => {
            s.update_service_status(ctx, args::object(a, "service_status")?.0)
                .await?;
            Value::Null
        }
        "find_service_statuses" => {
            let criterion = args::optional(a, "criterion")?.unwrap_or_default();
            list_to_primitive(&s.find_service_statuses(ctx, criterion).await?, None)
        }
        "increment_zone_serial" => {
            let zone: Zone = args::object(a, "zone")?.0;
            let zone_id = zone
                .id
                .ok_or_else(|| Error::bad_request("increment_zone_serial: zone without id"))?;
            Value::from(s.increment_zone_serial(ctx, zone_id).await?)
        }
        "purge_zones" => {
            let criterion = args::optional(a, "criterion")?.unwrap_or_default();
            Value::from(
                s.purge_zones(ctx, criterion, args::optional(a, "limit")?)
                    .await?,
            )
        }
        "delete_service_status" => {
            s.delete_service_status(ctx, args::value(a, "service_status_id")?)
                .await?;
            Value::Null
        }
        other => {
            return Err(Error::new(
                ErrorKind::Unknown,
                format!("no such method: {other}"),
            ));
        }
    };
    Ok(v)
}
