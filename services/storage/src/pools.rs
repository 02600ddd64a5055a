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
use delegate_model::ids::{new_id, to_db};
use delegate_model::{
    Error, ErrorKind, HostPort, KeyValue, Pool, PoolNameserver, PoolNsRecord, PoolTarget, time,
};
use sqlx::mysql::MySqlRow;
use sqlx::{MySqlConnection, MySqlPool, Row};
use uuid::Uuid;

/// What [`apply_pool_config`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolApplied {
    pub id: Uuid,
    /// The pool did not exist and was inserted.
    pub created: bool,
    /// Something was written (false when the stored pool already matched).
    pub changed: bool,
}

/// The pool with this id, with all its children; `PoolNotFound` if absent.
pub async fn get_pool(db: &MySqlPool, id: Uuid) -> Result<Pool, Error> {
    let mut conn = db.acquire().await.map_err(db_err)?;
    match pool_row(&mut conn, PoolKey::Id(id), false).await? {
        Some(pool) => with_children(&mut conn, pool).await,
        None => Err(Error::not_found(ErrorKind::PoolNotFound, "Pool")),
    }
}

/// The pool with this name (case-insensitive, as the column collates), if any.
pub async fn find_pool_by_name(db: &MySqlPool, name: &str) -> Result<Option<Pool>, Error> {
    let mut conn = db.acquire().await.map_err(db_err)?;
    match pool_row(&mut conn, PoolKey::Name(name), false).await? {
        Some(pool) => with_children(&mut conn, pool).await.map(Some),
        None => Ok(None),
    }
}

/// Every pool with its children, oldest first.
pub async fn list_pools(db: &MySqlPool) -> Result<Vec<Pool>, Error> {
    let mut conn = db.acquire().await.map_err(db_err)?;
    let rows = sqlx::query(
        "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
         FROM pools ORDER BY created_at, id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut pools = Vec::with_capacity(rows.len());
    for row in &rows {
        pools.push(with_children(&mut conn, pool_from_row(row)?).await?);
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
pub async fn apply_pool_config(db: &MySqlPool, config: &Pool, dry_run: bool) -> Result<PoolApplied, Error> {
    let mut tx = db.begin().await.map_err(db_err)?;
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
        tx.rollback().await.map_err(db_err)?;
    } else {
        tx.commit().await.map_err(db_err)?;
    }
    Ok(applied)
}

enum PoolKey<'a> {
    Id(Uuid),
    Name(&'a str),
}

async fn pool_row(conn: &mut MySqlConnection, key: PoolKey<'_>, lock: bool) -> Result<Option<Pool>, Error> {
    let (sql, value) = match (key, lock) {
        (PoolKey::Id(id), false) => (POOL_BY_ID, to_db(&id)),
        (PoolKey::Id(id), true) => (POOL_BY_ID_LOCKED, to_db(&id)),
        (PoolKey::Name(name), false) => (POOL_BY_NAME, name.to_owned()),
        (PoolKey::Name(name), true) => (POOL_BY_NAME_LOCKED, name.to_owned()),
    };
    let row = sqlx::query(sql).bind(value).fetch_optional(&mut *conn).await.map_err(db_err)?;
    row.as_ref().map(pool_from_row).transpose()
}

const POOL_BY_ID: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
                          FROM pools WHERE id = ?";
const POOL_BY_ID_LOCKED: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, \
                                 provisioner FROM pools WHERE id = ? FOR UPDATE";
const POOL_BY_NAME: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, provisioner \
                            FROM pools WHERE name = ?";
const POOL_BY_NAME_LOCKED: &str = "SELECT id, version, created_at, updated_at, name, description, tenant_id, \
                                   provisioner FROM pools WHERE name = ? FOR UPDATE";

fn pool_from_row(row: &MySqlRow) -> Result<Pool, Error> {
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
async fn with_children(conn: &mut MySqlConnection, mut pool: Pool) -> Result<Pool, Error> {
    let id = pool.id.ok_or_else(|| Error::internal("pool without id"))?;
    let key = to_db(&id);
    pool.ns_records = ns_records(conn, &key, id).await?;
    pool.attributes = key_values(conn, ATTRIBUTES, &key).await?;
    pool.nameservers = nameservers(conn, &key, id).await?;
    pool.also_notifies = host_ports(conn, ALSO_NOTIFIES, &key).await?;
    pool.targets = targets(conn, &key, id).await?;
    Ok(pool)
}

const ATTRIBUTES: &str = "SELECT `key`, value FROM pool_attributes WHERE pool_id = ? ORDER BY created_at, id";
const ALSO_NOTIFIES: &str = "SELECT host, port FROM pool_also_notifies WHERE pool_id = ? ORDER BY created_at, id";
const MASTERS: &str = "SELECT host, port FROM pool_target_masters WHERE pool_target_id = ? ORDER BY created_at, id";
const OPTIONS: &str = "SELECT `key`, value FROM pool_target_options WHERE pool_target_id = ? ORDER BY created_at, id";

async fn ns_records(conn: &mut MySqlConnection, key: &str, pool_id: Uuid) -> Result<Vec<PoolNsRecord>, Error> {
    let rows = sqlx::query("SELECT id, priority, hostname FROM pool_ns_records WHERE pool_id = ? ORDER BY created_at, id")
        .bind(key)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
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

async fn nameservers(conn: &mut MySqlConnection, key: &str, pool_id: Uuid) -> Result<Vec<PoolNameserver>, Error> {
    let rows = sqlx::query(
        "SELECT id, host, port, tsigkey_id FROM pool_nameservers WHERE pool_id = ? ORDER BY created_at, id",
    )
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
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

async fn targets(conn: &mut MySqlConnection, key: &str, pool_id: Uuid) -> Result<Vec<PoolTarget>, Error> {
    let rows = sqlx::query(
        "SELECT id, type, tsigkey_id, description FROM pool_targets WHERE pool_id = ? ORDER BY created_at, id",
    )
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut targets = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = uuid_col(r, "id")?;
        let target_key = to_db(&id);
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

async fn host_ports(conn: &mut MySqlConnection, sql: &'static str, key: &str) -> Result<Vec<HostPort>, Error> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await.map_err(db_err)?;
    rows.iter()
        .map(|r| Ok(HostPort { host: col(r, "host")?, port: port_col(r)? }))
        .collect()
}

async fn key_values(conn: &mut MySqlConnection, sql: &'static str, key: &str) -> Result<Vec<KeyValue>, Error> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await.map_err(db_err)?;
    rows.iter()
        .map(|r| Ok(KeyValue { key: col(r, "key")?, value: col(r, "value")? }))
        .collect()
}

async fn create_pool(conn: &mut MySqlConnection, config: &Pool) -> Result<PoolApplied, Error> {
    let id = config.id.unwrap_or_else(new_id);
    if let Some(other) = pool_row(conn, PoolKey::Name(&config.name), true).await? {
        let other_id = other.id.map(|i| i.hyphenated().to_string()).unwrap_or_default();
        return Err(Error::new(
            ErrorKind::DuplicatePool,
            format!(
                "Pool {} already exist with id {other_id}. You cannot change id to an existing pool.",
                config.name
            ),
        ));
    }
    sqlx::query("INSERT INTO pools (id, created_at, version, name, description) VALUES (?, ?, 1, ?, ?)")
        .bind(to_db(&id))
        .bind(time::now())
        .bind(&config.name)
        .bind(&config.description)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let key = to_db(&id);
    insert_ns_records(conn, &key, &config.ns_records).await?;
    insert_attributes(conn, &key, &config.attributes).await?;
    insert_nameservers(conn, &key, &config.nameservers).await?;
    insert_also_notifies(conn, &key, &config.also_notifies).await?;
    insert_targets(conn, &key, &config.targets).await?;
    Ok(PoolApplied { id, created: true, changed: true })
}

async fn update_pool(conn: &mut MySqlConnection, stored: &Pool, config: &Pool) -> Result<PoolApplied, Error> {
    let id = stored.id.ok_or_else(|| Error::internal("pool without id"))?;
    let key = to_db(&id);
    let description = config.description.clone().or_else(|| stored.description.clone());
    let mut changed = false;
    if stored.name != config.name || stored.description != description {
        sqlx::query("UPDATE pools SET name = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ?")
            .bind(&config.name)
            .bind(&description)
            .bind(time::now())
            .bind(&key)
            .execute(&mut *conn)
            .await
            .map_err(|e| child_err(e, "pool name"))?;
        changed = true;
    }
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
        delete_children(conn, "DELETE FROM pool_also_notifies WHERE pool_id = ?", &key).await?;
        insert_also_notifies(conn, &key, &config.also_notifies).await?;
        changed = true;
    }
    if !same_targets(&stored.targets, &config.targets) {
        // Masters and options go with their target (ON DELETE CASCADE).
        delete_children(conn, "DELETE FROM pool_targets WHERE pool_id = ?", &key).await?;
        insert_targets(conn, &key, &config.targets).await?;
        changed = true;
    }
    Ok(PoolApplied { id, created: false, changed })
}

fn same_ns_records(a: &[PoolNsRecord], b: &[PoolNsRecord]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.hostname == y.hostname && x.priority == y.priority)
}

fn same_nameservers(a: &[PoolNameserver], b: &[PoolNameserver]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| x.host == y.host && x.port == y.port && x.tsigkey_id == y.tsigkey_id)
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

async fn delete_children(conn: &mut MySqlConnection, sql: &'static str, key: &str) -> Result<(), Error> {
    sqlx::query(sql).bind(key).execute(&mut *conn).await.map_err(db_err)?;
    Ok(())
}

/// `n` fresh ids in ascending order: rows inserted in the same second then
/// read back (`ORDER BY created_at, id`) in the order they were given.
fn ordered_ids(n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n).map(|_| to_db(&new_id())).collect();
    ids.sort();
    ids
}

async fn insert_ns_records(conn: &mut MySqlConnection, key: &str, rows: &[PoolNsRecord]) -> Result<(), Error> {
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

async fn insert_attributes(conn: &mut MySqlConnection, key: &str, rows: &[KeyValue]) -> Result<(), Error> {
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
        .map_err(|e| child_err(e, "pool attribute"))?;
    }
    Ok(())
}

async fn insert_nameservers(conn: &mut MySqlConnection, key: &str, rows: &[PoolNameserver]) -> Result<(), Error> {
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
        .bind(ns.tsigkey_id.as_ref().map(to_db))
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "nameserver"))?;
    }
    Ok(())
}

async fn insert_also_notifies(conn: &mut MySqlConnection, key: &str, rows: &[HostPort]) -> Result<(), Error> {
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

async fn insert_targets(conn: &mut MySqlConnection, key: &str, rows: &[PoolTarget]) -> Result<(), Error> {
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
        .bind(t.tsigkey_id.as_ref().map(to_db))
        .bind(&t.description)
        .execute(&mut *conn)
        .await
        .map_err(|e| child_err(e, "target"))?;
        insert_target_children(conn, id, t).await?;
    }
    Ok(())
}

async fn insert_target_children(conn: &mut MySqlConnection, target: &str, t: &PoolTarget) -> Result<(), Error> {
    let now = time::now();
    for (id, m) in ordered_ids(t.masters.len()).iter().zip(&t.masters) {
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
    for (id, o) in ordered_ids(t.options.len()).iter().zip(&t.options) {
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

fn col<'r, T>(row: &'r MySqlRow, name: &str) -> Result<T, Error>
where
    T: sqlx::Decode<'r, sqlx::MySql> + sqlx::Type<sqlx::MySql>,
{
    row.try_get(name).map_err(|e| Error::internal(format!("pool row column {name}: {e}")))
}

fn uuid_col(row: &MySqlRow, name: &str) -> Result<Uuid, Error> {
    let text: String = col(row, name)?;
    Uuid::try_parse(&text).map_err(|_| Error::internal(format!("pool row column {name} is not a UUID: {text:?}")))
}

fn opt_uuid_col(row: &MySqlRow, name: &str) -> Result<Option<Uuid>, Error> {
    let text: Option<String> = col(row, name)?;
    text.map(|t| Uuid::try_parse(&t).map_err(|_| Error::internal(format!("pool row column {name}: bad UUID {t:?}"))))
        .transpose()
}

fn port_col(row: &MySqlRow) -> Result<u16, Error> {
    let port: i32 = col(row, "port")?;
    u16::try_from(port).map_err(|_| Error::internal(format!("pool row has port {port} out of range")))
}

fn db_err(e: sqlx::Error) -> Error {
    Error::internal(format!("database error: {e}"))
}

/// A child row the unique keys refuse (two NS records with one hostname, …)
/// is the file's fault: say which kind of entry repeats.
fn child_err(e: sqlx::Error, what: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::new(ErrorKind::DuplicatePool, format!("duplicate {what} in the pool: {}", d.message()))
        }
        _ => db_err(e),
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
        assert!(ids.iter().all(|i| i.len() == 32 && Uuid::try_parse(i).is_ok()));
    }

    #[test]
    fn target_comparison_sees_option_changes() {
        let t = PoolTarget {
            backend: "bind9".into(),
            options: vec![KeyValue { key: "port".into(), value: "53".into() }],
            ..PoolTarget::default()
        };
        let mut changed = t.clone();
        changed.options[0].value = "5353".into();
        assert!(same_targets(std::slice::from_ref(&t), std::slice::from_ref(&t)));
        assert!(!same_targets(&[t], &[changed]));
    }
}
