//! `[service:producer]` and the `[producer_task:<name>]` sections.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::ConfigError;
use crate::raw::RawConfig;
use crate::values::HostPort;

/// Every periodic task, as named in `enabled_tasks` and `[producer_task:<name>]`.
pub const PRODUCER_TASK_NAMES: &[&str] = &[
    "zone_purge",
    "periodic_exists",
    "periodic_secondary_refresh",
    "delayed_notify",
    "increment_serial",
    "worker_periodic_recovery",
    "periodic_check_service_status",
    "periodic_cleanup_stopped_service_status",
];

/// One `[producer_task:<name>]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerTask {
    pub interval: Duration,
    pub per_page: u32,
    /// Only for tasks that have the option (zone_purge, delayed_notify, increment_serial).
    pub batch_size: Option<u32>,
    /// Only for tasks that have the option (zone_purge and the service-status tasks).
    pub time_threshold: Option<Duration>,
}

/// All tasks' settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerTasks {
    pub zone_purge: ProducerTask,
    pub periodic_exists: ProducerTask,
    pub periodic_secondary_refresh: ProducerTask,
    pub delayed_notify: ProducerTask,
    pub increment_serial: ProducerTask,
    pub worker_periodic_recovery: ProducerTask,
    pub periodic_check_service_status: ProducerTask,
    /// `time_threshold` 0 disables the clean-up of DOWN statuses.
    pub periodic_cleanup_stopped_service_status: ProducerTask,
}

/// `[service:producer]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Producer {
    pub topic: String,
    /// `None` (unset) runs every task.
    pub enabled_tasks: Option<Vec<String>>,
    pub tasks: ProducerTasks,
    pub raft: ProducerRaft,
}

/// Delegate's own options of `[service:producer]` for the Raft group that
/// shards the periodic tasks (no tooz, no ZooKeeper).
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerRaft {
    /// `raft_listen`: where this producer serves Raft RPCs to its peers.
    pub listen: Option<HostPort>,
    /// `raft_advertise`: where peers reach it, when that differs from
    /// `raft_listen` (a proxy, NAT); it is what `raft_peers` lists.
    pub advertise: Option<HostPort>,
    /// `raft_peers`: every producer of the group (`host:port` of their
    /// `raft_listen`, this one included). Empty: this producer runs alone and
    /// owns all 4096 shards.
    pub peers: Vec<HostPort>,
    /// `raft_data_dir`: the Raft vote, log and snapshot, fsynced.
    pub data_dir: PathBuf,
    /// `raft_lease_duration`: how long a committed lease renewal lets a
    /// producer run its shards; a dead producer's shards move after about this.
    pub lease_duration: Duration,
}

impl Producer {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:producer");
        s.accept_unused(&["workers", "threads", "storage_driver", "export_synchronous"]);
        let enabled_tasks = s.parse("enabled_tasks", parse_task_names)?;
        Ok(Producer {
            topic: s.string("topic", "producer")?,
            enabled_tasks,
            tasks: read_tasks(raw)?,
            raft: ProducerRaft {
                listen: s.parse("raft_listen", |v| HostPort::parse(v, 9400))?,
                advertise: s.parse("raft_advertise", |v| HostPort::parse(v, 9400))?,
                peers: s.host_ports("raft_peers", "", 9400)?,
                data_dir: PathBuf::from(s.string("raft_data_dir", "/var/lib/delegate/producer")?),
                lease_duration: s.seconds("raft_lease_duration", Duration::from_secs(1))?,
            },
        })
    }

    /// Whether `task` (one of [`PRODUCER_TASK_NAMES`]) should run.
    pub fn is_enabled(&self, task: &str) -> bool {
        self.enabled_tasks
            .as_ref()
            .is_none_or(|tasks| tasks.iter().any(|t| t == task))
    }
}

fn parse_task_names(value: &str) -> Result<Vec<String>, String> {
    let names = crate::values::parse_list(value);
    if names
        .iter()
        .all(|n| PRODUCER_TASK_NAMES.contains(&n.as_str()))
    {
        Ok(names)
    } else {
        Err(format!("a list of: {}", PRODUCER_TASK_NAMES.join(", ")))
    }
}

/// Defaults: (interval s, batch_size, time_threshold s).
fn read_tasks(raw: &RawConfig) -> Result<ProducerTasks, ConfigError> {
    let task = |name, interval, batch_size, time_threshold| {
        read_task(raw, name, interval, batch_size, time_threshold)
    };
    Ok(ProducerTasks {
        zone_purge: task("zone_purge", 3600, Some(100), Some(604_800))?,
        periodic_exists: task("periodic_exists", 3600, None, None)?,
        periodic_secondary_refresh: task("periodic_secondary_refresh", 3600, None, None)?,
        delayed_notify: task("delayed_notify", 5, Some(100), None)?,
        increment_serial: task("increment_serial", 5, Some(100), None)?,
        worker_periodic_recovery: task("worker_periodic_recovery", 120, None, None)?,
        periodic_check_service_status: task(
            "periodic_check_service_status",
            3600,
            None,
            Some(1800),
        )?,
        periodic_cleanup_stopped_service_status: task(
            "periodic_cleanup_stopped_service_status",
            172_800,
            None,
            Some(604_800),
        )?,
    })
}

fn read_task(
    raw: &RawConfig,
    name: &str,
    interval: u64,
    batch_size: Option<u32>,
    time_threshold: Option<u64>,
) -> Result<ProducerTask, ConfigError> {
    let section_name = format!("producer_task:{name}");
    let s = raw.section(&section_name);
    let batch_size = match batch_size {
        Some(default) => Some(s.uint("batch_size", default)?),
        None => None,
    };
    let time_threshold = match time_threshold {
        Some(default) => Some(s.seconds("time_threshold", Duration::from_secs(default))?),
        None => None,
    };
    Ok(ProducerTask {
        interval: s.seconds("interval", Duration::from_secs(interval))?,
        per_page: s.uint("per_page", 100)?,
        batch_size,
        time_threshold,
    })
}
