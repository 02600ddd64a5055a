//! The configuration values central's rules use, read once from
//! delegate-config (spec/config.md §1, §3).

use std::sync::Arc;

use delegate_config::{Config, QuotaDriver};
use delegate_policy::Policy;
use uuid::Uuid;

/// Central's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `[service:central] default_pool_id`: where the scheduler puts zones.
    pub default_pool_id: Uuid,
    /// `[DEFAULT] default_ttl`.
    pub default_ttl: i32,
    pub soa: SoaDefaults,
    /// `[service:central] min_ttl`, for callers without the admin role.
    pub min_ttl: i64,
    pub max_zone_name_len: usize,
    pub max_recordset_name_len: usize,
    pub quotas: QuotaDefaults,
    /// The policy rules (`[oslo_policy]`), loaded at start-up ([`load_policy`]).
    pub policy: Arc<Policy>,
}

/// `[oslo_policy]`: Designate's defaults with the operator's `policy_file`.
pub fn load_policy(config: &Config) -> Result<Policy, delegate_policy::PolicyError> {
    Policy::from_oslo(&config.oslo_policy)
}

/// `[DEFAULT] default_soa_*`.
#[derive(Debug, Clone, PartialEq)]
pub struct SoaDefaults {
    pub refresh_min: i32,
    pub refresh_max: i32,
    pub retry: i32,
    pub expire: i32,
    pub minimum: i32,
}

/// `[DEFAULT] quota_*`: the limits of projects without overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaDefaults {
    /// `quota_driver = storage`: per-project overrides in table `quotas` apply.
    pub use_overrides: bool,
    pub zones: i64,
    pub zone_recordsets: i64,
    pub zone_records: i64,
    pub recordset_records: i64,
    pub api_export_size: i64,
}

impl Default for Settings {
    /// Designate's defaults.
    fn default() -> Self {
        Settings {
            default_pool_id: Uuid::from_u128(0x794ccc2c_d751_44fe_b57f_8894c9f5c842),
            default_ttl: 3600,
            soa: SoaDefaults {
                refresh_min: 3500,
                refresh_max: 3600,
                retry: 600,
                expire: 86400,
                minimum: 3600,
            },
            min_ttl: 0,
            max_zone_name_len: 255,
            max_recordset_name_len: 255,
            quotas: QuotaDefaults {
                use_overrides: true,
                zones: 10,
                zone_recordsets: 500,
                zone_records: 500,
                recordset_records: 20,
                api_export_size: 1000,
            },
            policy: Arc::new(Policy::defaults()),
        }
    }
}

impl Settings {
    /// Every value but the policy, which [`load_policy`] reads (it can fail).
    pub fn from_config(config: &Config) -> Settings {
        let d = &config.default;
        let c = &config.central;
        // The columns are signed 32-bit: larger values are clamped.
        let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        let len = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
        Settings {
            default_pool_id: c.default_pool_id,
            default_ttl: int(d.default_ttl),
            soa: SoaDefaults {
                refresh_min: int(d.default_soa_refresh_min),
                refresh_max: int(d.default_soa_refresh_max),
                retry: int(d.default_soa_retry),
                expire: int(d.default_soa_expire),
                minimum: int(d.default_soa_minimum),
            },
            min_ttl: i64::from(c.min_ttl),
            max_zone_name_len: len(c.max_zone_name_len),
            max_recordset_name_len: len(c.max_recordset_name_len),
            quotas: QuotaDefaults {
                use_overrides: d.quota_driver == QuotaDriver::Storage,
                zones: i64::from(d.quota_zones),
                zone_recordsets: i64::from(d.quota_zone_recordsets),
                zone_records: i64::from(d.quota_zone_records),
                recordset_records: i64::from(d.quota_recordset_records),
                api_export_size: i64::from(d.quota_api_export_size),
            },
            policy: Arc::new(Policy::defaults()),
        }
    }
}
