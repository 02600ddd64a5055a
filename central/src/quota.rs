//! Quotas (spec/domain-rules.md §8.1): a value exceeds its limit when the
//! limit is not negative and the value is larger.

use delegate_model::{Error, ErrorKind};
use delegate_storage::{MySqlConnection, quotas};

use crate::settings::Settings;
use crate::txn::OpError;

/// A quota resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quota {
    Zones,
    ZoneRecordsets,
    ZoneRecords,
    RecordsetRecords,
}

impl Quota {
    fn name(self) -> &'static str {
        match self {
            Quota::Zones => "zones",
            Quota::ZoneRecordsets => "zone_recordsets",
            Quota::ZoneRecords => "zone_records",
            Quota::RecordsetRecords => "recordset_records",
        }
    }

    fn default_limit(self, settings: &Settings) -> i64 {
        let q = &settings.quotas;
        match self {
            Quota::Zones => q.zones,
            Quota::ZoneRecordsets => q.zone_recordsets,
            Quota::ZoneRecords => q.zone_records,
            Quota::RecordsetRecords => q.recordset_records,
        }
    }
}

/// Checks each `(resource, value)` against the project's limits; 413
/// `OverQuota` "Quota exceeded for <r1>, <r2>." lists every exceeded resource,
/// shortest name first, as Designate does.
pub(crate) async fn enforce(
    conn: &mut MySqlConnection,
    settings: &Settings,
    project: &str,
    values: &[(Quota, i64)],
) -> Result<(), OpError> {
    let mut exceeded = Vec::new();
    for &(quota, value) in values {
        let limit = match settings.quotas.use_overrides {
            true => quotas::hard_limit(conn, project, quota.name()).await?,
            false => None,
        };
        let limit = limit.unwrap_or_else(|| quota.default_limit(settings));
        if limit >= 0 && value > limit {
            exceeded.push(quota.name());
        }
    }
    if exceeded.is_empty() {
        return Ok(());
    }
    exceeded.sort_by_key(|name| name.len());
    Err(Error::new(
        ErrorKind::OverQuota,
        format!("Quota exceeded for {}.", exceeded.join(", ")),
    )
    .into())
}
