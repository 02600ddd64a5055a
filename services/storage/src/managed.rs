//! Managed records (spec/domain-rules.md §3.4): the queries behind central's
//! `create_managed_records` / `delete_managed_records` (the sink's records).
//!
//! `managed_resource_id` is a `CHAR(32)` id column: stored as 32 hex digits,
//! read back hyphenated, like every other id.

use delegate_model::{Record, ids, time};
use serde_json::{Map, Value};
use sqlx::{MySql, MySqlConnection, QueryBuilder};
use uuid::Uuid;

use crate::criteria::{self, Column, push_list};
use crate::error::StorageError;
use crate::records;
use crate::rows::db_id;

/// Record columns a managed-records criterion may name.
const COLUMNS: &[Column] = &[
    Column::uuid("id", "records.id"),
    Column::uuid("zone_id", "records.zone_id"),
    Column::uuid("recordset_id", "records.recordset_id"),
    Column::plain("tenant_id", "records.tenant_id"),
    Column::plain("data", "records.data"),
    Column::plain("managed", "records.managed"),
    Column::plain("managed_extra", "records.managed_extra"),
    Column::plain("managed_plugin_type", "records.managed_plugin_type"),
    Column::plain("managed_plugin_name", "records.managed_plugin_name"),
    Column::plain("managed_resource_type", "records.managed_resource_type"),
    Column::plain("managed_resource_region", "records.managed_resource_region"),
    Column::uuid("managed_resource_id", "records.managed_resource_id"),
    Column::plain("managed_tenant_id", "records.managed_tenant_id"),
];

/// The storage form of a managed resource id: 32 hex digits when it is a
/// UUID, else as given (the database refuses what does not fit).
pub(crate) fn resource_id_to_db(id: &str) -> String {
    ids::parse_uuid(id).map_or_else(|| id.to_owned(), |u| ids::to_db(&u))
}

/// A stored managed resource id, hyphenated when it is a UUID.
pub(crate) fn resource_id_from_db(id: String) -> String {
    ids::parse_uuid(&id).map_or(id, |u| u.hyphenated().to_string())
}

/// The records matching `criterion` (keys of [`COLUMNS`], storage operators),
/// in storage order.
pub async fn find_records(
    conn: &mut MySqlConnection,
    criterion: &Map<String, Value>,
) -> Result<Vec<Record>, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(records::SELECT);
    qb.push(" WHERE TRUE");
    criteria::push_conditions(&mut qb, COLUMNS, criterion, &[])?;
    qb.push(" ORDER BY records.created_at, records.id");
    let rows = qb.build().fetch_all(conn).await?;
    rows.iter().map(records::from_row).collect()
}

/// Deletes records by id; returns how many went.
pub async fn delete_records(
    conn: &mut MySqlConnection,
    record_ids: &[Uuid],
) -> Result<u64, StorageError> {
    if record_ids.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = record_ids.iter().map(db_id).collect();
    let mut qb = QueryBuilder::<MySql>::new("DELETE FROM records WHERE id IN (");
    push_list(&mut qb, &ids);
    Ok(qb.build().execute(conn).await?.rows_affected())
}

/// Deletes those of `recordset_ids` that have no record left; returns how many.
pub async fn delete_empty_recordsets(
    conn: &mut MySqlConnection,
    recordset_ids: &[Uuid],
) -> Result<u64, StorageError> {
    if recordset_ids.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = recordset_ids.iter().map(db_id).collect();
    let mut qb = QueryBuilder::<MySql>::new(
        "DELETE FROM recordsets WHERE NOT EXISTS \
         (SELECT 1 FROM records WHERE records.recordset_id = recordsets.id) AND recordsets.id IN (",
    );
    push_list(&mut qb, &ids);
    Ok(qb.build().execute(conn).await?.rows_affected())
}

/// Replaces every record of an existing recordset by `new` (ids, serial and
/// status set by the caller) and saves its `ttl` (`version + 1`, new
/// `updated_at`).
pub async fn replace_records(
    conn: &mut MySqlConnection,
    recordset_id: Uuid,
    ttl: Option<i32>,
    new: &mut [Record],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM records WHERE recordset_id = ?")
        .bind(db_id(&recordset_id))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE recordsets SET ttl = ?, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(ttl)
    .bind(time::now())
    .bind(db_id(&recordset_id))
    .execute(&mut *conn)
    .await?;
    records::insert_all(conn, new).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_are_stored_as_32_hex_and_read_back_hyphenated() {
        let id = "6d1c9e0e-1234-4000-8000-00000000abcd";
        let db = resource_id_to_db(id);
        assert_eq!(db, "6d1c9e0e12344000800000000000abcd");
        assert_eq!(resource_id_from_db(db), id);
        assert_eq!(resource_id_to_db("not-a-uuid"), "not-a-uuid");
        assert_eq!(resource_id_from_db("not-a-uuid".into()), "not-a-uuid");
    }
}
