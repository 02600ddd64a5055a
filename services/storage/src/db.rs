//! The connection pool.

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Executor, MySql, MySqlPool, Transaction};

use crate::error::StorageError;

/// A transaction on the Delegate database.
pub type Tx = Transaction<'static, MySql>;

/// How long a connection may sit idle before it is closed. oslo.db closes
/// overflow connections as soon as they are returned; a few seconds keep a
/// burst from reconnecting per query while giving the server its
/// connections back right after it. (sqlx would reopen any connection kept
/// under `min_connections` every time it reaps it, so none is kept: a busy
/// service keeps what it uses, an idle one reconnects in about a millisecond.)
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How to connect (the `[storage:sqlalchemy]` options that apply to sqlx),
/// shaped like oslo.db's pool: connections are opened as needed, up to
/// `max_connections`, and closed after [`IDLE_TIMEOUT`] unused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageOptions {
    /// Connections open at most (oslo.db's `max_pool_size + max_overflow`).
    pub max_connections: u32,
    /// How long a query waits for a free connection (`pool_timeout`).
    pub acquire_timeout: Duration,
    /// A connection is replaced after this long (`connection_recycle_time`).
    pub max_lifetime: Duration,
    /// The session `sql_mode` (oslo.db's `mysql_sql_mode`).
    pub sql_mode: String,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            max_connections: 20,
            acquire_timeout: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(3600),
            sql_mode: "TRADITIONAL".into(),
        }
    }
}

/// The database: a pool of MySQL connections.
#[derive(Clone, Debug)]
pub struct Storage {
    pool: MySqlPool,
}

impl Storage {
    /// Connects to a sqlx MySQL URL (`mysql://user:pw@host:3306/designate`;
    /// delegate-config converts designate.conf's SQLAlchemy URL) with the
    /// default options.
    pub async fn connect(url: &str) -> Result<Storage, StorageError> {
        Storage::connect_with(url, &StorageOptions::default()).await
    }

    /// Connects with explicit options.
    pub async fn connect_with(
        url: &str,
        options: &StorageOptions,
    ) -> Result<Storage, StorageError> {
        let connect = MySqlConnectOptions::from_str(url)
            .map_err(|e| StorageError::InvalidUrl(e.to_string()))?;
        let sql_mode = options.sql_mode.clone();
        let max = options.max_connections.max(1);
        let pool = MySqlPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .idle_timeout(IDLE_TIMEOUT)
            // No ping before each use: under load the pings were 40 % of the
            // server's commands (Com_admin_commands). A connection that died
            // idle fails its first statement instead, which is a transient
            // connection failure that `retry` and the bus retry.
            .test_before_acquire(false)
            .max_lifetime(options.max_lifetime)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let sql_mode = sql_mode.clone();
                Box::pin(async move {
                    // Strict mode (over-long values are errors, not truncations),
                    // keeping the modes sqlx itself relies on.
                    sqlx::query("SET SESSION sql_mode = CONCAT(?, ',NO_ENGINE_SUBSTITUTION,PIPES_AS_CONCAT')")
                        .bind(sql_mode)
                        .execute(&mut *conn)
                        .await?;
                    // Reads after a zone row lock must see every change committed
                    // before the lock was granted, not an older snapshot.
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED").await?;
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        Ok(Storage { pool })
    }

    /// Wraps an existing pool.
    pub fn from_pool(pool: MySqlPool) -> Storage {
        Storage { pool }
    }

    /// The pool, for reads that need no transaction.
    pub fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// A connection from the pool, for reads outside a transaction.
    pub async fn acquire(&self) -> Result<PoolConnection<MySql>, StorageError> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(self.pool.begin().await?)
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits `tx`. A connection that fails during the COMMIT leaves its outcome
/// unknown: that is [`StorageError::CommitUnknown`], which callers see as
/// transient but which is not re-run in place.
pub async fn commit(tx: Tx) -> Result<(), StorageError> {
    tx.commit()
        .await
        .map_err(|e| StorageError::Database(e).at_commit())
}
