//! Quotas (spec/domain-rules.md §8.1): a value exceeds its limit when the
//! limit is not negative and the value is larger.

use delegate_model::{Context, Error, ErrorKind};
use delegate_storage::{MySqlConnection, quotas};
use serde_json::{Map, Value};

use crate::access;
use crate::notify::WorkerNotifier;
use crate::service::Central;
use crate::settings::Settings;
use crate::txn::OpError;

/// A quota resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quota {
    Zones,
    ZoneRecordsets,
    ZoneRecords,
    RecordsetRecords,
    ApiExportSize,
}

impl Quota {
    /// Every resource, in the order the API shows them.
    pub(crate) const ALL: [Quota; 5] = [
        Quota::Zones,
        Quota::ZoneRecordsets,
        Quota::ZoneRecords,
        Quota::RecordsetRecords,
        Quota::ApiExportSize,
    ];

    fn name(self) -> &'static str {
        match self {
            Quota::Zones => "zones",
            Quota::ZoneRecordsets => "zone_recordsets",
            Quota::ZoneRecords => "zone_records",
            Quota::RecordsetRecords => "recordset_records",
            Quota::ApiExportSize => "api_export_size",
        }
    }

    fn default_limit(self, settings: &Settings) -> i64 {
        let q = &settings.quotas;
        match self {
            Quota::Zones => q.zones,
            Quota::ZoneRecordsets => q.zone_recordsets,
            Quota::ZoneRecords => q.zone_records,
            Quota::RecordsetRecords => q.recordset_records,
            Quota::ApiExportSize => q.api_export_size,
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

/// The target of the quota rules: the project and the all-projects flag.
fn quota_target(ctx: &Context, project: &str) -> delegate_policy::Target {
    let mut t = access::project_target(Some(project));
    t.insert("all_tenants".into(), ctx.all_tenants.into());
    t
}

impl<N: WorkerNotifier> Central<N> {
    /// The project's limits: stored overrides over the configured defaults
    /// (defaults only with `quota_driver = noop`).
    pub(crate) async fn get_quotas_op(
        &self,
        ctx: &Context,
        project: &str,
    ) -> Result<Map<String, Value>, Error> {
        access::enforce(
            &self.settings.policy,
            "get_quotas",
            ctx,
            &quota_target(ctx, project),
        )?;
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let stored = match self.settings.quotas.use_overrides {
                true => quotas::overrides(&mut conn, project).await?,
                false => Vec::new(),
            };
            Ok::<_, OpError>(stored)
        };
        let stored = read.await?;
        Ok(Quota::ALL
            .iter()
            .map(|q| {
                let limit = stored
                    .iter()
                    .find(|(r, _)| r == q.name())
                    .map_or_else(|| q.default_limit(&self.settings), |(_, l)| *l);
                (q.name().to_owned(), Value::from(limit))
            })
            .collect())
    }

    /// Stores one limit (policy `set_quota`); an unknown resource is 400.
    pub(crate) async fn set_quota_op(
        &self,
        ctx: &Context,
        project: &str,
        resource: &str,
        hard_limit: i64,
    ) -> Result<(), Error> {
        let mut target = quota_target(ctx, project);
        target.insert("resource".into(), resource.into());
        access::enforce(&self.settings.policy, "set_quota", ctx, &target)?;
        if !Quota::ALL.iter().any(|q| q.name() == resource) {
            return Err(Error::new(
                ErrorKind::InvalidObject,
                format!("{resource} is not a valid quota resource"),
            ));
        }
        let limit = i32::try_from(hard_limit)
            .ok()
            .filter(|l| *l >= -1)
            .ok_or_else(|| Error::new(ErrorKind::InvalidObject, "hard_limit out of range"))?;
        let write = async {
            let mut conn = self.storage.acquire().await?;
            quotas::set(&mut conn, project, resource, limit).await?;
            Ok::<_, OpError>(())
        };
        Ok(write.await?)
    }

    /// Removes every override of the project (policy `reset_quotas`).
    pub(crate) async fn reset_quotas_op(&self, ctx: &Context, project: &str) -> Result<(), Error> {
        access::enforce(
            &self.settings.policy,
            "reset_quotas",
            ctx,
            &quota_target(ctx, project),
        )?;
        let write = async {
            let mut conn = self.storage.acquire().await?;
            quotas::reset(&mut conn, project).await?;
            Ok::<_, OpError>(())
        };
        Ok(write.await?)
    }
}
