//! Pools and their children (spec/storage.md §2.11): read by everyone (the
//! worker drives a pool's targets, central schedules zones into pools),
//! written only by `delegate-manage pool update` through [`apply_pool_config`].
//!
//! Child rows are listed in storage order (`created_at, id`), the order
//! Designate reads them in; the first NS record of that order becomes the
//! zones' SOA MNAME. Rows inserted together share one `created_at`, so
//! [`apply_pool_config`] hands them ids that sort in file order: the order of
//! pools.yaml is the order read back.

use chrono::NaiveDateTime;
use delegate_model::ids::new_id;
use delegate_model::{HostPort, KeyValue, Pool, PoolNameserver, PoolNsRecord, PoolTarget, time};
use sqlx::mysql::MySqlRow;
use sqlx::{MySqlConnection, MySqlPool};
use uuid::Uuid;

use crate::error::{Resource, StorageError};
use crate::rows::{db_id, get as col, opt_db_id, opt_uuid as opt_uuid_col, uuid as uuid_col};

/// Why [`apply_pool_config`] refused a pool.
#[derive(Debug, thiserror::Error)]
pub enum PoolConfigError {
    /// The entry's id is not stored, but its name belongs to another pool.
    #[error(
        "Pool {name} already exist with id {existing_id}. You cannot change id to an existing pool."
    )]
    IdConflict { name: String, existing_id: Uuid },
    /// A unique key refused a row: the entry repeats a value.
    #[error("duplicate {what}: {detail}")]
    Duplicate { what: &'static str, detail: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for PoolConfigError {
    fn from(e: sqlx::Error) -> Self {
        PoolConfigError::Storage(StorageError::Database(e))
    }
}

/// What [`apply_pool_config`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolApplied {
    pub id: Uuid,
    /// The pool did not exist and was inserted.
    pub created: bool,
    /// Something was written (false when the stored pool already matched).
    pub changed: bool,
}

/// The pool with this id, with all its children; `NotFound(Pool)` if absent.
pub async fn get_pool(conn: &mut MySqlConnection, id: Uuid) -> Result<Pool, StorageError> {
    match pool_row(conn, PoolKey::Id(id), false).await? {
        Some(pool) => with_children(conn, pool).await,
        None => Err(StorageError::NotFound(Resource::Pool)),
    }
}

/// The pool with this name (case-insensitive, as the column collates), if any.
pub async fn find_pool_by_name(
    conn: &mut MySqlConnection,
    name: &str,
) -> Result<Option<Pool>, StorageError> {
    match pool_row(conn, PoolKey::Name(name), false).await? {
        Some(pool) => with_children(conn, pool).await.map(Some),
        None => Ok(None),
    }
}

/// Every pool with its children, oldest first.
pub async fn list_pools(conn: &mut MySqlConnection) -> Result<Vec<Pool>, StorageError> {
    let sql = "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
               FROM pools ORDER BY created_at, id";
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    let mut pools = Vec::with_capacity(rows.len());
    for row in &rows {
        pools.push(with_children(conn, pool_from_row(row)?).await?);
    }
    Ok(pools)
}

/// Creates or updates one pool from a pools.yaml entry, in one transaction
/// (spec/config.md §10 `pool update`, step 2).
///
/// The stored pool is found by `config.id` when given, else by name. A found
/// pool gets the entry's name, its description when the entry has one, and
/// every child list replaced wholesale by the entry's (lists that already
/// match are left untouched, so applying the same file twice writes nothing).
/// A pool that is not found is created, with `config.id` if given. An id that
/// is not stored while another pool already has the name is refused, as
/// Designate does. With `dry_run` everything is checked, then rolled back.
pub async fn apply_pool_config(
    db: &MySqlPool,
    config: &Pool,
    dry_run: bool,
) -> Result<PoolApplied, PoolConfigError> {
    let mut tx = db.begin().await?;
    let existing = match config.id {
        Some(id) => pool_row(&mut tx, PoolKey::Id(id), true).await?,
        None => pool_row(&mut tx, PoolKey::Name(&config.name), true).await?,
    };
    let applied = match existing {
        Some(stored) => {
            let stored = with_children(&mut tx, stored).await?;
            update_pool(&mut tx, &stored, config).await?
        }
        None => create_pool(&mut tx, config).await?,
    };
    if dry_run {
        tx.rollback().await?;
    } else {
        crate::db::commit(tx).await?;
    }
    Ok(applied)
}

enum PoolKey<'a> {
    Id(Uuid),
    Name(&'a str),
}

const POOL_BY_ID: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
                          FROM pools WHERE id = ?";
const POOL_BY_ID_LOCKED: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, \
                                 provisioner FROM pools WHERE id = ? FOR UPDATE";
const POOL_BY_NAME: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
                            FROM pools WHERE name = ?";
const POOL_BY_NAME_LOCKED: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, \
                                   provisioner FROM pools WHERE name = ? FOR UPDATE";

async fn pool_row(
    conn: &mut MySqlConnection,
    key: PoolKey<'_>,
    lock: bool,
) -> Result<Option<Pool>, StorageError> {
    let (sql, value) = match (key, lock) {
        (PoolKey::Id(id), false) => (POOL_BY_ID, db_id(&id)),
        (PoolKey::Id(id), true) => (POOL_BY_ID_LOCKED, db_id(&id)),
        (PoolKey::Name(name), false) => (POOL_BY_NAME, name.to_owned()),
        (PoolKey::Name(name), true) => (POOL_BY_NAME_LOCKED, name.to_owned()),
    };
    let row = sqlx::query(sql)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(pool_from_row).transpose()
}

fn pool_from_row(row: &MySqlRow) -> Result<Pool, StorageError> {
    Ok(Pool {
        id: Some(uuid_col(row, "id")?),
        version: col(row, "version")?,
        created_at: col::<Option<NaiveDateTime>>(row, "created_at")?,
        updated_at: col::<Option<NaiveDateTime>>(row, "updated_at")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        tenant_id: col(row, "tenant_id")?,
        provisioner: col(row, "provisioner")?,
        ..Pool::default()
    })
}

/// Fills in the children of a pool read from the `pools` table.
async fn with_children(conn: &mut MySqlConnection, mut pool: Pool) -> Result<Pool, StorageError> {
    let Some(id) = pool.id else {
        return Err(StorageError::BadRow {
            column: "id",
            detail: "pool without id".into(),
        });
    };
    let key = db_id(&id);
    pool.ns_records = ns_records(conn, &key, id).await?;
    pool.attributes = key_values(conn, ATTRIBUTES, &key).await?;
    pool.nameservers = nameservers(conn, &key, id).await?;
    pool.also_notifies = host_ports(conn, ALSO_NOTIFIES, &key).await?;
    pool.targets = targets(conn, &key, id).await?;
    Ok(pool)
}

const NS_RECORDS: &str =
    "SELECT id, priority, hostname FROM pool_ns_records WHERE pool_id = ? ORDER BY created_at, id";
const ATTRIBUTES: &str =
    "SELECT `key`, value FROM pool_attributes WHERE pool_id = ? ORDER BY created_at, id";
const NAMESERVERS: &str = "SELECT id, host, port, tsigkey_id FROM pool_nameservers WHERE pool_id = ? ORDER BY created_at, id";
const TARGETS: &str = "SELECT id, type, tsigkey_id, description FROM pool_targets WHERE pool_id = ? ORDER BY created_at, id";
const ALSO_NOTIFIES: &str =
    "SELECT host, port FROM pool_also_notifies WHERE pool_id = ? ORDER BY created_at, id";
const MASTERS: &str =
    "SELECT host, port FROM pool_target_masters WHERE pool_target_id = ? ORDER BY created_at, id";
const OPTIONS: &str =
    "SELECT `key`, value FROM pool_target_options WHERE pool_target_id = ? ORDER BY created_at, id";

async fn ns_records(
    conn: &mut MySqlConnection,
    key: &str,
    pool_id: Uuid,
) -> Result<Vec<PoolNsRecord>, StorageError> {
    let rows = sqlx::query(NS_RECORDS)
        .bind(key)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PoolNsRecord {
                id: Some(uuid_col(r, "id")?),
                pool_id: Some(pool_id),
                priority: col(r, "priority")?,
                hostname: col(r, "hostname")?,
            })
        })
        .collect()
}

async fn nameservers(
    conn: &mut MySqlConnection,
    key: &str,
    pool_id: Uuid,
) -> Result<Vec<PoolNameserver>, StorageError> {
    let rows = sqlx::query(NAMESERVERS)
        .bind(key)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PoolNameserver {
                id: Some(uuid_col(r, "id")?),
                pool_id: Some(pool_id),
                host: col(r, "host")?,
                port: port_col(r)?,
                tsigkey_id: opt_uuid_col(r, "tsigkey_id")?,
            })
        })
        .collect()
}

async fn targets(
    conn: &mut MySqlConnection,
    key: &str,
    pool_id: Uuid,
) -> Result<Vec<PoolTarget>, StorageError> {
    let rows = sqlx::query(TARGETS).bind(key).fetch_all(&mut *conn).await?;
    let mut targets = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = uuid_col(r, "id")?;
        let target_key = db_id(&id);
        targets.push(PoolTarget {
            id: Some(id),
            pool_id: Some(pool_id),
            backend: col(r, "type")?,
            tsigkey_id: opt_uuid_col(r, "tsigkey_id")?,
            description: col(r, "description")?,
            masters: host_ports(conn, MASTERS, &target_key).await?,
            options: key_values(conn, OPTIONS, &target_key).await?,
        });
    }
    Ok(targets)
}

async fn host_ports(
    conn: &mut MySqlConnection,
    sql: &'static str,
    key: &str,
) -> Result<Vec<HostPort>, StorageError> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(HostPort {
                host: col(r, "host")?,
                port: port_col(r)?,
            })
        })
        .collect()
}

async fn key_values(
    conn: &mut MySqlConnection,
    sql: &'static str,
    key: &str,
) -> Result<Vec<KeyValue>, StorageError> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(KeyValue {
                key: col(r, "key")?,
                value: col(r, "value")?,
            })
        })
        .collect()
}

fn port_col(row: &MySqlRow) -> Result<u16, StorageError> {
    let port: i32 = col(row, "port")?;
    u16::try_from(port).map_err(|_| StorageError::BadRow {
        column: "port",
        detail: format!("{port} is out of range"),
    })
}

async fn create_pool(
    conn: &mut MySqlConnection,
    config: &Pool,
) -> Result<PoolApplied, PoolConfigError> {
    if let Some(other) = pool_row(conn, PoolKey::Name(&config.name), true).await? {
        let existing_id = other.id.unwrap_or_default();
        return Err(PoolConfigError::IdConflict {
            name: config.name.clone(),
            existing_id,
        });
    }
    let id = config.id.unwrap_or_else(new_id);
    let key = db_id(&id);
    sqlx::query(
        "INSERT INTO pools (id, created_at, version, name, description) VALUES (?, ?, 1, ?, ?)",
    )
    .bind(&key)
    .bind(time::now())
    .bind(&config.name)
    .bind(&config.description)
    .execute(&mut *conn)
    .await?;
    insert_ns_records(conn, &key, &config.ns_records).await?;
    insert_attributes(conn, &key, &config.attributes).await?;
    insert_nameservers(conn, &key, &config.nameservers).await?;
    insert_also_notifies(conn, &key, &config.also_notifies).await?;
    insert_targets(conn, &key, &config.targets).await?;
    Ok(PoolApplied {
        id,
        created: true,
        changed: true,
    })
}

async fn update_pool(
    conn: &mut MySqlConnection,
    stored: &Pool,
    config: &Pool,
) -> Result<PoolApplied, PoolConfigError> {
    let Some(id) = stored.id else {
        return Err(StorageError::BadRow {
            column: "id",
            detail: "pool without id".into(),
        }
        .into());
    };
    let key = db_id(&id);
    let mut changed = update_pool_row(conn, &key, stored, config).await?;
    if !same_ns_records(&stored.ns_records, &config.ns_records) {
        delete_children(conn, "DELETE FROM pool_ns_records WHERE pool_id = ?", &key).await?;
        insert_ns_records(conn, &key, &config.ns_records).await?;
        changed = true;
    }
    if stored.attributes != config.attributes {
        delete_children(conn, "DELETE FROM pool_attributes WHERE pool_id = ?", &key).await?;
        insert_attributes(conn, &key, &config.attributes).await?;
        changed = true;
    }
    if !same_nameservers(&stored.nameservers, &config.nameservers) {
        delete_children(conn, "DELETE FROM pool_nameservers WHERE pool_id = ?", &key).await?;
        insert_nameservers(conn, &key, &config.nameservers).await?;
        changed = true;
    }
    if stored.also_notifies != config.also_notifies {
        delete_children(
            conn,
            "DELETE FROM pool_also_notifies WHERE pool_id = ?",
            &key,
        )
        .await?;
        insert_also_notifies(conn, &key, &config.also_notifies).await?;
        changed = true;
    }
    if !same_targets(&stored.targets, &config.targets) {
        // Masters and options go with their target (ON DELETE CASCADE).
        delete_children(conn, "DELETE FROM pool_targets WHERE pool_id = ?", &key).await?;
        insert_targets(conn, &key, &config.targets).await?;
        changed = true;
    }
    Ok(PoolApplied {
        id,
        created: false,
        changed,
    })
}

/// Name and description; a description left out of the file is kept.
async fn update_pool_row(
    conn: &mut MySqlConnection,
    key: &str,
    stored: &Pool,
    config: &Pool,
) -> Result<bool, PoolConfigError> {
    let description = config.description.as_ref().or(stored.description.as_ref());
    if stored.name == config.name && stored.description.as_ref() == description {
        return Ok(false);
    }
    sqlx::query("UPDATE pools SET name = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ?")
        .bind(&config.name)
        .bind(description)
        .bind(time::now())
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "pool name"))?;
    Ok(true)
}

fn same_ns_records(a: &[PoolNsRecord], b: &[PoolNsRecord]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.hostname == y.hostname && x.priority == y.priority)
}

fn same_nameservers(a: &[PoolNameserver], b: &[PoolNameserver]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.host == y.host && x.port == y.port && x.tsigkey_id == y.tsigkey_id)
}

fn same_targets(a: &[PoolTarget], b: &[PoolTarget]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.backend == y.backend
                && x.tsigkey_id == y.tsigkey_id
                && x.description == y.description
                && x.masters == y.masters
                && x.options == y.options
        })
}

async fn delete_children(
    conn: &mut MySqlConnection,
    sql: &'static str,
    key: &str,
) -> Result<(), PoolConfigError> {
    sqlx::query(sql).bind(key).execute(&mut *conn).await?;
    Ok(())
}

/// `n` fresh ids in ascending order: rows inserted in the same second then
/// read back (`ORDER BY created_at, id`) in the order they were given.
fn ordered_ids(n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n).map(|_| db_id(&new_id())).collect();
    ids.sort();
    ids
}

async fn insert_ns_records(
    conn: &mut MySqlConnection,
    key: &str,
    rows: &[PoolNsRecord],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, ns) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_ns_records (id, created_at, version, pool_id, priority, hostname) \
             VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(key)
        .bind(ns.priority)
        .bind(&ns.hostname)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "NS record"))?;
    }
    Ok(())
}

async fn insert_attributes(
    conn: &mut MySqlConnection,
    key: &str,
    rows: &[KeyValue],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, kv) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_attributes (id, created_at, version, `key`, value, pool_id) VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(&kv.key)
        .bind(&kv.value)
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "attribute"))?;
    }
    Ok(())
}

async fn insert_nameservers(
    conn: &mut MySqlConnection,
    key: &str,
    rows: &[PoolNameserver],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, ns) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_nameservers (id, created_at, version, pool_id, host, port, tsigkey_id) \
             VALUES (?, ?, 1, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(key)
        .bind(&ns.host)
        .bind(ns.port)
        .bind(opt_db_id(&ns.tsigkey_id))
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "nameserver"))?;
    }
    Ok(())
}

async fn insert_also_notifies(
    conn: &mut MySqlConnection,
    key: &str,
    rows: &[HostPort],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, hp) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_also_notifies (id, created_at, version, pool_id, host, port) VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(key)
        .bind(&hp.host)
        .bind(hp.port)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "also-notify"))?;
    }
    Ok(())
}

async fn insert_targets(
    conn: &mut MySqlConnection,
    key: &str,
    rows: &[PoolTarget],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, t) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_targets (id, created_at, version, pool_id, type, tsigkey_id, description) \
             VALUES (?, ?, 1, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(key)
        .bind(&t.backend)
        .bind(opt_db_id(&t.tsigkey_id))
        .bind(&t.description)
        .execute(&mut *conn)
        .await?;
        insert_target_masters(conn, id, &t.masters).await?;
        insert_target_options(conn, id, &t.options).await?;
    }
    Ok(())
}

async fn insert_target_masters(
    conn: &mut MySqlConnection,
    target: &str,
    rows: &[HostPort],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, m) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_target_masters (id, created_at, version, pool_target_id, host, port) \
             VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(target)
        .bind(&m.host)
        .bind(m.port)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "target master"))?;
    }
    Ok(())
}

async fn insert_target_options(
    conn: &mut MySqlConnection,
    target: &str,
    rows: &[KeyValue],
) -> Result<(), PoolConfigError> {
    let now = time::now();
    for (id, o) in ordered_ids(rows.len()).iter().zip(rows) {
        sqlx::query(
            "INSERT INTO pool_target_options (id, created_at, version, pool_target_id, `key`, value) \
             VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(target)
        .bind(&o.key)
        .bind(&o.value)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "target option"))?;
    }
    Ok(())
}

/// A row a unique key refuses (two NS records with one hostname, …) is the
/// file's fault: say which kind of entry repeats.
fn child_err(e: sqlx::Error, what: &'static str) -> PoolConfigError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => PoolConfigError::Duplicate {
            what,
            detail: d.message().to_owned(),
        },
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ids_sort_in_insertion_order() {
        let ids = ordered_ids(20);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(
            ids.iter()
                .all(|i| i.len() == 32 && Uuid::try_parse(i).is_ok())
        );
    }

    #[test]
    fn target_comparison_sees_option_changes() {
        let t = PoolTarget {
            backend: "bind9".into(),
            options: vec![KeyValue {
                key: "port".into(),
                value: "53".into(),
            }],
            ..PoolTarget::default()
        };
        let mut changed = t.clone();
        changed.options[0].value = "5353".into();
        assert!(same_targets(
            std::slice::from_ref(&t),
            std::slice::from_ref(&t)
        ));
        assert!(!same_targets(&[t], &[changed]));
    }
}
