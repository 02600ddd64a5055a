//! Zones: create, show, list, delete, nameservers (spec/domain-rules.md §2,
//! spec/api-v2.md §7).

use delegate_model::{
    Action, Context, Error, ErrorKind, PoolNsRecord, Record, RecordSet, Status, Zone, ZoneType,
    ids, time,
};
use delegate_rpc::Paging;
use delegate_storage::retry::on_deadlock;
use delegate_storage::zones::ZoneSummary;
use delegate_storage::{MySqlConnection, Resource, Scope, StorageError, pools, recordsets, zones};
use rand::Rng;

use crate::access;
use crate::notify::{WorkerCast, WorkerNotifier};
use crate::quota::{self, Quota};
use crate::recordsets::new_record;
use crate::serial;
use crate::service::{Central, listing};
use crate::txn::{OpError, refuse};
use crate::zone_names;

impl<N: WorkerNotifier> Central<N> {
    /// Creates a zone in the default pool with its managed SOA and NS
    /// recordsets, CREATE/PENDING, then casts `create_zone` to the workers.
    pub(crate) async fn create_zone_op(&self, ctx: &Context, input: Zone) -> Result<Zone, Error> {
        let owner = input.tenant_id.clone().or_else(|| ctx.project_id.clone());
        let mut target = access::project_target(owner.as_deref());
        target.insert("zone_name".into(), input.name.clone().into());
        access::enforce(&self.settings.policy, "create_zone", ctx, &target)?;
        access::forbid_catalog(input.zone_type)?;
        let owner = owner.ok_or_else(|| {
            Error::new(
                ErrorKind::MissingProjectId,
                "A project ID must be specified when not using a project scoped token.",
            )
        })?;
        let (zone, casts) = on_deadlock(|| self.create_zone_once(ctx, &input, &owner)).await?;
        self.push(ctx, casts).await;
        Ok(zone)
    }

    /// One attempt, in spec order (spec/domain-rules.md §2.2).
    async fn create_zone_once(
        &self,
        ctx: &Context,
        input: &Zone,
        owner: &str,
    ) -> Result<(Zone, Vec<WorkerCast>), OpError> {
        let mut tx = self.storage.begin().await?;
        let pool_id = self.settings.default_pool_id;
        let pool_locked = match zones::lock_pool_for_creation(&mut tx, pool_id).await {
            Ok(()) => true,
            Err(StorageError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        let owned = zones::count_live_owned_by(&mut tx, owner).await?;
        quota::enforce(&mut tx, &self.settings, owner, &[(Quota::Zones, owned + 1)]).await?;
        zone_names::check_shape(&input.name, self.settings.max_zone_name_len)?;
        zone_names::check_tlds(&mut tx, &input.name).await?;
        let ttl = input.ttl.unwrap_or(self.settings.default_ttl);
        self.check_ttl(ctx, i64::from(ttl))?;
        zone_names::check_other_projects(&mut tx, &input.name, owner).await?;
        if !pool_locked {
            return refuse(Error::new(
                ErrorKind::NoValidPoolFound,
                "There are no pools that matched your request",
            ));
        }
        let pool = pools::get_pool(&mut tx, pool_id).await?;
        let parent = in_pool_parent(&mut tx, &input.name, owner, pool_id).await?;
        let Some(first_ns) = pool.ns_records.first() else {
            return refuse(Error::bare(ErrorKind::NoServersConfigured));
        };
        let zone = self.new_zone(input, owner, ttl, pool_id, parent);
        zones::insert(&mut tx, &zone).await?;
        insert_managed_recordsets(&mut tx, &zone, &first_ns.hostname, &pool.ns_records).await?;
        let mut casts = vec![WorkerCast::CreateZone(zone.clone())];
        casts.extend(adopt_children(&mut tx, &zone).await?);
        delegate_storage::commit(tx).await?;
        Ok((zone, casts))
    }

    /// `ttl < min_ttl` → 400 `InvalidTTL`, unless policy `use_low_ttl` allows
    /// the caller (admins by default).
    pub(crate) fn check_ttl(&self, ctx: &Context, ttl: i64) -> Result<(), Error> {
        if ttl < self.settings.min_ttl
            && self
                .settings
                .policy
                .enforce_own("use_low_ttl", ctx)
                .is_err()
        {
            return Err(Error::new(
                ErrorKind::InvalidTtl,
                format!("TTL is below the minimum: {}", self.settings.min_ttl),
            ));
        }
        Ok(())
    }

    /// The zone row of spec/domain-rules.md §2.3.
    fn new_zone(
        &self,
        input: &Zone,
        owner: &str,
        ttl: i32,
        pool_id: uuid::Uuid,
        parent: Option<uuid::Uuid>,
    ) -> Zone {
        let soa = &self.settings.soa;
        let refresh = if soa.refresh_min < soa.refresh_max {
            rand::rng().random_range(soa.refresh_min..soa.refresh_max)
        } else {
            soa.refresh_min
        };
        // PRIMARY zones start at the current time; SECONDARY ones at 1 until
        // the first transfer; a serial given by an internal caller (import) is kept.
        let serial = match (input.serial, input.zone_type) {
            (s, _) if s > 0 => s,
            (_, ZoneType::Secondary) => 1,
            _ => time::unix_now(),
        };
        Zone {
            id: Some(ids::new_id()),
            version: 1,
            created_at: Some(time::now()),
            updated_at: None,
            deleted_at: None,
            tenant_id: Some(owner.to_owned()),
            ttl: Some(ttl),
            serial,
            refresh,
            retry: soa.retry,
            expire: soa.expire,
            minimum: soa.minimum,
            status: Status::Pending,
            action: Action::Create,
            pool_id: Some(pool_id),
            parent_zone_id: parent,
            transferred_at: None,
            delayed_notify: false,
            increment_serial: false,
            shared: false,
            ..input.clone()
        }
    }

    pub(crate) async fn get_zone_op(
        &self,
        ctx: &Context,
        zone_id: uuid::Uuid,
    ) -> Result<Zone, Error> {
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let zone = zones::get(&mut conn, zone_id).await?;
            let shared = access::visible_shared(&mut conn, ctx, &zone).await?;
            let target = access::zone_target(&zone, shared);
            access::enforce(&self.settings.policy, "get_zone", ctx, &target)?;
            Ok::<_, OpError>(zone)
        };
        Ok(read.await?)
    }

    /// Lists zones. Callers without the exact role `admin` never see CATALOG
    /// zones (spec/api-v2.md §7.3); `*` in a filter is a wildcard.
    pub(crate) async fn find_zones_op(
        &self,
        ctx: &Context,
        paging: Paging,
    ) -> Result<(Vec<Zone>, u64), Error> {
        let target = access::project_target(ctx.project_id.as_deref());
        access::enforce(&self.settings.policy, "find_zones", ctx, &target)?;
        let (mut criterion, page) = listing(paging);
        if !ctx.roles.iter().any(|r| r == "admin") {
            criterion.insert("type".into(), "!CATALOG".into());
        }
        let scope = Scope::of(ctx);
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let found = zones::find(&mut conn, &scope, &criterion, &page).await?;
            let total = zones::count(&mut conn, &scope, &criterion).await?;
            Ok::<_, OpError>((found, total))
        };
        Ok(read.await?)
    }

    /// The producer's `increment_serial`: bumps the serial of a zone flagged
    /// for it, rebuilds its SOA and clears the flag (admin only). A zone no
    /// longer flagged (another producer or a change got there first) keeps
    /// its serial.
    pub(crate) async fn increment_zone_serial_op(
        &self,
        ctx: &Context,
        zone_id: uuid::Uuid,
    ) -> Result<i64, Error> {
        crate::status::require_admin(ctx)?;
        let once = || async {
            let mut tx = self.storage.begin().await?;
            let mut zone = zones::lock(&mut tx, zone_id).await?;
            if zone.increment_serial {
                zone.increment_serial = false;
                serial::bump(&mut zone);
                serial::save_bumped(&mut tx, &mut zone).await?;
            }
            delegate_storage::commit(tx).await?;
            Ok::<_, OpError>(zone.serial)
        };
        Ok(on_deadlock(once).await?)
    }

    /// Hard-deletes soft-deleted zones for the producer's `zone_purge`
    /// (spec/domain-rules.md §2.7); admin only. Returns how many.
    pub(crate) async fn purge_zones_op(
        &self,
        ctx: &Context,
        criterion: serde_json::Map<String, serde_json::Value>,
        limit: Option<u32>,
    ) -> Result<u64, Error> {
        crate::status::require_admin(ctx)?;
        let purge = || async {
            let mut tx = self.storage.begin().await?;
            let n = zones::purge(&mut tx, &criterion, limit.unwrap_or(u32::MAX)).await?;
            delegate_storage::commit(tx).await?;
            Ok::<_, OpError>(n)
        };
        Ok(on_deadlock(purge).await?)
    }

    /// The NS records of the zone's pool, in storage order.
    pub(crate) async fn get_zone_ns_records_op(
        &self,
        ctx: &Context,
        zone_id: uuid::Uuid,
    ) -> Result<Vec<PoolNsRecord>, Error> {
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let zone = zones::get(&mut conn, zone_id).await?;
            // NULL-owner zones are visible here, as in Designate's scoped lookup.
            if zone.tenant_id.is_some() {
                access::require_visible(&mut conn, ctx, &zone).await?;
            }
            let target = access::zone_target(&zone, false);
            access::enforce(&self.settings.policy, "get_zone_ns_records", ctx, &target)?;
            let pool_id = zone.pool_id.ok_or(StorageError::NotFound(Resource::Pool))?;
            Ok::<_, OpError>(pools::get_pool(&mut conn, pool_id).await?.ns_records)
        };
        Ok(read.await?)
    }

    /// Marks a zone DELETE/PENDING and casts `delete_zone`; with the abandon
    /// flag, soft-deletes it at once without touching the backends.
    pub(crate) async fn delete_zone_op(
        &self,
        ctx: &Context,
        zone_id: uuid::Uuid,
    ) -> Result<Zone, Error> {
        let zone = on_deadlock(|| self.delete_zone_once(ctx, zone_id)).await?;
        if !ctx.abandon {
            let cast = WorkerCast::DeleteZone {
                zone: zone.clone(),
                hard_delete: ctx.hard_delete,
            };
            self.push(ctx, vec![cast]).await;
        }
        Ok(zone)
    }

    async fn delete_zone_once(&self, ctx: &Context, zone_id: uuid::Uuid) -> Result<Zone, OpError> {
        let mut tx = self.storage.begin().await?;
        let mut zone = zones::lock(&mut tx, zone_id).await?;
        if zone.tenant_id.is_some() {
            access::require_visible(&mut tx, ctx, &zone).await?;
        }
        access::forbid_catalog(zone.zone_type)?;
        let rule = if ctx.abandon {
            "abandon_zone"
        } else {
            "delete_zone"
        };
        let target = access::zone_target(&zone, false);
        access::enforce(&self.settings.policy, rule, ctx, &target)?;
        if zone.shared && !ctx.delete_shares {
            return refuse(Error::new(
                ErrorKind::ZoneShared,
                "This zone is shared with other projects, please remove these shares before deletion \
                 or use the delete-shares modifier to override this warning.",
            ));
        }
        if !zones::live_children(&mut tx, zone_id).await?.is_empty() {
            return refuse(Error::new(
                ErrorKind::ZoneHasSubZone,
                "Please delete any subzones before deleting this zone",
            ));
        }
        if zone.shared {
            zones::delete_shares(&mut tx, zone_id).await?;
            zone.shared = false;
        }
        if ctx.abandon {
            zones::soft_delete(&mut tx, &mut zone).await?;
        } else {
            zone.action = Action::Delete;
            zone.status = Status::Pending;
            zones::update(&mut tx, &mut zone).await?;
        }
        delegate_storage::commit(tx).await?;
        Ok(zone)
    }
}

/// Step 11: the nearest existing ancestor in the same pool becomes the parent;
/// one of another project → 403 `IllegalChildZone`.
async fn in_pool_parent(
    conn: &mut MySqlConnection,
    name: &str,
    owner: &str,
    pool_id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>, OpError> {
    let above = zone_names::ancestors(name);
    let found: Vec<ZoneSummary> = zones::live_by_names(conn, &above)
        .await?
        .into_iter()
        .filter(|z| z.pool_id == Some(pool_id))
        .collect();
    match zone_names::nearest(&above, &found).first() {
        Some(parent) if parent.tenant_id.as_deref() != Some(owner) => {
            Err(zone_names::illegal_child().into())
        }
        Some(parent) => Ok(Some(parent.id)),
        None => Ok(None),
    }
}

/// The SOA recordset and, for PRIMARY zones, the apex NS recordset: managed
/// records, CREATE/PENDING, carried by the zone's serial.
async fn insert_managed_recordsets(
    conn: &mut MySqlConnection,
    zone: &Zone,
    mname: &str,
    ns_records: &[PoolNsRecord],
) -> Result<(), OpError> {
    let mut soa = managed_recordset(zone, "SOA", &[serial::soa_text(mname, zone)]);
    recordsets::insert(conn, &mut soa).await?;
    if zone.zone_type == ZoneType::Primary {
        let hosts: Vec<String> = ns_records.iter().map(|ns| ns.hostname.clone()).collect();
        let mut ns = managed_recordset(zone, "NS", &hosts);
        recordsets::insert(conn, &mut ns).await?;
    }
    Ok(())
}

fn managed_recordset(zone: &Zone, rr_type: &str, data: &[String]) -> RecordSet {
    let mut rs = RecordSet {
        id: Some(ids::new_id()),
        version: 1,
        created_at: Some(time::now()),
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: Some(zone.name.clone()),
        name: zone.name.clone(),
        rr_type: rr_type.to_owned(),
        ..RecordSet::default()
    };
    // Records read back in (created_at, id) order; they share created_at, so
    // ascending ids keep the pool's NS order.
    let mut record_ids: Vec<uuid::Uuid> = data.iter().map(|_| ids::new_id()).collect();
    record_ids.sort_unstable();
    rs.records = data
        .iter()
        .zip(record_ids)
        .map(|(d, record_id)| Record {
            managed: true,
            ..new_record(&rs, record_id, d, zone.serial)
        })
        .collect();
    rs
}

/// Step 12: zones of the pool below the new one whose nearest parent it now
/// is (they had none, or the new zone's own parent) are re-parented; they
/// become UPDATE/PENDING with a new serial and are pushed again.
async fn adopt_children(
    conn: &mut MySqlConnection,
    zone: &Zone,
) -> Result<Vec<WorkerCast>, OpError> {
    let mut casts = Vec::new();
    for child in zones::live_subzones(conn, &zone.name).await? {
        if child.pool_id != zone.pool_id || child.parent_zone_id != zone.parent_zone_id {
            continue;
        }
        let mut child = zones::lock(conn, child.id).await?;
        child.parent_zone_id = zone.id;
        serial::bump(&mut child);
        serial::save_bumped(conn, &mut child).await?;
        casts.push(WorkerCast::UpdateZone(child));
    }
    Ok(casts)
}
