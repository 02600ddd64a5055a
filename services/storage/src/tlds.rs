//! Top-level domains (spec/storage.md §2.8): when any exist, zones must end in one.

use sqlx::{MySql, MySqlConnection, QueryBuilder};

use crate::criteria::push_list;
use crate::error::StorageError;

/// True if at least one TLD is configured.
pub async fn any(conn: &mut MySqlConnection) -> Result<bool, StorageError> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM tlds LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// The stored TLD names among `candidates`, as stored (the database compares
/// case-insensitively; callers compare the result case-sensitively).
pub async fn matching(
    conn: &mut MySqlConnection,
    candidates: &[String],
) -> Result<Vec<String>, StorageError> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new("SELECT name FROM tlds WHERE name IN (");
    push_list(&mut qb, candidates);
    Ok(qb.build_query_scalar().fetch_all(conn).await?)
}
