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
