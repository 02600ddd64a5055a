//! Schema migrations: `migrations/` at the repository root, embedded at build
//! time. A database that Designate created (alembic at head, no sqlx
//! bookkeeping) is adopted: the baseline migration, which reproduces exactly
//! that schema, is recorded as applied instead of being run.

use sqlx::migrate::Migrator;
use sqlx::{MySqlConnection, MySqlPool};

use crate::db::Storage;
use crate::error::StorageError;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// The migration that reproduces Designate's schema at alembic head.
const BASELINE_VERSION: i64 = 1;
/// Designate's alembic head (spec/storage.md).
const DESIGNATE_HEAD: &str = "f49c4409c8ba";

/// What [`Storage::migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The database was Designate's: the baseline was recorded, not run.
    pub adopted_designate_schema: bool,
    /// Versions applied (or recorded) by this run, in order.
    pub applied: Vec<i64>,
}

impl Storage {
    /// Brings the schema up to date; running it again changes nothing.
    pub async fn migrate(&self) -> Result<MigrationReport, StorageError> {
        let pool = self.pool();
        let before = applied_versions(pool).await?;
        let adopted = before.is_empty() && adopt_designate_schema(pool).await?;
        MIGRATOR.run(pool).await?;
        let after = applied_versions(pool).await?;
        let applied = after.into_iter().filter(|v| !before.contains(v)).collect();
        Ok(MigrationReport {
            adopted_designate_schema: adopted,
            applied,
        })
    }
}

/// Records the baseline as applied when the database holds Designate's schema
/// at head and no sqlx bookkeeping. Refuses any other alembic revision: that
/// database must first be upgraded by Designate itself.
async fn adopt_designate_schema(pool: &MySqlPool) -> Result<bool, StorageError> {
    let mut conn = pool.acquire().await?;
    if has_table(&mut conn, "_sqlx_migrations").await?
        || !has_table(&mut conn, "alembic_version").await?
    {
        return Ok(false);
    }
    let revisions: Vec<String> = sqlx::query_scalar("SELECT version_num FROM alembic_version")
        .fetch_all(&mut *conn)
        .await?;
    if revisions.iter().any(|r| r == DESIGNATE_HEAD) {
        drop(conn);
        MIGRATOR.skip(pool, Some(BASELINE_VERSION)).await?;
        tracing::info!("adopted an existing Designate database (alembic {DESIGNATE_HEAD})");
        return Ok(true);
    }
    Err(StorageError::UnsupportedSchema(format!(
        "alembic revision {revisions:?}; upgrade it to {DESIGNATE_HEAD} with `designate-manage database sync` first"
    )))
}

async fn has_table(conn: &mut MySqlConnection, name: &str) -> Result<bool, StorageError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

async fn applied_versions(pool: &MySqlPool) -> Result<Vec<i64>, StorageError> {
    let mut conn = pool.acquire().await?;
    if !has_table(&mut conn, "_sqlx_migrations").await? {
        return Ok(Vec::new());
    }
    let versions =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    Ok(versions)
}
