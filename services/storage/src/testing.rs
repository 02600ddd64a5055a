//! Throw-away databases for integration tests: each test gets a database
//! `delegate_test_<random hex>` on the local MariaDB, migrated, and dropped
//! when the [`TestDatabase`] goes out of scope (also when the test panics).
//!
//! The server is `DELEGATE_TEST_MYSQL` (default `mysql://root@127.0.0.1:3306`).

use sqlx::{Connection, Executor, MySqlConnection};

use crate::db::Storage;
use crate::error::StorageError;

/// A database that exists for one test.
pub struct TestDatabase {
    server: String,
    name: String,
    storage: Storage,
}

impl TestDatabase {
    /// Creates and migrates a fresh database.
    pub async fn create() -> Result<TestDatabase, StorageError> {
        let db = Self::create_empty().await?;
        db.storage.migrate().await?;
        Ok(db)
    }

    /// Creates a fresh database without running the migrations.
    pub async fn create_empty() -> Result<TestDatabase, StorageError> {
        let server = std::env::var("DELEGATE_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
        let name = format!("delegate_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = MySqlConnection::connect(&server).await?;
        conn.execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"
        )))
        .await?;
        conn.close().await?;
        let storage = Storage::connect(&format!("{server}/{name}")).await?;
        Ok(TestDatabase {
            server,
            name,
            storage,
        })
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The database's URL (for starting binaries against it).
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop may run inside an async test: use a runtime of our own, on a
        // thread of our own, and wait for it.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async move {
                let mut conn = MySqlConnection::connect(&server).await?;
                // The pool's connections may still hold a transaction whose
                // rollback was never flushed (the test's runtime is blocked
                // here): end them, or DROP waits for their metadata locks.
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
                )
                .bind(&name)
                .fetch_all(&mut conn)
                .await?;
                for id in ids {
                    let _ = conn.execute(sqlx::AssertSqlSafe(format!("KILL {id}"))).await;
                }
                conn.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                    .await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
            .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}
