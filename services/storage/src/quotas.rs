//! Per-project quota overrides (spec/storage.md §2.7, spec/domain-rules.md §8.1).

use sqlx::MySqlConnection;

use crate::error::StorageError;

/// The project's stored limit for `resource`, if one was set.
pub async fn hard_limit(
    conn: &mut MySqlConnection,
    tenant: &str,
    resource: &str,
) -> Result<Option<i64>, StorageError> {
    let limit: Option<i32> =
        sqlx::query_scalar("SELECT hard_limit FROM quotas WHERE tenant_id = ? AND resource = ?")
            .bind(tenant)
            .bind(resource)
            .fetch_optional(conn)
            .await?;
    Ok(limit.map(i64::from))
}

/// Every override stored for a project, `(resource, hard_limit)`.
pub async fn overrides(
    conn: &mut MySqlConnection,
    tenant: &str,
) -> Result<Vec<(String, i64)>, StorageError> {
    let rows: Vec<(String, i32)> =
        sqlx::query_as("SELECT resource, hard_limit FROM quotas WHERE tenant_id = ?")
            .bind(tenant)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(r, l)| (r, i64::from(l))).collect())
}

/// Stores (or replaces) a project's limit for `resource`.
pub async fn set(
    conn: &mut MySqlConnection,
    tenant: &str,
    resource: &str,
    hard_limit: i32,
) -> Result<(), StorageError> {
    let now = delegate_model::time::now();
    sqlx::query(
        "INSERT INTO quotas (id, version, created_at, tenant_id, resource, hard_limit) \
         VALUES (?, 1, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE hard_limit = VALUES(hard_limit), \
         version = version + 1, updated_at = VALUES(created_at)",
    )
    .bind(delegate_model::ids::to_db(&delegate_model::ids::new_id()))
    .bind(now)
    .bind(tenant)
    .bind(resource)
    .bind(hard_limit)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes every override of a project; returns how many there were.
pub async fn reset(conn: &mut MySqlConnection, tenant: &str) -> Result<u64, StorageError> {
    let done = sqlx::query("DELETE FROM quotas WHERE tenant_id = ?")
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
