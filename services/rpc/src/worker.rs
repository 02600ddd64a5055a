//! The worker's RPC surface (spec/services.md §5.1): topic `worker`, version 1.2.

use std::future::Future;
use std::sync::Arc;

use delegate_bus::{Bus, Handler, RemoteError, Request};
use delegate_model::{Context, Error, ErrorKind, Zone};
use serde_json::{Map, Value, json};

use crate::args::{self, ArgsBuilder};
use crate::remote;

pub const WORKER_TOPIC: &str = "worker";
pub const WORKER_VERSION: &str = "1.2";
const TARGET: (&str, &str) = (WORKER_TOPIC, WORKER_VERSION);

/// The answer of `get_serial_number`: `[status, serial]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SerialReport {
    /// `SUCCESS`, `NO_ZONE` or `ERROR`.
    pub status: String,
    pub serial: Option<i64>,
}

/// What the worker does; implemented by the worker service. Zone actions are
/// casts: they return once the work is accepted, and report to central later.
pub trait WorkerService: Send + Sync + 'static {
    fn create_zone(
        &self,
        ctx: Context,
        zone: Zone,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn update_zone(
        &self,
        ctx: Context,
        zone: Zone,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn delete_zone(
        &self,
        ctx: Context,
        zone: Zone,
        hard_delete: bool,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn get_serial_number(
        &self,
        ctx: Context,
        zone: Zone,
        host: String,
        port: u16,
    ) -> impl Future<Output = Result<SerialReport, Error>> + Send;
    /// RecoverShard (spec/services.md §5.3): push again the zones of shards
    /// `begin..=end` in ERROR, or PENDING for longer than `max_prop_time`.
    fn recover_shard(
        &self,
        ctx: Context,
        begin: u16,
        end: u16,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

/// Casts work to the workers.
#[derive(Clone)]
pub struct WorkerClient {
    bus: Bus,
}

impl WorkerClient {
    pub fn new(bus: Bus) -> Self {
        WorkerClient { bus }
    }

    async fn cast(&self, ctx: &Context, method: &str, args: ArgsBuilder) -> Result<(), Error> {
        remote::cast(&self.bus, TARGET, ctx, method, args).await
    }

    pub async fn create_zone(&self, ctx: &Context, zone: &Zone) -> Result<(), Error> {
        self.cast(
            ctx,
            "create_zone",
            ArgsBuilder::new().object("zone", zone, &[]),
        )
        .await
    }

    pub async fn update_zone(&self, ctx: &Context, zone: &Zone) -> Result<(), Error> {
        self.cast(
            ctx,
            "update_zone",
            ArgsBuilder::new().object("zone", zone, &[]),
        )
        .await
    }

    pub async fn delete_zone(
        &self,
        ctx: &Context,
        zone: &Zone,
        hard_delete: bool,
    ) -> Result<(), Error> {
        let a = ArgsBuilder::new()
            .object("zone", zone, &[])
            .value("hard_delete", hard_delete);
        self.cast(ctx, "delete_zone", a).await
    }

    /// Casts `recover_shard(begin, end)` (the producer's `worker_periodic_recovery`).
    pub async fn recover_shard(&self, ctx: &Context, begin: u16, end: u16) -> Result<(), Error> {
        let a = ArgsBuilder::new().value("begin", begin).value("end", end);
        self.cast(ctx, "recover_shard", a).await
    }

    pub async fn get_serial_number(
        &self,
        ctx: &Context,
        zone: &Zone,
        host: &str,
        port: u16,
    ) -> Result<SerialReport, Error> {
        let a = ArgsBuilder::new()
            .object("zone", zone, &[])
            .value("host", host)
            .value("port", port);
        let v = remote::call(&self.bus, TARGET, ctx, "get_serial_number", a).await?;
        let (status, serial): (String, Option<i64>) = serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad get_serial_number reply: {e}")))?;
        Ok(SerialReport { status, serial })
    }
}

/// Turns bus requests into [`WorkerService`] calls.
pub struct WorkerDispatcher<S>(pub Arc<S>);

impl<S: WorkerService> Handler for WorkerDispatcher<S> {
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

async fn dispatch<S: WorkerService>(
    s: &S,
    ctx: Context,
    method: &str,
    a: &Map<String, Value>,
) -> Result<Value, Error> {
    let zone = || args::object::<Zone>(a, "zone").map(|(z, _)| z);
    match method {
        "create_zone" => s.create_zone(ctx, zone()?).await.map(|_| Value::Null),
        "update_zone" => s.update_zone(ctx, zone()?).await.map(|_| Value::Null),
        "delete_zone" => {
            let hard = args::optional(a, "hard_delete")?.unwrap_or(false);
            s.delete_zone(ctx, zone()?, hard).await.map(|_| Value::Null)
        }
        "recover_shard" => s
            .recover_shard(ctx, args::value(a, "begin")?, args::value(a, "end")?)
            .await
            .map(|_| Value::Null),
        "get_serial_number" => {
            let r = s
                .get_serial_number(
                    ctx,
                    zone()?,
                    args::value(a, "host")?,
                    args::value(a, "port")?,
                )
                .await?;
            Ok(json!([r.status, r.serial]))
        }
        other => Err(Error::new(
            ErrorKind::Unknown,
            format!("no such method: {other}"),
        )),
    }
}
