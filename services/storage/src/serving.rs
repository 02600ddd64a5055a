//! Read queries mdns answers DNS from (spec/storage.md §3.4): zone lookup with
//! the pool (or zone) restriction, one recordset for an ordinary query, and
//! the rows of a zone transfer.
//!
//! Nothing here writes: mdns reads the database and writes nothing to it.
//! Names compare case-insensitively in the database (utf8 general collation),
//! so `EXAMPLE.com.` finds `example.com.` as it does for Designate.

use futures::{Stream, StreamExt, TryStreamExt};
use sqlx::mysql::MySqlRow;
use sqlx::{MySql, QueryBuilder};
use uuid::Uuid;

use delegate_model::ZoneType;

use crate::db::Storage;
use crate::error::StorageError;
use crate::rows::{db_id, enumerated, get, uuid};

/// Which zones a request may see (spec/services.md §4.2): unsigned requests
/// see the default pool; a TSIG key scoped to a pool or to one zone narrows
/// the lookup to that pool or zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneScope {
    Pool(Uuid),
    Zone(Uuid),
}

/// A live (not soft-deleted) zone, as much of it as serving DNS needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedZone {
    pub id: Uuid,
    /// FQDN as stored, with the trailing dot.
    pub name: String,
    /// The zone TTL: the TTL of every recordset that has none of its own.
    pub ttl: i32,
    pub zone_type: ZoneType,
}

/// One record with what its recordset contributes: owner, type and TTL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRecord {
    /// The recordset name (owner), FQDN as stored.
    pub name: String,
    /// The recordset type as stored (`A`, `MX`, `SOA`, …).
    pub rtype: String,
    /// The recordset TTL; `None` inherits the zone TTL.
    pub ttl: Option<i32>,
    /// Presentation-format rdata.
    pub data: String,
}

/// One recordset found for an ordinary query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRecordSet {
    /// The recordset TTL; `None` inherits the zone TTL.
    pub ttl: Option<i32>,
    /// The data of its records whose action is not `DELETE` (may be empty).
    pub data: Vec<String>,
}

/// The zone named `name`, if it is live and inside `scope`.
pub async fn find_zone(
    db: &Storage,
    name: &str,
    scope: ZoneScope,
) -> Result<Option<ServedZone>, StorageError> {
    find_closest_zone(db, &[name.to_owned()], scope).await
}

/// The longest of `names` that is a live zone inside `scope`: given a name and
/// its parents, the zone that contains the name (spec/services.md §4.6 step 1),
/// found in one query instead of one per label.
pub async fn find_closest_zone(
    db: &Storage,
    names: &[String],
    scope: ZoneScope,
) -> Result<Option<ServedZone>, StorageError> {
    if names.is_empty() {
        return Ok(None);
    }
    let (scope_column, scope_id) = match scope {
        ZoneScope::Pool(id) => ("pool_id", db_id(&id)),
        ZoneScope::Zone(id) => ("id", db_id(&id)),
    };
    let mut qb =
        QueryBuilder::<MySql>::new("SELECT id, name, ttl, type FROM zones WHERE name IN (");
    let mut list = qb.separated(", ");
    for name in names {
        list.push_bind(name.as_str());
    }
    qb.push(") AND deleted = '0' AND ")
        .push(scope_column)
        .push(" = ")
        .push_bind(scope_id)
        .push(" ORDER BY CHAR_LENGTH(name) DESC LIMIT 1");
    let row = qb.build().fetch_optional(db.pool()).await?;
    row.as_ref().map(served_zone).transpose()
}

/// The zone's SOA record(s) (normally exactly one).
pub async fn soa_records(db: &Storage, zone_id: &Uuid) -> Result<Vec<ServedRecord>, StorageError> {
    let rows = sqlx::query(
        "SELECT recordsets.name, recordsets.type, recordsets.ttl, records.data \
         FROM records JOIN recordsets ON records.recordset_id = recordsets.id \
         WHERE recordsets.zone_id = ? AND recordsets.type = 'SOA' AND records.action <> 'DELETE'",
    )
    .bind(db_id(zone_id))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(served_record).collect()
}

/// Every record of the zone but the SOA whose action is not `DELETE`, ordered by
/// recordset id: the body of an AXFR (spec/services.md §4.4). Rows stream from
/// the server as they are read, so a large zone is never held in memory.
pub fn zone_records<'a>(
    db: &'a Storage,
    zone_id: &Uuid,
) -> impl Stream<Item = Result<ServedRecord, StorageError>> + Send + 'a {
    sqlx::query(
        "SELECT recordsets.name, recordsets.type, recordsets.ttl, records.data \
         FROM records JOIN recordsets ON records.recordset_id = recordsets.id \
         WHERE recordsets.zone_id = ? AND recordsets.type <> 'SOA' AND records.action <> 'DELETE' \
         ORDER BY recordsets.id",
    )
    .bind(db_id(zone_id))
    .fetch(db.pool())
    .map_err(StorageError::from)
    .map(|row| row.and_then(|row| served_record(&row)))
}

/// The recordset `(zone, name, type)` with its live records, if it exists.
pub async fn find_recordset(
    db: &Storage,
    zone_id: &Uuid,
    name: &str,
    rtype: &str,
) -> Result<Option<ServedRecordSet>, StorageError> {
    let rows = sqlx::query(
        "SELECT recordsets.ttl, records.data FROM recordsets \
         LEFT JOIN records ON records.recordset_id = recordsets.id AND records.action <> 'DELETE' \
         WHERE recordsets.zone_id = ? AND recordsets.name = ? AND recordsets.type = ?",
    )
    .bind(db_id(zone_id))
    .bind(name)
    .bind(rtype)
    .fetch_all(db.pool())
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(text) = get::<Option<String>>(row, "data")? {
            data.push(text);
        }
    }
    Ok(Some(ServedRecordSet {
        ttl: get(first, "ttl")?,
        data,
    }))
}

fn served_zone(row: &MySqlRow) -> Result<ServedZone, StorageError> {
    Ok(ServedZone {
        id: uuid(row, "id")?,
        name: get(row, "name")?,
        ttl: get(row, "ttl")?,
        zone_type: enumerated(row, "type", ZoneType::parse)?,
    })
}

fn served_record(row: &MySqlRow) -> Result<ServedRecord, StorageError> {
    Ok(ServedRecord {
        name: get(row, "name")?,
        rtype: get(row, "type")?,
        ttl: get(row, "ttl")?,
        data: get(row, "data")?,
    })
}
