//! `[DEFAULT]` and `[oslo_messaging_notifications]`.

use std::time::Duration;

use crate::error::ConfigError;
use crate::raw::{Opt, RawConfig};
use crate::secret::Secret;

pub(crate) const DEFAULT_STATE_PATH: &str = "/var/lib/designate";

/// Default of `[DEFAULT] supported_record_type`: every type Designate knows.
pub const SUPPORTED_RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CNAME", "MX", "SRV", "TXT", "SPF", "NS", "PTR", "SSHFP", "SOA", "NAPTR", "CAA",
    "CERT", "HTTPS", "SVCB", "TLSA",
];

/// Which payload builder notifications use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationPlugin {
    Default,
    Audit,
}

/// Where quotas are enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaDriver {
    Storage,
    Noop,
}

/// `[DEFAULT]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultSection {
    /// Instance name: RPC server id and heartbeat hostname. Default: the machine's hostname.
    pub host: String,
    pub state_path: String,
    /// AMQP URL(s); unset means the service cannot reach the bus.
    pub transport_url: Option<Secret>,
    pub control_exchange: String,
    pub rpc_response_timeout: Duration,
    pub default_ttl: u32,
    /// Legacy name: `default_soa_refresh`.
    pub default_soa_refresh_min: u32,
    pub default_soa_refresh_max: u32,
    pub default_soa_retry: u32,
    pub default_soa_expire: u32,
    pub default_soa_minimum: u32,
    pub supported_record_type: Vec<String>,
    pub network_api: String,
    pub notify_api_faults: bool,
    pub notification_plugin: NotificationPlugin,
    pub quota_driver: QuotaDriver,
    pub quota_zones: u32,
    pub quota_zone_recordsets: u32,
    pub quota_zone_records: u32,
    pub quota_recordset_records: u32,
    pub quota_api_export_size: u32,
    /// Extra exception modules accepted across RPC (legacy name `allowed_rpc_exception_modules`).
    pub allowed_remote_exmods: Vec<String>,
}

impl DefaultSection {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("DEFAULT");
        s.accept_unused(&["backlog", "root_helper"]);
        let section = DefaultSection {
            host: s.opt_string("host")?.unwrap_or_else(machine_hostname),
            state_path: s.string("state_path", DEFAULT_STATE_PATH)?,
            transport_url: s.opt_string("transport_url")?.map(Secret::new),
            control_exchange: s.string("control_exchange", "designate")?,
            rpc_response_timeout: s.seconds("rpc_response_timeout", Duration::from_secs(60))?,
            default_ttl: s.uint("default_ttl", 3600)?,
            default_soa_refresh_min: s.uint(
                Opt::renamed("default_soa_refresh_min", &["default_soa_refresh"]),
                3500,
            )?,
            default_soa_refresh_max: s.uint("default_soa_refresh_max", 3600)?,
            default_soa_retry: s.uint("default_soa_retry", 600)?,
            default_soa_expire: s.uint("default_soa_expire", 86400)?,
            default_soa_minimum: s.uint("default_soa_minimum", 3600)?,
            supported_record_type: s.list("supported_record_type", SUPPORTED_RECORD_TYPES)?,
            network_api: s.string("network_api", "neutron")?,
            notify_api_faults: s.bool("notify_api_faults", false)?,
            notification_plugin: s.choice(
                "notification_plugin",
                NotificationPlugin::Default,
                &[
                    ("default", NotificationPlugin::Default),
                    ("audit", NotificationPlugin::Audit),
                ],
            )?,
            quota_driver: s.choice(
                "quota_driver",
                QuotaDriver::Storage,
                &[
                    ("storage", QuotaDriver::Storage),
                    ("noop", QuotaDriver::Noop),
                ],
            )?,
            quota_zones: s.uint("quota_zones", 10)?,
            quota_zone_recordsets: s.uint("quota_zone_recordsets", 500)?,
            quota_zone_records: s.uint("quota_zone_records", 500)?,
            quota_recordset_records: s.uint("quota_recordset_records", 20)?,
            quota_api_export_size: s.uint("quota_api_export_size", 1000)?,
            allowed_remote_exmods: s.list(
                Opt::renamed("allowed_remote_exmods", &["allowed_rpc_exception_modules"]),
                &[],
            )?,
        };
        section.check()
    }

    fn check(self) -> Result<Self, ConfigError> {
        if self.default_soa_refresh_min > self.default_soa_refresh_max {
            return Err(ConfigError::Inconsistent(format!(
                "[DEFAULT] default_soa_refresh_min ({}) is greater than default_soa_refresh_max ({})",
                self.default_soa_refresh_min, self.default_soa_refresh_max
            )));
        }
        Ok(self)
    }

    /// The transport URL, or an error saying how to set it.
    pub fn require_transport_url(&self) -> Result<&str, ConfigError> {
        self.transport_url
            .as_ref()
            .map(Secret::expose)
            .ok_or_else(|| missing("DEFAULT", "transport_url"))
    }
}

pub(crate) fn missing(section: &str, option: &str) -> ConfigError {
    ConfigError::Missing {
        section: section.to_owned(),
        option: option.to_owned(),
        env: crate::raw::env_var_name(section, option),
    }
}

/// `[oslo_messaging_notifications]`: notifications are off unless a driver is set.
#[derive(Debug, Clone, PartialEq)]
pub struct Notifications {
    /// Multi-valued (`driver` may be repeated); `messagingv2` to emit.
    pub driver: Vec<String>,
    pub topics: Vec<String>,
    /// Falls back to `[DEFAULT] transport_url` when unset.
    pub transport_url: Option<Secret>,
}

impl Notifications {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("oslo_messaging_notifications");
        let drivers = s.values("driver")?;
        Ok(Notifications {
            driver: drivers
                .iter()
                .flat_map(|v| crate::values::parse_list(&v.value))
                .collect(),
            topics: s.list("topics", &["notifications"])?,
            transport_url: s.opt_string("transport_url")?.map(Secret::new),
        })
    }

    /// True when some driver other than `noop` is configured.
    pub fn enabled(&self) -> bool {
        self.driver.iter().any(|d| d != "noop")
    }
}

/// The machine's hostname (what Python's `socket.gethostname()` returns),
/// read from procfs because the workspace forbids the `unsafe` FFI call.
pub(crate) fn machine_hostname() -> String {
    let from_proc = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let from_env = || std::env::var("HOSTNAME").ok();
    from_proc
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(from_env)
        .unwrap_or_else(|| "localhost".to_owned())
}
