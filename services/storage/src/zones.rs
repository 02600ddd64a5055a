//! Zones with their attributes and masters (spec/storage.md §2.1–2.4, §3.2).
//!
//! Writers hold the zone row lock ([`lock`]) for the length of their
//! transaction, so two central instances never interleave changes to a zone.

use std::collections::HashMap;

use delegate_model::{Action, Status, Zone, ZoneAttribute, ZoneMaster, ZoneType, ids, time};
use serde_json::{Map, Value};
use sqlx::mysql::MySqlRow;
use sqlx::{MySql, MySqlConnection, QueryBuilder};
use uuid::Uuid;

use crate::criteria::{self, Column, push_list};
use crate::error::{Resource, StorageError};
use crate::paging::{Page, PageRequest};
use crate::rows::{self, db_id, opt_db_id};
pub use crate::scope::Scope;

/// The identifying columns of a zone, for the ownership checks of zone creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSummary {
    pub id: Uuid,
    pub name: String,
    pub tenant_id: Option<String>,
    pub pool_id: Option<Uuid>,
    pub parent_zone_id: Option<Uuid>,
}

/// The columns a zone criterion may name (and sort by).
const COLUMNS: &[Column] = &[
    Column::uuid("id", "zones.id"),
    Column::plain("version", "zones.version"),
    Column::plain("created_at", "zones.created_at"),
    Column::plain("updated_at", "zones.updated_at"),
    Column::plain("deleted", "zones.deleted"),
    Column::plain("deleted_at", "zones.deleted_at"),
    Column::plain("shard", "zones.shard"),
    Column::plain("tenant_id", "zones.tenant_id"),
    Column::plain("name", "zones.name"),
    Column::plain("email", "zones.email"),
    Column::plain("description", "zones.description"),
    Column::plain("type", "zones.type"),
    Column::plain("transferred_at", "zones.transferred_at"),
    Column::plain("ttl", "zones.ttl"),
    Column::plain("serial", "zones.serial"),
    Column::plain("refresh", "zones.refresh"),
    Column::plain("retry", "zones.retry"),
    Column::plain("expire", "zones.expire"),
    Column::plain("minimum", "zones.minimum"),
    Column::plain("status", "zones.status"),
    Column::plain("action", "zones.action"),
    Column::uuid("pool_id", "zones.pool_id"),
    Column::uuid("parent_zone_id", "zones.parent_zone_id"),
    Column::plain("reverse_name", "zones.reverse_name"),
    Column::plain("delayed_notify", "zones.delayed_notify"),
    Column::plain("increment_serial", "zones.increment_serial"),
];

const SORTABLE: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "deleted",
    "deleted_at",
    "shard",
    "tenant_id",
    "name",
    "email",
    "description",
    "type",
    "transferred_at",
    "ttl",
    "serial",
    "refresh",
    "retry",
    "expire",
    "minimum",
    "status",
    "action",
    "pool_id",
    "parent_zone_id",
    "reverse_name",
    "delayed_notify",
    "increment_serial",
];

const SELECT: &str = "SELECT zones.id, zones.version, zones.created_at, zones.updated_at, zones.deleted_at, \
     zones.shard, zones.tenant_id, zones.name, zones.email, zones.description, zones.type, \
     zones.transferred_at, zones.ttl, zones.serial, zones.refresh, zones.retry, zones.expire, \
     zones.minimum, zones.status, zones.action, zones.pool_id, zones.parent_zone_id, \
     zones.delayed_notify, zones.increment_serial, \
     EXISTS(SELECT 1 FROM shared_zones sz WHERE sz.zone_id = zones.id) AS shared \
     FROM zones";

/// Inserts a new zone with its attributes and masters; the name already
/// taken in the pool → `Duplicate(Zone)`.
pub async fn insert(conn: &mut MySqlConnection, zone: &Zone) -> Result<(), StorageError> {
    let id = zone.id.ok_or(StorageError::BadRow {
        column: "id",
        detail: "zone without id".into(),
    })?;
    sqlx::query(
        "INSERT INTO zones (id, version, created_at, deleted, shard, tenant_id, name, email, description, \
         type, transferred_at, ttl, serial, refresh, retry, expire, minimum, status, action, pool_id, \
         parent_zone_id, reverse_name, delayed_notify, increment_serial) \
         VALUES (?, ?, ?, '0', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(db_id(&id))
    .bind(zone.version)
    .bind(zone.created_at)
    .bind(i32::from(ids::shard_of(&id)))
    .bind(&zone.tenant_id)
    .bind(&zone.name)
    .bind(&zone.email)
    .bind(&zone.description)
    .bind(zone.zone_type.as_str())
    .bind(zone.transferred_at)
    .bind(zone.ttl)
    .bind(zone.serial)
    .bind(zone.refresh)
    .bind(zone.retry)
    .bind(zone.expire)
    .bind(zone.minimum)
    .bind(zone.status.as_str())
    .bind(zone.action.as_str())
    .bind(opt_db_id(&zone.pool_id))
    .bind(opt_db_id(&zone.parent_zone_id))
    .bind(rows::reverse_name(&zone.name))
    .bind(zone.delayed_notify)
    .bind(zone.increment_serial)
    .execute(&mut *conn)
    .await
    .map_err(|e| StorageError::or_duplicate(e, Resource::Zone))?;
    insert_attributes(conn, &id, &zone.attributes).await?;
    insert_masters(conn, &id, &zone.masters).await
}

/// Replaces a zone's masters (a SECONDARY zone's PATCH).
pub async fn replace_masters(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    masters: &[ZoneMaster],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM zone_masters WHERE zone_id = ?")
        .bind(db_id(&zone_id))
        .execute(&mut *conn)
        .await?;
    insert_masters(conn, &zone_id, masters).await
}

/// Replaces a zone's attributes (a PATCH with `attributes`).
pub async fn replace_attributes(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    attrs: &[ZoneAttribute],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM zone_attributes WHERE zone_id = ?")
        .bind(db_id(&zone_id))
        .execute(&mut *conn)
        .await?;
    insert_attributes(conn, &zone_id, attrs).await
}

/// One multi-row INSERT for all attributes (none: no query).
async fn insert_attributes(
    conn: &mut MySqlConnection,
    zone_id: &Uuid,
    attrs: &[ZoneAttribute],
) -> Result<(), StorageError> {
    if attrs.is_empty() {
        return Ok(());
    }
    let now = time::now();
    let mut qb = QueryBuilder::<MySql>::new(
        "INSERT INTO zone_attributes (id, version, created_at, `key`, value, zone_id) ",
    );
    qb.push_values(attrs, |mut b, attr| {
        b.push_bind(db_id(&ids::new_id()))
            .push_bind(1)
            .push_bind(now)
            .push_bind(attr.key.clone())
            .push_bind(attr.value.clone())
            .push_bind(db_id(zone_id));
    });
    qb.build().execute(conn).await?;
    Ok(())
}

/// One multi-row INSERT for all masters (none: no query).
async fn insert_masters(
    conn: &mut MySqlConnection,
    zone_id: &Uuid,
    masters: &[ZoneMaster],
) -> Result<(), StorageError> {
    if masters.is_empty() {
        return Ok(());
    }
    let now = time::now();
    let mut qb = QueryBuilder::<MySql>::new(
        "INSERT INTO zone_masters (id, version, created_at, host, port, zone_id) ",
    );
    qb.push_values(masters, |mut b, m| {
        b.push_bind(db_id(&ids::new_id()))
            .push_bind(1)
            .push_bind(now)
            .push_bind(m.host.clone())
            .push_bind(i32::from(m.port))
            .push_bind(db_id(zone_id));
    });
    qb.build().execute(conn).await?;
    Ok(())
}

/// A live (not soft-deleted) zone, whoever owns it.
pub async fn get(conn: &mut MySqlConnection, id: Uuid) -> Result<Zone, StorageError> {
    fetch_one(conn, id, "").await
}

/// A live zone, locked (`SELECT … FOR UPDATE`) until the transaction ends.
pub async fn lock(conn: &mut MySqlConnection, id: Uuid) -> Result<Zone, StorageError> {
    fetch_one(conn, id, " FOR UPDATE").await
}

async fn fetch_one(
    conn: &mut MySqlConnection,
    id: Uuid,
    suffix: &'static str,
) -> Result<Zone, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(SELECT);
    qb.push(" WHERE zones.id = ").push_bind(db_id(&id));
    qb.push(" AND zones.deleted = '0'").push(suffix);
    let row = qb.build().fetch_optional(&mut *conn).await?;
    let mut zone = from_row(&row.ok_or(StorageError::NotFound(Resource::Zone))?)?;
    load_details(conn, std::slice::from_mut(&mut zone)).await?;
    Ok(zone)
}

/// Saves the mutable columns of a zone the caller has locked, with
/// `version + 1` and a new `updated_at`, and reflects both in `zone`.
pub async fn update(conn: &mut MySqlConnection, zone: &mut Zone) -> Result<(), StorageError> {
    let id = zone.id.ok_or(StorageError::NotFound(Resource::Zone))?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE zones SET tenant_id = ?, email = ?, description = ?, ttl = ?, serial = ?, refresh = ?, \
         retry = ?, expire = ?, minimum = ?, status = ?, action = ?, pool_id = ?, parent_zone_id = ?, \
         transferred_at = ?, delayed_notify = ?, increment_serial = ?, version = version + 1, updated_at = ? \
         WHERE id = ? AND deleted = '0'",
    )
    .bind(&zone.tenant_id)
    .bind(&zone.email)
    .bind(&zone.description)
    .bind(zone.ttl)
    .bind(zone.serial)
    .bind(zone.refresh)
    .bind(zone.retry)
    .bind(zone.expire)
    .bind(zone.minimum)
    .bind(zone.status.as_str())
    .bind(zone.action.as_str())
    .bind(opt_db_id(&zone.pool_id))
    .bind(opt_db_id(&zone.parent_zone_id))
    .bind(zone.transferred_at)
    .bind(zone.delayed_notify)
    .bind(zone.increment_serial)
    .bind(now)
    .bind(db_id(&id))
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound(Resource::Zone));
    }
    zone.version += 1;
    zone.updated_at = Some(now);
    Ok(())
}

/// Soft-deletes a locked zone: `deleted` = its id, `deleted_at` = now,
/// `DELETED`/`NONE` (spec/storage.md §1 "Soft delete").
pub async fn soft_delete(conn: &mut MySqlConnection, zone: &mut Zone) -> Result<(), StorageError> {
    let id = zone.id.ok_or(StorageError::NotFound(Resource::Zone))?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE zones SET deleted = ?, deleted_at = ?, status = 'DELETED', action = 'NONE', \
         version = version + 1, updated_at = ? WHERE id = ? AND deleted = '0'",
    )
    .bind(db_id(&id))
    .bind(now)
    .bind(now)
    .bind(db_id(&id))
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound(Resource::Zone));
    }
    zone.status = Status::Deleted;
    zone.action = Action::None;
    zone.deleted_at = Some(now);
    zone.version += 1;
    zone.updated_at = Some(now);
    Ok(())
}

/// One page of live zones matching `criterion`, visible in `scope` (own,
/// NULL-owner and shared-with zones).
pub async fn find(
    conn: &mut MySqlConnection,
    scope: &Scope,
    criterion: &Map<String, Value>,
    page: &PageRequest,
) -> Result<Vec<Zone>, StorageError> {
    let page = Page::resolve(conn, "zones", SORTABLE, page).await?;
    let mut qb = QueryBuilder::<MySql>::new(SELECT);
    qb.push(" WHERE zones.deleted = '0'");
    criteria::push_conditions(&mut qb, COLUMNS, criterion, &[])?;
    push_scope(&mut qb, scope, true);
    page.push_after_marker(&mut qb, "zones");
    page.push_order_and_limit(&mut qb, "zones");
    let found = qb.build().fetch_all(&mut *conn).await?;
    let mut zones = found.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    load_details(conn, &mut zones).await?;
    Ok(zones)
}

/// How many live zones match `criterion` in `scope`. Zones shared with the
/// project are not counted, as in Designate (spec/api-v2.md §6.1, a quirk
/// clients see in `metadata.total_count`).
pub async fn count(
    conn: &mut MySqlConnection,
    scope: &Scope,
    criterion: &Map<String, Value>,
) -> Result<u64, StorageError> {
    let mut qb =
        QueryBuilder::<MySql>::new("SELECT COUNT(zones.id) FROM zones WHERE zones.deleted = '0'");
    criteria::push_conditions(&mut qb, COLUMNS, criterion, &[])?;
    push_scope(&mut qb, scope, false);
    let n: i64 = qb.build_query_scalar().fetch_one(conn).await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// How far up the parent chain [`purge`] looks for a surviving ancestor.
const MAX_ANCESTRY: usize = 128;

/// Hard-deletes up to `limit` zones matching `criterion` — soft-deleted
/// ones included, so the criterion says which (the producer's `zone_purge`
/// asks for `deleted: "!0"` and an old `deleted_at`) — oldest deletion
/// first. Their recordsets and records go with them (foreign keys); their
/// children are re-parented to the nearest ancestor that survives
/// (spec/domain-rules.md §2.7). Returns how many zones were purged.
pub async fn purge(
    conn: &mut MySqlConnection,
    criterion: &Map<String, Value>,
    limit: u32,
) -> Result<u64, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new("SELECT id, parent_zone_id FROM zones WHERE 1 = 1");
    criteria::push_conditions(&mut qb, COLUMNS, criterion, &[])?;
    qb.push(" ORDER BY deleted_at, id LIMIT ").push_bind(limit);
    let rows: Vec<(String, Option<String>)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let parents: HashMap<String, Option<String>> = rows.iter().cloned().collect();
    let now = time::now();
    for (id, parent) in &rows {
        let mut survivor = parent.clone();
        let mut depth = 0;
        while let Some(p) = survivor.as_ref().filter(|p| parents.contains_key(*p)) {
            depth += 1;
            if depth > MAX_ANCESTRY {
                return Err(StorageError::InvalidCriterion(format!(
                    "zone {id}: parent chain longer than {MAX_ANCESTRY} or a loop"
                )));
            }
            survivor = parents[p].clone();
        }
        sqlx::query(
            "UPDATE zones SET parent_zone_id = ?, updated_at = ?, version = version + 1 \
             WHERE parent_zone_id = ?",
        )
        .bind(&survivor)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    let ids: Vec<String> = rows.into_iter().map(|(id, _)| id).collect();
    let mut qb = QueryBuilder::<MySql>::new("DELETE FROM zones WHERE id IN (");
    push_list(&mut qb, &ids);
    let done = qb.build().execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

fn push_scope(qb: &mut QueryBuilder<MySql>, scope: &Scope, with_shares: bool) {
    let Scope::Project(project) = scope else {
        return;
    };
    qb.push(" AND (zones.tenant_id = ")
        .push_bind(project.clone());
    qb.push(" OR zones.tenant_id IS NULL");
    if with_shares && project.is_some() {
        qb.push(" OR EXISTS(SELECT 1 FROM shared_zones s WHERE s.zone_id = zones.id AND s.target_project_id = ");
        qb.push_bind(project.clone()).push(")");
    }
    qb.push(")");
}

/// Takes a shared lock on the pool's row until the transaction ends, so the
/// pool cannot be deleted under a zone being created. Creations run in
/// parallel (Designate serialises them behind one global lock): a duplicate
/// name is caught by the `unique_domain_name` key, whatever the timing. What
/// a shared lock leaves open is a race between two *different* projects
/// creating a parent and a child zone at the same instant. A missing pool →
/// `NotFound(Pool)`.
pub async fn lock_pool_for_creation(
    conn: &mut MySqlConnection,
    pool_id: Uuid,
) -> Result<(), StorageError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM pools WHERE id = ? LOCK IN SHARE MODE")
            .bind(db_id(&pool_id))
            .fetch_optional(conn)
            .await?;
    found
        .map(|_| ())
        .ok_or(StorageError::NotFound(Resource::Pool))
}

/// The SOA MNAME of the pool's zones: the hostname of its first NS record in
/// storage order (`created_at`, `id`), whatever the priorities say
/// (spec/domain-rules.md §5.1). `None` if the pool has no NS record.
pub async fn soa_mname(
    conn: &mut MySqlConnection,
    pool_id: Uuid,
) -> Result<Option<String>, StorageError> {
    let name = sqlx::query_scalar(
        "SELECT hostname FROM pool_ns_records WHERE pool_id = ? ORDER BY created_at, id LIMIT 1",
    )
    .bind(db_id(&pool_id))
    .fetch_optional(conn)
    .await?;
    Ok(name)
}

/// Deletes every share of a zone (zone delete with `delete_shares`).
pub async fn delete_shares(conn: &mut MySqlConnection, zone_id: Uuid) -> Result<u64, StorageError> {
    let done = sqlx::query("DELETE FROM shared_zones WHERE zone_id = ?")
        .bind(db_id(&zone_id))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// True if the zone is shared with `project`.
pub async fn is_shared_with(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    project: &str,
) -> Result<bool, StorageError> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM shared_zones WHERE zone_id = ? AND target_project_id = ? LIMIT 1",
    )
    .bind(db_id(&zone_id))
    .bind(project)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Live zones, in every pool, whose name is one of `names` (the database
/// compares names case-insensitively).
pub async fn live_by_names(
    conn: &mut MySqlConnection,
    names: &[String],
) -> Result<Vec<ZoneSummary>, StorageError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, name, tenant_id, pool_id, parent_zone_id FROM zones WHERE deleted = '0' AND name IN (",
    );
    push_list(&mut qb, names);
    let found = qb.build().fetch_all(conn).await?;
    found.iter().map(summary_from_row).collect()
}

/// Live zones, in every pool, below `name` (`*.name`).
pub async fn live_subzones(
    conn: &mut MySqlConnection,
    name: &str,
) -> Result<Vec<ZoneSummary>, StorageError> {
    let found = sqlx::query("SELECT id, name, tenant_id, pool_id, parent_zone_id FROM zones WHERE deleted = '0' AND name LIKE ?")
        .bind(format!("%.{}", rows::like_escape(name)))
        .fetch_all(conn)
        .await?;
    found.iter().map(summary_from_row).collect()
}

/// Live zones whose parent is `parent_id`, any project.
pub async fn live_children(
    conn: &mut MySqlConnection,
    parent_id: Uuid,
) -> Result<Vec<ZoneSummary>, StorageError> {
    let found =
        sqlx::query("SELECT id, name, tenant_id, pool_id, parent_zone_id FROM zones WHERE deleted = '0' AND parent_zone_id = ?")
            .bind(db_id(&parent_id))
            .fetch_all(conn)
            .await?;
    found.iter().map(summary_from_row).collect()
}

/// The number of live zones owned by `tenant` (the `zones` quota).
pub async fn count_live_owned_by(
    conn: &mut MySqlConnection,
    tenant: &str,
) -> Result<i64, StorageError> {
    let n = sqlx::query_scalar("SELECT COUNT(id) FROM zones WHERE deleted = '0' AND tenant_id = ?")
        .bind(tenant)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

fn summary_from_row(row: &MySqlRow) -> Result<ZoneSummary, StorageError> {
    Ok(ZoneSummary {
        id: rows::uuid(row, "id")?,
        name: rows::get(row, "name")?,
        tenant_id: rows::get(row, "tenant_id")?,
        pool_id: rows::opt_uuid(row, "pool_id")?,
        parent_zone_id: rows::opt_uuid(row, "parent_zone_id")?,
    })
}

fn from_row(row: &MySqlRow) -> Result<Zone, StorageError> {
    let shard: i16 = rows::get(row, "shard")?;
    Ok(Zone {
        id: Some(rows::uuid(row, "id")?),
        version: rows::get(row, "version")?,
        created_at: rows::get(row, "created_at")?,
        updated_at: rows::get(row, "updated_at")?,
        deleted_at: rows::get(row, "deleted_at")?,
        shard: u16::try_from(shard).map_err(|_| StorageError::BadRow {
            column: "shard",
            detail: shard.to_string(),
        })?,
        tenant_id: rows::get(row, "tenant_id")?,
        name: rows::get(row, "name")?,
        email: rows::get(row, "email")?,
        description: rows::get(row, "description")?,
        zone_type: rows::enumerated(row, "type", ZoneType::parse)?,
        transferred_at: rows::get(row, "transferred_at")?,
        ttl: Some(rows::get(row, "ttl")?),
        serial: rows::get(row, "serial")?,
        refresh: rows::get(row, "refresh")?,
        retry: rows::get(row, "retry")?,
        expire: rows::get(row, "expire")?,
        minimum: rows::get(row, "minimum")?,
        status: rows::enumerated(row, "status", Status::parse)?,
        action: rows::enumerated(row, "action", Action::parse)?,
        pool_id: rows::opt_uuid(row, "pool_id")?,
        parent_zone_id: rows::opt_uuid(row, "parent_zone_id")?,
        delayed_notify: rows::flag(row, "delayed_notify")?,
        increment_serial: rows::flag(row, "increment_serial")?,
        shared: rows::flag(row, "shared")?,
        masters: Vec::new(),
        attributes: Vec::new(),
    })
}

/// Fills attributes (never the legacy `master` key) and, for SECONDARY zones,
/// masters (spec/storage.md §2.2–2.3).
async fn load_details(conn: &mut MySqlConnection, zones: &mut [Zone]) -> Result<(), StorageError> {
    let ids: Vec<String> = zones
        .iter()
        .filter_map(|z| z.id.as_ref().map(db_id))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT zone_id, `key`, value FROM zone_attributes WHERE `key` <> 'master' AND zone_id IN (",
    );
    push_list(&mut qb, &ids);
    qb.push(" ORDER BY created_at, id");
    let mut attrs: HashMap<Uuid, Vec<ZoneAttribute>> = HashMap::new();
    for row in qb.build().fetch_all(&mut *conn).await? {
        let key: Option<String> = rows::get(&row, "key")?;
        let attr = ZoneAttribute {
            key: key.unwrap_or_default(),
            value: rows::get(&row, "value")?,
        };
        attrs
            .entry(rows::uuid(&row, "zone_id")?)
            .or_default()
            .push(attr);
    }
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT zone_id, host, port FROM zone_masters WHERE zone_id IN (",
    );
    push_list(&mut qb, &ids);
    qb.push(" ORDER BY created_at, id");
    let mut masters: HashMap<Uuid, Vec<ZoneMaster>> = HashMap::new();
    for row in qb.build().fetch_all(&mut *conn).await? {
        let port: i32 = rows::get(&row, "port")?;
        let port = u16::try_from(port).map_err(|_| StorageError::BadRow {
            column: "port",
            detail: port.to_string(),
        })?;
        let master = ZoneMaster {
            host: rows::get(&row, "host")?,
            port,
        };
        masters
            .entry(rows::uuid(&row, "zone_id")?)
            .or_default()
            .push(master);
    }
    for zone in zones.iter_mut() {
        let Some(id) = zone.id else { continue };
        zone.attributes = attrs.remove(&id).unwrap_or_default();
        // PRIMARY zones always present no masters, even if rows exist.
        if zone.zone_type == ZoneType::Secondary {
            zone.masters = masters.remove(&id).unwrap_or_default();
        }
    }
    Ok(())
}

/// Where a zone's change stands, as the worker checks it before and while
/// pushing a change (cross-instance coalescing: spec/services.md §5.2 step 5's
/// "still valid?" question, asked of the database instead of central).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneProgress {
    pub serial: i64,
    pub status: Status,
    pub action: Action,
    /// Soft-deleted (its deletion finished).
    pub deleted: bool,
}

/// The progress of zone `id`, soft-deleted or not; `None` once purged.
pub async fn progress(
    conn: &mut MySqlConnection,
    id: Uuid,
) -> Result<Option<ZoneProgress>, StorageError> {
    let row = sqlx::query("SELECT serial, status, action, deleted FROM zones WHERE id = ?")
        .bind(db_id(&id))
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(ZoneProgress {
            serial: rows::get(&row, "serial")?,
            status: rows::enumerated(&row, "status", Status::parse)?,
            action: rows::enumerated(&row, "action", Action::parse)?,
            deleted: rows::get::<String>(&row, "deleted")? != "0",
        })
    })
    .transpose()
}

/// Zones of shards `first..=last` that recovery pushes again (spec/services.md
/// §5.3, domain-rules §7.5): live zones in ERROR, and PENDING ones whose
/// serial is older than `stale_before` (a unix time: now − max_prop_time).
/// Action NONE is skipped. At most `limit`, oldest change first.
pub async fn needing_recovery(
    conn: &mut MySqlConnection,
    (first, last): (u16, u16),
    stale_before: i64,
    limit: u32,
) -> Result<Vec<Zone>, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(SELECT);
    // `status IN …` first: index delegate_zone_status_shard (migration 0002).
    qb.push(" WHERE zones.status IN ('ERROR', 'PENDING') AND zones.shard BETWEEN ")
        .push_bind(i32::from(first))
        .push(" AND ")
        .push_bind(i32::from(last))
        .push(" AND zones.deleted = '0' AND zones.action <> 'NONE'")
        .push(" AND (zones.status = 'ERROR' OR zones.serial < ")
        .push_bind(stale_before)
        .push(") ORDER BY zones.updated_at LIMIT ")
        .push_bind(limit);
    let found = qb.build().fetch_all(&mut *conn).await?;
    let mut zones = found.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    load_details(conn, &mut zones).await?;
    Ok(zones)
}
