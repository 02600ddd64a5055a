//! Records (spec/storage.md §2.6, §3.6): rdata rows of a recordset, each with
//! its own status/action and the zone serial that carries it.

use std::collections::HashMap;

use delegate_model::{Action, Record, Status, ids, time};
use md5::{Digest, Md5};
use sqlx::mysql::MySqlRow;
use sqlx::{MySql, MySqlConnection, QueryBuilder};
use uuid::Uuid;

use crate::criteria::push_list;
use crate::error::{Resource, StorageError};
use crate::rows::{self, db_id};

pub(crate) const SELECT: &str = "SELECT records.id, records.version, records.created_at, records.updated_at, \
     records.tenant_id, records.zone_id, records.recordset_id, records.data, records.description, \
     records.hash, records.managed, records.managed_extra, records.managed_plugin_type, \
     records.managed_plugin_name, records.managed_resource_type, records.managed_resource_region, \
     records.managed_resource_id, records.managed_tenant_id, records.status, records.action, records.serial \
     FROM records";

/// `md5_hex("<recordset id, hyphenated>:<data>")`: unique per table, so the
/// same data cannot appear twice in a recordset (spec/storage.md §1).
pub fn record_hash(recordset_id: &Uuid, data: &str) -> String {
    let digest = Md5::digest(format!("{}:{data}", recordset_id.hyphenated()).as_bytes());
    hex::encode(digest)
}

/// Rows per multi-row INSERT: 21 placeholders a row stays far below MySQL's
/// 65,535 placeholders a statement.
const INSERT_CHUNK: usize = 1000;

/// Inserts records (each `hash` is computed here), one multi-row INSERT per
/// [`INSERT_CHUNK`] records; same data twice in one recordset →
/// `Duplicate(Record)`.
pub async fn insert_all(
    conn: &mut MySqlConnection,
    records: &mut [Record],
) -> Result<(), StorageError> {
    let mut rows = Vec::with_capacity(records.len());
    for record in records.iter_mut() {
        let (id, rs_id, zone_id) = ids_of(record)?;
        record.hash = Some(record_hash(&rs_id, &record.data));
        rows.push((id, rs_id, zone_id, &*record));
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut qb = QueryBuilder::<MySql>::new(
            "INSERT INTO records (id, version, created_at, zone_shard, tenant_id, zone_id, recordset_id, data, \
             description, hash, managed, managed_extra, managed_plugin_type, managed_plugin_name, \
             managed_resource_type, managed_resource_region, managed_resource_id, managed_tenant_id, status, \
             action, serial) ",
        );
        qb.push_values(chunk, |mut b, (id, rs_id, zone_id, record)| {
            b.push_bind(db_id(id))
                .push_bind(record.version)
                .push_bind(record.created_at)
                .push_bind(i32::from(ids::shard_of(zone_id)))
                .push_bind(record.tenant_id.clone())
                .push_bind(db_id(zone_id))
                .push_bind(db_id(rs_id))
                .push_bind(record.data.clone())
                .push_bind(record.description.clone())
                .push_bind(record.hash.clone())
                .push_bind(record.managed)
                .push_bind(record.managed_extra.clone())
                .push_bind(record.managed_plugin_type.clone())
                .push_bind(record.managed_plugin_name.clone())
                .push_bind(record.managed_resource_type.clone())
                .push_bind(record.managed_resource_region.clone())
                .push_bind(
                    record
                        .managed_resource_id
                        .as_deref()
                        .map(crate::managed::resource_id_to_db),
                )
                .push_bind(record.managed_tenant_id.clone())
                .push_bind(record.status.as_str())
                .push_bind(record.action.as_str())
                .push_bind(record.serial);
        });
        qb.build()
            .execute(&mut *conn)
            .await
            .map_err(|e| StorageError::or_duplicate(e, Resource::Record))?;
    }
    Ok(())
}

/// Saves a record's data, status, action and serial (hash recomputed,
/// `version + 1`, new `updated_at`) and reflects them in `record`.
pub async fn update(conn: &mut MySqlConnection, record: &mut Record) -> Result<(), StorageError> {
    let (id, rs_id, _) = ids_of(record)?;
    let hash = record_hash(&rs_id, &record.data);
    let now = time::now();
    let done = sqlx::query(
        "UPDATE records SET data = ?, hash = ?, description = ?, status = ?, action = ?, serial = ?, \
         version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(&record.data)
    .bind(&hash)
    .bind(&record.description)
    .bind(record.status.as_str())
    .bind(record.action.as_str())
    .bind(record.serial)
    .bind(now)
    .bind(db_id(&id))
    .execute(conn)
    .await
    .map_err(|e| StorageError::or_duplicate(e, Resource::Record))?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound(Resource::Record));
    }
    record.hash = Some(hash);
    record.version += 1;
    record.updated_at = Some(now);
    Ok(())
}

fn ids_of(record: &Record) -> Result<(Uuid, Uuid, Uuid), StorageError> {
    let missing = |column| StorageError::BadRow {
        column,
        detail: "not set".into(),
    };
    Ok((
        record.id.ok_or_else(|| missing("id"))?,
        record.recordset_id.ok_or_else(|| missing("recordset_id"))?,
        record.zone_id.ok_or_else(|| missing("zone_id"))?,
    ))
}

/// The records of the given recordsets (32-hex ids), by recordset, each list
/// in storage order (`created_at`, `id`).
pub(crate) async fn of_recordsets(
    conn: &mut MySqlConnection,
    recordset_ids: &[String],
) -> Result<HashMap<Uuid, Vec<Record>>, StorageError> {
    let mut by_set: HashMap<Uuid, Vec<Record>> = HashMap::new();
    if recordset_ids.is_empty() {
        return Ok(by_set);
    }
    let mut qb = QueryBuilder::<MySql>::new(SELECT);
    qb.push(" WHERE records.recordset_id IN (");
    push_list(&mut qb, recordset_ids);
    qb.push(" ORDER BY records.created_at, records.id");
    for row in qb.build().fetch_all(conn).await? {
        let record = from_row(&row)?;
        if let Some(rs) = record.recordset_id {
            by_set.entry(rs).or_default().push(record);
        }
    }
    Ok(by_set)
}

/// Records of a zone not created by Delegate itself (the `zone_records` quota).
pub async fn count_unmanaged_in_zone(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
) -> Result<i64, StorageError> {
    let n = sqlx::query_scalar(
        "SELECT COUNT(id) FROM records WHERE zone_id = ? AND (managed IS NULL OR managed = 0)",
    )
    .bind(db_id(&zone_id))
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// A worker confirmed `serial`: pending or failed changes carried by it are
/// done — CREATE/UPDATE → NONE/ACTIVE, DELETE → NONE/DELETED.
pub async fn confirm(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    serial: i64,
) -> Result<u64, StorageError> {
    // MySQL evaluates SET assignments left to right: `status` reads the old action.
    let done = sqlx::query(
        "UPDATE records SET status = IF(action = 'DELETE', 'DELETED', 'ACTIVE'), action = 'NONE', \
         version = version + 1, updated_at = ? WHERE zone_id = ? AND status IN ('PENDING', 'ERROR') \
         AND action <> 'NONE' AND serial <= ?",
    )
    .bind(time::now())
    .bind(db_id(&zone_id))
    .bind(serial)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Pending records (all, or those carried by serials up to `up_to`) → ERROR.
pub async fn fail_pending(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    up_to: Option<i64>,
) -> Result<u64, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(
        "UPDATE records SET status = 'ERROR', version = version + 1, updated_at = ",
    );
    qb.push_bind(time::now());
    qb.push(" WHERE zone_id = ")
        .push_bind(db_id(&zone_id))
        .push(" AND status = 'PENDING'");
    if let Some(serial) = up_to {
        qb.push(" AND serial <= ").push_bind(serial);
    }
    Ok(qb.build().execute(conn).await?.rows_affected())
}

/// The nameservers do not have the zone: records being created or updated
/// failed (CREATE/ERROR), records being deleted are gone (NONE/DELETED).
pub async fn fail_missing_zone(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "UPDATE records SET status = IF(action = 'DELETE', 'DELETED', 'ERROR'), \
         action = IF(action = 'DELETE', 'NONE', 'CREATE'), version = version + 1, updated_at = ? \
         WHERE zone_id = ? AND action <> 'NONE'",
    )
    .bind(time::now())
    .bind(db_id(&zone_id))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub(crate) fn from_row(row: &MySqlRow) -> Result<Record, StorageError> {
    Ok(Record {
        id: Some(rows::uuid(row, "id")?),
        version: rows::get(row, "version")?,
        created_at: rows::get(row, "created_at")?,
        updated_at: rows::get(row, "updated_at")?,
        tenant_id: rows::get(row, "tenant_id")?,
        zone_id: rows::opt_uuid(row, "zone_id")?,
        recordset_id: Some(rows::uuid(row, "recordset_id")?),
        data: rows::get(row, "data")?,
        description: rows::get(row, "description")?,
        hash: Some(rows::get(row, "hash")?),
        managed: rows::flag(row, "managed")?,
        managed_extra: rows::get(row, "managed_extra")?,
        managed_plugin_type: rows::get(row, "managed_plugin_type")?,
        managed_plugin_name: rows::get(row, "managed_plugin_name")?,
        managed_resource_type: rows::get(row, "managed_resource_type")?,
        managed_resource_region: rows::get(row, "managed_resource_region")?,
        managed_resource_id: rows::get::<Option<String>>(row, "managed_resource_id")?
            .map(crate::managed::resource_id_from_db),
        managed_tenant_id: rows::get(row, "managed_tenant_id")?,
        status: rows::enumerated(row, "status", Status::parse)?,
        action: rows::enumerated(row, "action", Action::parse)?,
        serial: rows::get(row, "serial")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_md5_of_hyphenated_id_and_data() {
        let id = Uuid::parse_str("794ccc2c-d751-44fe-b57f-8894c9f5c842").unwrap_or_default();
        // python3 -c 'import hashlib; print(hashlib.md5(b"794ccc2c-d751-44fe-b57f-8894c9f5c842:192.0.2.1").hexdigest())'
        assert_eq!(
            record_hash(&id, "192.0.2.1"),
            "f374f5d50b2559270d6264a0d2411cfb"
        );
    }
}
