//! Recordsets with their records (spec/storage.md §2.5, §3.3).

use std::collections::HashMap;

use delegate_model::{RecordSet, ids};
use serde_json::{Map, Value};
use sqlx::mysql::MySqlRow;
use sqlx::{MySql, MySqlConnection, QueryBuilder};
use uuid::Uuid;

use crate::criteria::push_list;
use crate::criteria::{self, Column};
use crate::error::{Resource, StorageError};
use crate::paging::{Page, PageRequest};
use crate::records;
use crate::rows::{self, db_id};
use crate::scope::Scope;

/// Recordset columns a criterion may name.
const COLUMNS: &[Column] = &[
    Column::uuid("id", "recordsets.id"),
    Column::plain("version", "recordsets.version"),
    Column::plain("created_at", "recordsets.created_at"),
    Column::plain("updated_at", "recordsets.updated_at"),
    Column::plain("zone_shard", "recordsets.zone_shard"),
    Column::plain("tenant_id", "recordsets.tenant_id"),
    Column::uuid("zone_id", "recordsets.zone_id"),
    Column::plain("name", "recordsets.name"),
    Column::plain("type", "recordsets.type"),
    Column::plain("ttl", "recordsets.ttl"),
    Column::plain("description", "recordsets.description"),
    Column::plain("reverse_name", "recordsets.reverse_name"),
];

/// Criterion keys that filter on the records: a recordset matches if any of
/// its records does (spec/api-v2.md §6.4).
const RECORD_COLUMNS: &[Column] = &[
    Column::plain("data", "records.data"),
    Column::plain("status", "records.status"),
];
const RECORD_KEYS: &[&str] = &["data", "status"];

const SORTABLE: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "zone_shard",
    "tenant_id",
    "zone_id",
    "name",
    "type",
    "ttl",
    "description",
    "reverse_name",
];

const SELECT: &str = "SELECT recordsets.id, recordsets.version, recordsets.created_at, recordsets.updated_at, \
     recordsets.tenant_id, recordsets.zone_id, recordsets.name, recordsets.type, recordsets.ttl, \
     recordsets.description, zones.name AS zone_name \
     FROM recordsets JOIN zones ON recordsets.zone_id = zones.id";

/// Inserts a recordset and its records; `(zone, name, type)` taken →
/// `Duplicate(RecordSet)`, the same data twice → `Duplicate(Record)`.
pub async fn insert(conn: &mut MySqlConnection, rs: &mut RecordSet) -> Result<(), StorageError> {
    let missing = |column| StorageError::BadRow {
        column,
        detail: "not set".into(),
    };
    let id = rs.id.ok_or_else(|| missing("id"))?;
    let zone_id = rs.zone_id.ok_or_else(|| missing("zone_id"))?;
    sqlx::query(
        "INSERT INTO recordsets (id, version, created_at, zone_shard, tenant_id, zone_id, name, type, ttl, \
         description, reverse_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(db_id(&id))
    .bind(rs.version)
    .bind(rs.created_at)
    .bind(i32::from(ids::shard_of(&zone_id)))
    .bind(&rs.tenant_id)
    .bind(db_id(&zone_id))
    .bind(&rs.name)
    .bind(&rs.rr_type)
    .bind(rs.ttl)
    .bind(&rs.description)
    .bind(rows::reverse_name(&rs.name))
    .execute(&mut *conn)
    .await
    .map_err(|e| StorageError::or_duplicate(e, Resource::RecordSet))?;
    records::insert_all(conn, &mut rs.records).await
}

/// A recordset of a live zone, with its zone name and records.
pub async fn get(conn: &mut MySqlConnection, id: Uuid) -> Result<RecordSet, StorageError> {
    let mut found = load(conn, &[db_id(&id)]).await?;
    found
        .pop()
        .ok_or(StorageError::NotFound(Resource::RecordSet))
}

/// The zone's SOA recordset.
pub async fn soa_of(conn: &mut MySqlConnection, zone_id: Uuid) -> Result<RecordSet, StorageError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM recordsets WHERE zone_id = ? AND type = 'SOA' LIMIT 1")
            .bind(db_id(&zone_id))
            .fetch_optional(&mut *conn)
            .await?;
    let id = id.ok_or(StorageError::NotFound(Resource::RecordSet))?;
    load(conn, &[id])
        .await?
        .pop()
        .ok_or(StorageError::NotFound(Resource::RecordSet))
}

/// `(id, type)` of the recordsets of a zone named `name` (compared by the
/// database, so case-insensitively).
pub async fn named_in_zone(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    name: &str,
) -> Result<Vec<(Uuid, String)>, StorageError> {
    let found = sqlx::query("SELECT id, type FROM recordsets WHERE zone_id = ? AND name = ?")
        .bind(db_id(&zone_id))
        .bind(name)
        .fetch_all(conn)
        .await?;
    found
        .iter()
        .map(|r| Ok((rows::uuid(r, "id")?, rows::get(r, "type")?)))
        .collect()
}

/// The number of recordsets in a zone (the `zone_recordsets` quota).
pub async fn count_in_zone(conn: &mut MySqlConnection, zone_id: Uuid) -> Result<i64, StorageError> {
    let n = sqlx::query_scalar("SELECT COUNT(id) FROM recordsets WHERE zone_id = ?")
        .bind(db_id(&zone_id))
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// Saves a recordset's `ttl` and `description` (`version + 1`, new
/// `updated_at`) and reflects both in `rs`. Its records are saved apart.
pub async fn update(conn: &mut MySqlConnection, rs: &mut RecordSet) -> Result<(), StorageError> {
    let id = rs.id.ok_or(StorageError::NotFound(Resource::RecordSet))?;
    let now = delegate_model::time::now();
    let done = sqlx::query(
        "UPDATE recordsets SET ttl = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(rs.ttl)
    .bind(&rs.description)
    .bind(now)
    .bind(db_id(&id))
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound(Resource::RecordSet));
    }
    rs.version += 1;
    rs.updated_at = Some(now);
    Ok(())
}

/// Hard-deletes the given records of a recordset (those a PUT dropped).
pub async fn delete_records(
    conn: &mut MySqlConnection,
    recordset_id: Uuid,
    record_ids: &[Uuid],
) -> Result<(), StorageError> {
    if record_ids.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<MySql>::new("DELETE FROM records WHERE recordset_id = ");
    qb.push_bind(db_id(&recordset_id)).push(" AND id IN (");
    let mut list = qb.separated(", ");
    for id in record_ids {
        list.push_bind(db_id(id));
    }
    list.push_unseparated(")");
    qb.build().execute(conn).await?;
    Ok(())
}

/// Hard-deletes a recordset; its records go with it (FK cascade).
pub async fn delete(conn: &mut MySqlConnection, id: Uuid) -> Result<(), StorageError> {
    let done = sqlx::query("DELETE FROM recordsets WHERE id = ?")
        .bind(db_id(&id))
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound(Resource::RecordSet));
    }
    Ok(())
}

/// One page of recordsets of live zones matching `criterion`. In a
/// [`Scope::Project`] only the project's own recordsets are listed.
pub async fn find(
    conn: &mut MySqlConnection,
    scope: &Scope,
    criterion: &Map<String, Value>,
    page: &PageRequest,
) -> Result<Vec<RecordSet>, StorageError> {
    let page = Page::resolve(conn, "recordsets", SORTABLE, page).await?;
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT recordsets.id FROM recordsets JOIN zones ON recordsets.zone_id = zones.id WHERE zones.deleted = '0'",
    );
    push_filters(&mut qb, scope, criterion)?;
    page.push_after_marker(&mut qb, "recordsets");
    page.push_order_and_limit(&mut qb, "recordsets");
    let ids: Vec<String> = qb.build_query_scalar().fetch_all(&mut *conn).await?;
    let mut by_id: HashMap<String, RecordSet> = load(conn, &ids)
        .await?
        .into_iter()
        .filter_map(|rs| rs.id.map(|id| (db_id(&id), rs)))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// How many recordsets [`find`] would list without paging.
pub async fn count(
    conn: &mut MySqlConnection,
    scope: &Scope,
    criterion: &Map<String, Value>,
) -> Result<u64, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT COUNT(recordsets.id) FROM recordsets JOIN zones ON recordsets.zone_id = zones.id \
         WHERE zones.deleted = '0'",
    );
    push_filters(&mut qb, scope, criterion)?;
    let n: i64 = qb.build_query_scalar().fetch_one(conn).await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

fn push_filters(
    qb: &mut QueryBuilder<MySql>,
    scope: &Scope,
    criterion: &Map<String, Value>,
) -> Result<(), StorageError> {
    criteria::push_conditions(qb, COLUMNS, criterion, RECORD_KEYS)?;
    let on_records: Map<String, Value> = criterion
        .iter()
        .filter(|(k, _)| RECORD_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !on_records.is_empty() {
        // EXISTS rather than a join: a recordset is listed once however many
        // of its records match.
        qb.push(" AND EXISTS(SELECT 1 FROM records WHERE records.recordset_id = recordsets.id");
        criteria::push_conditions(qb, RECORD_COLUMNS, &on_records, &[])?;
        qb.push(")");
    }
    if let Scope::Project(project) = scope {
        qb.push(" AND recordsets.tenant_id = ")
            .push_bind(project.clone());
    }
    Ok(())
}

/// Recordsets (32-hex ids) of live zones with their records, in no order.
async fn load(conn: &mut MySqlConnection, ids: &[String]) -> Result<Vec<RecordSet>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(SELECT);
    qb.push(" WHERE zones.deleted = '0' AND recordsets.id IN (");
    push_list(&mut qb, ids);
    let found = qb.build().fetch_all(&mut *conn).await?;
    let mut sets = found.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let mut records = records::of_recordsets(conn, ids).await?;
    for rs in &mut sets {
        if let Some(id) = rs.id {
            rs.records = records.remove(&id).unwrap_or_default();
        }
    }
    Ok(sets)
}

fn from_row(row: &MySqlRow) -> Result<RecordSet, StorageError> {
    Ok(RecordSet {
        id: Some(rows::uuid(row, "id")?),
        version: rows::get(row, "version")?,
        created_at: rows::get(row, "created_at")?,
        updated_at: rows::get(row, "updated_at")?,
        tenant_id: rows::get(row, "tenant_id")?,
        zone_id: rows::opt_uuid(row, "zone_id")?,
        zone_name: Some(rows::get(row, "zone_name")?),
        name: rows::get(row, "name")?,
        rr_type: rows::get(row, "type")?,
        ttl: rows::get(row, "ttl")?,
        description: rows::get(row, "description")?,
        records: Vec::new(),
    })
}
