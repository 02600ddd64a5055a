//! The connection pool, and the `[storage:sqlalchemy] connection` URL.

use std::str::FromStr;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{Executor, MySql, MySqlPool, Transaction};

use crate::error::StorageError;

/// A transaction on the Delegate database.
pub type Tx = Transaction<'static, MySql>;

/// The database: a pool of MySQL connections.
#[derive(Clone, Debug)]
pub struct Storage {
    pool: MySqlPool,
}

impl Storage {
    /// Connects to `url`, which may be written as in designate.conf
    /// (`mysql+pymysql://user:pw@host/designate?charset=utf8`) or as sqlx expects
    /// (`mysql://…`).
    pub async fn connect(url: &str) -> Result<Storage, StorageError> {
        let options = MySqlConnectOptions::from_str(&sqlx_url(url)?)
            .map_err(|e| StorageError::InvalidUrl(e.to_string()))?;
        let pool = MySqlPoolOptions::new()
            .max_connections(20)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // oslo.db's strict mode (over-long values are errors, not
                    // truncations), keeping what sqlx itself relies on. READ
                    // COMMITTED: reads after a zone row lock see every change
                    // committed before the lock was granted.
                    conn.execute(
                        "SET SESSION sql_mode = 'TRADITIONAL,NO_ENGINE_SUBSTITUTION,PIPES_AS_CONCAT'",
                    )
                    .await?;
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
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

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(self.pool.begin().await?)
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Turns an SQLAlchemy URL into one sqlx accepts: the `+driver` suffix of the
/// scheme goes, and so does `charset` (the tables' charset is fixed by the
/// schema; sqlx talks utf8mb4 to the server, which converts).
fn sqlx_url(url: &str) -> Result<String, StorageError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| StorageError::InvalidUrl("expected mysql://user:password@host/database".into()))?;
    let base = scheme.split('+').next().unwrap_or(scheme);
    if base != "mysql" && base != "mariadb" {
        return Err(StorageError::InvalidUrl(format!(
            "unsupported database scheme {scheme:?} (MySQL or MariaDB only)"
        )));
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("charset"))
        .collect();
    Ok(if kept.is_empty() {
        format!("mysql://{path}")
    } else {
        format!("mysql://{path}?{}", kept.join("&"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_designate_urls() {
        let url = sqlx_url("mysql+pymysql://designate:pw@db:3306/designate?charset=utf8").expect("url");
        assert_eq!(url, "mysql://designate:pw@db:3306/designate");
        let url = sqlx_url("mysql://u@h/d?charset=utf8&ssl-mode=REQUIRED").expect("url");
        assert_eq!(url, "mysql://u@h/d?ssl-mode=REQUIRED");
        assert!(sqlx_url("postgresql://h/d").is_err());
        assert!(sqlx_url("not a url").is_err());
    }
}
