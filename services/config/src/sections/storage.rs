//! `[storage:sqlalchemy]`: the database URL and oslo.db's pool options.

use std::time::Duration;

use url::Url;

use crate::error::ConfigError;
use crate::raw::{Opt, RawConfig};
use crate::secret::Secret;

const SECTION: &str = "storage:sqlalchemy";

/// Query parameters that sqlx's MySQL driver understands; passed through.
const SQLX_PARAMS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslca",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "socket",
    "timezone",
    "time-zone",
    "collation",
];

/// `[storage:sqlalchemy]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    /// `connection` as written (usually a SQLAlchemy URL).
    pub connection: Option<Secret>,
    /// The same database as a sqlx URL (see [`sqlx_url`]).
    pub url: Option<Secret>,
    /// Parameters of `connection` that have no sqlx equivalent and were dropped
    /// (`charset` is dropped silently: sqlx always talks utf8mb4).
    pub ignored_url_params: Vec<String>,
    pub max_pool_size: u32,
    pub max_overflow: u32,
    pub pool_timeout: Option<Duration>,
    /// Legacy name `idle_timeout`.
    pub connection_recycle_time: Duration,
    /// Connection attempts at start-up; `None` (written `-1`) retries forever.
    pub max_retries: Option<u32>,
    pub retry_interval: Duration,
    pub mysql_sql_mode: String,
}

impl Storage {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section(SECTION);
        // An empty value means unset, as for every string option.
        let connection = s.value("connection")?.filter(|v| !v.value.is_empty());
        let converted = match &connection {
            Some(raw) => {
                Some(sqlx_url(&raw.value).map_err(|expected| raw.invalid_secret(expected))?)
            }
            None => None,
        };
        let (url, ignored_url_params) = match converted {
            Some(SqlxUrl {
                url,
                ignored_params,
            }) => (Some(Secret::new(url)), ignored_params),
            None => (None, Vec::new()),
        };
        Ok(Storage {
            connection: connection.map(|raw| Secret::new(raw.value)),
            url,
            ignored_url_params,
            max_pool_size: s.uint("max_pool_size", 5)?,
            max_overflow: s.uint("max_overflow", 50)?,
            pool_timeout: s.opt_seconds("pool_timeout")?,
            connection_recycle_time: s.seconds(
                Opt::renamed("connection_recycle_time", &["idle_timeout"]),
                Duration::from_secs(3600),
            )?,
            max_retries: s.parse("max_retries", parse_retries)?.unwrap_or(Some(10)),
            retry_interval: s.seconds("retry_interval", Duration::from_secs(10))?,
            mysql_sql_mode: s.string("mysql_sql_mode", "TRADITIONAL")?,
        })
    }

    /// The sqlx URL, or an error saying how to set it.
    pub fn require_url(&self) -> Result<&str, ConfigError> {
        let url = self.url.as_ref().map(Secret::expose);
        url.ok_or_else(|| super::default::missing(SECTION, "connection"))
    }
}

fn parse_retries(value: &str) -> Result<Option<u32>, String> {
    match value.trim() {
        "-1" => Ok(None),
        other => other
            .parse()
            .map(Some)
            .map_err(|_| "a non-negative integer or -1".into()),
    }
}

/// A database URL converted for sqlx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlxUrl {
    pub url: String,
    pub ignored_params: Vec<String>,
}

/// Turns a SQLAlchemy URL (`mysql+pymysql://root:@127.0.0.1/designate?charset=utf8`)
/// into a sqlx one (`mysql://root@127.0.0.1/designate`): any `mysql` or `mariadb`
/// dialect and driver becomes `mysql://`, an empty password is dropped,
/// pymysql's `unix_socket`/`ssl_*` parameters become sqlx's `socket`/`ssl-*`,
/// sqlx's own parameters pass through, the rest is dropped and listed.
/// A sqlx URL is accepted as is. The error text completes "expected …".
pub fn sqlx_url(connection: &str) -> Result<SqlxUrl, String> {
    let expected = |why: &str| {
        format!("a MySQL URL such as mysql+pymysql://user:password@host/designate ({why})")
    };
    let parsed = Url::parse(connection.trim()).map_err(|e| expected(&e.to_string()))?;
    let dialect = parsed.scheme().split('+').next().unwrap_or_default();
    if dialect != "mysql" && dialect != "mariadb" {
        return Err(expected(&format!(
            "Delegate supports MySQL and MariaDB, not {dialect}"
        )));
    }
    if parsed.path().trim_start_matches('/').is_empty() {
        return Err(expected("no database name"));
    }
    let mut url = parsed.clone();
    url.set_scheme("mysql")
        .map_err(|()| expected("cannot rewrite the scheme"))?;
    if parsed.password() == Some("") {
        url.set_password(None)
            .map_err(|()| expected("cannot drop the empty password"))?;
    }
    let (params, ignored_params) = convert_params(&parsed);
    url.set_query(None);
    if !params.is_empty() {
        url.query_pairs_mut().extend_pairs(params);
    }
    Ok(SqlxUrl {
        url: url.to_string(),
        ignored_params,
    })
}

/// (sqlx parameters, dropped `key=value`s).
fn convert_params(url: &Url) -> (Vec<(String, String)>, Vec<String>) {
    let mut params = Vec::new();
    let mut ignored = Vec::new();
    let mut verify_hostname = true;
    for (key, value) in url.query_pairs().into_owned() {
        let sqlx_key = match key.as_str() {
            "charset" => continue,
            "unix_socket" => "socket",
            "ssl_ca" => "ssl-ca",
            "ssl_cert" => "ssl-cert",
            "ssl_key" => "ssl-key",
            "ssl_check_hostname" => {
                verify_hostname = crate::values::parse_bool(&value).unwrap_or(true);
                continue;
            }
            known if SQLX_PARAMS.contains(&known) => known,
            _ => {
                ignored.push(format!("{key}={value}"));
                continue;
            }
        };
        params.push((sqlx_key.to_owned(), value));
    }
    // pymysql verifies the server certificate whenever a CA is given.
    let has = |k: &str| params.iter().any(|(key, _)| key == k);
    if has("ssl-ca") && !has("ssl-mode") && !has("sslmode") {
        let mode = if verify_hostname {
            "verify_identity"
        } else {
            "verify_ca"
        };
        params.push(("ssl-mode".to_owned(), mode.to_owned()));
    }
    (params, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(connection: &str) -> String {
        sqlx_url(connection).unwrap().url
    }

    #[test]
    fn sqlalchemy_urls_become_sqlx_urls() {
        assert_eq!(
            url("mysql+pymysql://root:@127.0.0.1/designate?charset=utf8"),
            "mysql://root@127.0.0.1/designate"
        );
        assert_eq!(
            url("mysql+pymysql://designate:p%40ss@db.example.org:3307/designate"),
            "mysql://designate:p%40ss@db.example.org:3307/designate"
        );
        assert_eq!(url("mariadb://u:p@h/d"), "mysql://u:p@h/d");
        assert_eq!(
            url("mysql://u@h/d?ssl-mode=required"),
            "mysql://u@h/d?ssl-mode=required"
        );
    }

    #[test]
    fn pymysql_parameters_are_translated_or_listed() {
        let converted = sqlx_url(
            "mysql+pymysql://u:p@h/d?charset=utf8&plugin=dbcounter&unix_socket=/run/mysqld.sock&ssl_ca=/ca.pem",
        )
        .unwrap();
        assert_eq!(
            converted.url,
            "mysql://u:p@h/d?socket=%2Frun%2Fmysqld.sock&ssl-ca=%2Fca.pem&ssl-mode=verify_identity"
        );
        assert_eq!(converted.ignored_params, vec!["plugin=dbcounter"]);
    }

    #[test]
    fn other_databases_and_bad_urls_are_refused() {
        let err = sqlx_url("postgresql://u@h/d").unwrap_err();
        assert!(
            err.ends_with("(Delegate supports MySQL and MariaDB, not postgresql)"),
            "{err}"
        );
        assert!(
            sqlx_url("mysql+pymysql://u@h/")
                .unwrap_err()
                .ends_with("(no database name)")
        );
        assert!(sqlx_url("not a url").is_err());
    }
}
