//! The periodic tasks themselves (spec/services.md §6.2). Each runs with an
//! admin, all-projects context, over the shard range it is given.

use std::time::Duration;

use delegate_config::{ProducerTask, ProducerTasks};
use delegate_model::{Context, Error};
use delegate_rpc::{CentralClient, WorkerClient};

/// The tasks this build runs; the others of spec/services.md §6.2 are
/// logged as not run at start-up.
pub const IMPLEMENTED: &[&str] = &["worker_periodic_recovery"];

/// What the tasks need: the clients and their options.
pub struct Tasks {
    #[allow(dead_code)]
    central: CentralClient,
    worker: WorkerClient,
    options: ProducerTasks,
}

impl Tasks {
    pub fn new(central: CentralClient, worker: WorkerClient, options: ProducerTasks) -> Tasks {
        Tasks {
            central,
            worker,
            options,
        }
    }

    /// Whether `task` works on shards (the service-status tasks do not).
    pub fn is_sharded(task: &str) -> bool {
        !matches!(
            task,
            "periodic_check_service_status" | "periodic_cleanup_stopped_service_status"
        )
    }

    pub fn interval(&self, task: &str) -> Duration {
        self.options(task)
            .map_or(Duration::from_secs(3600), |o| o.interval)
    }

    fn options(&self, task: &str) -> Option<&ProducerTask> {
        let o = &self.options;
        Some(match task {
            "zone_purge" => &o.zone_purge,
            "periodic_exists" => &o.periodic_exists,
            "periodic_secondary_refresh" => &o.periodic_secondary_refresh,
            "delayed_notify" => &o.delayed_notify,
            "increment_serial" => &o.increment_serial,
            "worker_periodic_recovery" => &o.worker_periodic_recovery,
            "periodic_check_service_status" => &o.periodic_check_service_status,
            "periodic_cleanup_stopped_service_status" => &o.periodic_cleanup_stopped_service_status,
            _ => return None,
        })
    }

    /// One run of `task` over `shards` (`None` for non-sharded tasks).
    pub async fn run(&self, task: &str, shards: Option<(u16, u16)>) -> Result<(), Error> {
        let ctx = Context::admin();
        let (first, last) = shards.unwrap_or((0, 4095));
        match task {
            "worker_periodic_recovery" => self.worker.recover_shard(&ctx, first, last).await,
            other => Err(Error::internal(format!("task {other} is not implemented"))),
        }
    }
}
