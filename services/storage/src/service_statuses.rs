//! Service heartbeats (spec/storage.md §2.15, spec/services.md §9).

use delegate_model::{ServiceStatus, ids, time};
use serde_json::{Map, Value};
use sqlx::{MySql, MySqlConnection, QueryBuilder};
use uuid::Uuid;

use crate::criteria::{self, Column};
use crate::error::StorageError;
use crate::rows::{self, db_id};

/// The columns a criterion may name.
const COLUMNS: &[Column] = &[
    Column::uuid("id", "id"),
    Column::plain("service_name", "service_name"),
    Column::plain("hostname", "hostname"),
    Column::plain("status", "status"),
    Column::plain("heartbeated_at", "heartbeated_at"),
];

/// The statuses the `status` column accepts.
pub const STATUSES: &[&str] = &["UP", "DOWN", "WARNING", "STOPPED"];

/// Inserts or updates the row of `(service_name, hostname)`. A heartbeat older
/// than the stored one (delivered late) does not overwrite it.
pub async fn upsert(
    conn: &mut MySqlConnection,
    status: &ServiceStatus,
) -> Result<(), StorageError> {
    let now = time::now();
    let heartbeat = status.heartbeated_at.unwrap_or(now);
    sqlx::query(
        "INSERT INTO service_statuses (id, created_at, service_name, hostname, heartbeated_at, status, stats, \
         capabilities) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE \
         status = IF(heartbeated_at IS NULL OR VALUES(heartbeated_at) >= heartbeated_at, VALUES(status), status), \
         stats = IF(heartbeated_at IS NULL OR VALUES(heartbeated_at) >= heartbeated_at, VALUES(stats), stats), \
         capabilities = IF(heartbeated_at IS NULL OR VALUES(heartbeated_at) >= heartbeated_at, \
                           VALUES(capabilities), capabilities), \
         updated_at = VALUES(created_at), \
         heartbeated_at = GREATEST(COALESCE(heartbeated_at, VALUES(heartbeated_at)), VALUES(heartbeated_at))",
    )
    .bind(db_id(&status.id.unwrap_or_else(ids::new_id)))
    .bind(now)
    .bind(&status.service_name)
    .bind(&status.hostname)
    .bind(heartbeat)
    .bind(&status.status)
    .bind(json_object_text(&status.stats))
    .bind(json_object_text(&status.capabilities))
    .execute(conn)
    .await?;
    Ok(())
}

/// Every row, by service then host (for tools and tests).
pub async fn list(conn: &mut MySqlConnection) -> Result<Vec<ServiceStatus>, StorageError> {
    find(conn, &Map::new()).await
}

/// The rows matching `criterion` (spec/storage.md §3.1), by service then host.
pub async fn find(
    conn: &mut MySqlConnection,
    criterion: &Map<String, Value>,
) -> Result<Vec<ServiceStatus>, StorageError> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, created_at, updated_at, service_name, hostname, heartbeated_at, status, stats, capabilities \
         FROM service_statuses WHERE 1 = 1",
    );
    criteria::push_conditions(&mut qb, COLUMNS, criterion, &[])?;
    qb.push(" ORDER BY service_name, hostname");
    let found = qb.build().fetch_all(conn).await?;
    found
        .iter()
        .map(|row| {
            let status: Option<String> = rows::get(row, "status")?;
            Ok(ServiceStatus {
                id: Some(rows::uuid(row, "id")?),
                created_at: rows::get(row, "created_at")?,
                updated_at: rows::get(row, "updated_at")?,
                service_name: rows::get(row, "service_name")?,
                hostname: rows::get(row, "hostname")?,
                heartbeated_at: rows::get(row, "heartbeated_at")?,
                status: status.unwrap_or_default(),
                stats: json_column(rows::get(row, "stats")?),
                capabilities: json_column(rows::get(row, "capabilities")?),
            })
        })
        .collect()
}

/// Deletes one row; false if it was already gone.
pub async fn delete(conn: &mut MySqlConnection, id: Uuid) -> Result<bool, StorageError> {
    let done = sqlx::query("DELETE FROM service_statuses WHERE id = ?")
        .bind(db_id(&id))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The JSON object text stored in `stats`/`capabilities` (`{}` when unset).
fn json_object_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(_) => value.to_string(),
        _ => "{}".to_owned(),
    }
}

fn json_column(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({}))
}
