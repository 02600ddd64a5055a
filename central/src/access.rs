//! Who may see and change a zone (spec/api-v2.md §3.4, §7.4,
//! spec/domain-rules.md §10.2): first visibility (a zone the caller neither
//! owns nor shares is 404 `zone_not_found`, even for admins without
//! all-projects), then the policy rule with Designate's target for the zone.

use delegate_model::{Context, Error, ErrorKind, RecordSet, Zone, ZoneType};
use delegate_policy::{Policy, Target};
use delegate_storage::{MySqlConnection, zones};
use serde_json::Value;

use crate::txn::OpError;

/// The zone belongs to the caller's project (Python equality: two missing
/// projects are equal, as in Designate).
pub(crate) fn is_owner(ctx: &Context, zone: &Zone) -> bool {
    zone.tenant_id == ctx.project_id
}

/// Checks a policy rule; a denial is `403 forbidden` or `403 invalid_token_scope`.
pub(crate) fn enforce(
    policy: &Policy,
    rule: &str,
    ctx: &Context,
    target: &Target,
) -> Result<(), Error> {
    policy.enforce(rule, ctx, target).map_err(Error::from)
}

/// Designate's policy target for a zone: `project_id`/`tenant_id` (the
/// owner), `zone_id`, `zone_name`, `zone_type`, and `zone_shared` (shared
/// with a caller who does not own it).
pub(crate) fn zone_target(zone: &Zone, zone_shared: bool) -> Target {
    let mut t = Target::new();
    t.insert("zone_id".into(), zone.id.map(|id| id.to_string()).into());
    t.insert("zone_name".into(), zone.name.clone().into());
    t.insert("zone_type".into(), zone.zone_type.as_str().into());
    t.insert("zone_shared".into(), zone_shared.into());
    t.insert("project_id".into(), zone.tenant_id.clone().into());
    t.insert("tenant_id".into(), zone.tenant_id.clone().into());
    t
}

/// [`zone_target`] plus the recordset's id and creator (`recordset_project_id`).
pub(crate) fn recordset_target(zone: &Zone, zone_shared: bool, rs: &RecordSet) -> Target {
    let mut t = zone_target(zone, zone_shared);
    t.insert("recordset_id".into(), rs.id.map(|id| id.to_string()).into());
    t.insert("recordset_name".into(), rs.name.clone().into());
    t.insert("recordset_project_id".into(), rs.tenant_id.clone().into());
    t
}

/// The target of rules about the caller's own project (lists, creations).
pub(crate) fn project_target(project: Option<&str>) -> Target {
    let project: Value = project.map(str::to_owned).into();
    let mut t = Target::new();
    t.insert("project_id".into(), project.clone());
    t.insert("tenant_id".into(), project);
    t
}

/// Owner, all-projects, or a project the zone is shared with; else 404 `ZoneNotFound` "Could not find Zone" — the answer for
/// zones that do not exist, so that other projects' zones stay invisible.
pub(crate) async fn require_visible(
    conn: &mut MySqlConnection,
    ctx: &Context,
    zone: &Zone,
) -> Result<(), OpError> {
    visible_shared(conn, ctx, zone).await.map(|_| ())
}

/// [`require_visible`], telling whether the zone is visible only because it
/// is shared with the caller (Designate's `_check_zone_share_permission`).
pub(crate) async fn visible_shared(
    conn: &mut MySqlConnection,
    ctx: &Context,
    zone: &Zone,
) -> Result<bool, OpError> {
    if ctx.all_tenants || is_owner(ctx, zone) {
        return Ok(false);
    }
    match (&ctx.project_id, zone.id) {
        (Some(project), Some(id)) if zones::is_shared_with(conn, id, project).await? => Ok(true),
        _ => Err(zone_not_found().into()),
    }
}

pub(crate) fn zone_not_found() -> Error {
    Error::not_found(ErrorKind::ZoneNotFound, "Zone")
}

/// Catalog zones belong to the pool and are only touched by delegate-manage.
pub(crate) fn forbid_catalog(zone_type: ZoneType) -> Result<(), Error> {
    if zone_type == ZoneType::Catalog {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "This operation is not allowed for catalog zones.",
        ));
    }
    Ok(())
}
