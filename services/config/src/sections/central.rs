//! `[service:central]`.

use uuid::Uuid;

use crate::error::ConfigError;
use crate::raw::{Opt, RawConfig};

/// `[service:central]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Central {
    pub topic: String,
    pub max_zone_name_len: u32,
    /// Legacy name `max_record_name_len`.
    pub max_recordset_name_len: u32,
    /// Email of secondary, PTR and catalog zones.
    pub managed_resource_email: String,
    /// Owner of automatically created PTR zones.
    pub managed_resource_tenant_id: String,
    /// Minimum TTL for non-admins.
    pub min_ttl: u32,
    pub default_pool_id: Uuid,
    pub scheduler_filters: Vec<String>,
}

impl Central {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:central");
        s.accept_unused(&["workers", "threads"]);
        let parse_uuid = |v: &str| Uuid::parse_str(v.trim()).map_err(|_| "a UUID".to_owned());
        let default_pool_id = s.parse("default_pool_id", parse_uuid)?;
        Ok(Central {
            topic: s.string("topic", "central")?,
            max_zone_name_len: s.uint("max_zone_name_len", 255)?,
            max_recordset_name_len: s.uint(
                Opt::renamed("max_recordset_name_len", &["max_record_name_len"]),
                255,
            )?,
            managed_resource_email: s.string("managed_resource_email", "hostmaster@example.com")?,
            managed_resource_tenant_id: s.string(
                "managed_resource_tenant_id",
                "00000000-0000-0000-0000-000000000000",
            )?,
            min_ttl: s.uint("min_ttl", 0)?,
            default_pool_id: default_pool_id.unwrap_or(DEFAULT_POOL_ID),
            scheduler_filters: s.list("scheduler_filters", &["default_pool"])?,
        })
    }
}

/// `794ccc2c-d751-44fe-b57f-8894c9f5c842`, the pool the first migration creates.
const DEFAULT_POOL_ID: Uuid = Uuid::from_u128(0x794ccc2c_d751_44fe_b57f_8894c9f5c842);
