//! Who may see and change a zone (spec/api-v2.md §7.4, spec/domain-rules.md
//! §10.2). Policy files are not read yet: the admin role stands in for the
//! policy rules that default to admin.

use delegate_model::{Context, Error, ErrorKind, Zone, ZoneType};
use delegate_storage::{MySqlConnection, zones};

use crate::txn::OpError;

/// The zone belongs to the caller's project (Python equality: two missing
/// projects are equal, as in Designate).
pub(crate) fn is_owner(ctx: &Context, zone: &Zone) -> bool {
    zone.tenant_id == ctx.project_id
}

/// Admins may go below `min_ttl` (policy `use_low_ttl`) and act on zones of
/// other projects they can see.
pub(crate) fn is_admin(ctx: &Context) -> bool {
    ctx.is_admin || ctx.has_admin_role()
}

/// Owner, all-projects, or a project the zone is shared with.
pub(crate) async fn can_see(
    conn: &mut MySqlConnection,
    ctx: &Context,
    zone: &Zone,
) -> Result<bool, OpError> {
    if ctx.all_tenants || is_owner(ctx, zone) {
        return Ok(true);
    }
    match (&ctx.project_id, zone.id) {
        (Some(project), Some(id)) => Ok(zones::is_shared_with(conn, id, project).await?),
        _ => Ok(false),
    }
}

/// [`can_see`], or 404 `ZoneNotFound` "Could not find Zone" — the answer for
/// zones that do not exist, so that other projects' zones stay invisible.
pub(crate) async fn require_visible(
    conn: &mut MySqlConnection,
    ctx: &Context,
    zone: &Zone,
) -> Result<(), OpError> {
    if can_see(conn, ctx, zone).await? {
        Ok(())
    } else {
        Err(zone_not_found().into())
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
