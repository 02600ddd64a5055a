//! Keyset pagination (spec/storage.md §3.1, spec/api-v2.md §6.2): rows are
//! ordered by `(sort_key, id)`, both in the sort direction, and a page starts
//! after the marker row.
//!
//! Unlike Designate, a marker whose sort value is NULL (e.g. `updated_at` of a
//! row never updated) pages correctly: MySQL orders NULLs first, so they are
//! handled explicitly instead of comparing with NULL.

use delegate_model::ids;
use sqlx::{MySql, MySqlConnection, QueryBuilder};

use crate::error::StorageError;

/// The paging part of a `find_*` call, as the caller sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Id of the last row of the previous page.
    pub marker: Option<String>,
    pub limit: Option<u32>,
    /// A column of the table; default `created_at`.
    pub sort_key: Option<String>,
    /// `asc` (default) or `desc`, exactly.
    pub sort_dir: Option<String>,
}

/// A validated page of one table.
#[derive(Debug)]
pub(crate) struct Page {
    table: &'static str,
    sort: &'static str,
    desc: bool,
    marker: Option<Marker>,
    limit: Option<u32>,
}

#[derive(Debug)]
struct Marker {
    id: String,
    sort_value_is_null: bool,
}

impl Page {
    /// Checks the request against `table` (whose sortable columns are
    /// `sortable`), in Designate's order: marker, direction, key.
    pub(crate) async fn resolve(
        conn: &mut MySqlConnection,
        table: &'static str,
        sortable: &[&'static str],
        req: &PageRequest,
    ) -> Result<Page, StorageError> {
        let wanted = req.sort_key.as_deref().unwrap_or("created_at");
        let sort = sortable.iter().copied().find(|c| *c == wanted);
        let marker = match &req.marker {
            // An unknown sort key is reported after the marker checks.
            Some(m) => Some(Self::marker(conn, table, sort.unwrap_or("id"), m).await?),
            None => None,
        };
        let desc = match req.sort_dir.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(StorageError::InvalidSortDir(other.to_owned())),
        };
        let sort = sort.ok_or_else(|| StorageError::InvalidSortKey(wanted.to_owned()))?;
        Ok(Page {
            table,
            sort,
            desc,
            marker,
            limit: req.limit,
        })
    }

    /// Looks the marker row up with no tenant or deleted filter (Designate's
    /// behaviour: a marker only has to exist).
    async fn marker(
        conn: &mut MySqlConnection,
        table: &'static str,
        sort: &'static str,
        marker: &str,
    ) -> Result<Marker, StorageError> {
        let id = ids::parse_uuid(marker).ok_or(StorageError::InvalidMarker)?;
        let id = ids::to_db(&id);
        let mut qb = QueryBuilder::<MySql>::new("SELECT ");
        qb.push(sort)
            .push(" IS NULL FROM ")
            .push(table)
            .push(" WHERE id = ");
        qb.push_bind(id.clone());
        let is_null: Option<bool> = qb.build_query_scalar().fetch_optional(conn).await?;
        let sort_value_is_null = is_null.ok_or(StorageError::MarkerNotFound)?;
        Ok(Marker {
            id,
            sort_value_is_null,
        })
    }

    /// Appends ` AND (<rows after the marker>)`; `alias` is how the main query
    /// names the table.
    pub(crate) fn push_after_marker(&self, qb: &mut QueryBuilder<MySql>, alias: &str) {
        let Some(marker) = &self.marker else { return };
        let key = format!("{alias}.{}", self.sort);
        let id = format!("{alias}.id");
        let (beyond, id_beyond) = if self.desc {
            (" < ", " < ")
        } else {
            (" > ", " > ")
        };
        qb.push(" AND (");
        if marker.sort_value_is_null {
            // NULLs sort first: after a NULL marker come the NULL rows with a
            // later id, then (ascending only) every non-NULL row.
            qb.push(&key)
                .push(" IS NULL AND ")
                .push(&id)
                .push(id_beyond);
            qb.push_bind(marker.id.clone());
            if !self.desc {
                qb.push(" OR ").push(&key).push(" IS NOT NULL");
            }
        } else {
            qb.push(&key).push(beyond);
            self.push_marker_value(qb, marker);
            qb.push(" OR (").push(&key).push(" = ");
            self.push_marker_value(qb, marker);
            qb.push(" AND ").push(&id).push(id_beyond);
            qb.push_bind(marker.id.clone());
            qb.push(")");
            if self.desc {
                qb.push(" OR ").push(&key).push(" IS NULL");
            }
        }
        qb.push(")");
    }

    /// The marker's sort value, read in SQL so that its type is the column's.
    fn push_marker_value(&self, qb: &mut QueryBuilder<MySql>, marker: &Marker) {
        qb.push("(SELECT m.")
            .push(self.sort)
            .push(" FROM ")
            .push(self.table);
        qb.push(" m WHERE m.id = ");
        qb.push_bind(marker.id.clone());
        qb.push(")");
    }

    /// Appends ` ORDER BY <key> <dir>, id <dir> [LIMIT n]`.
    pub(crate) fn push_order_and_limit(&self, qb: &mut QueryBuilder<MySql>, alias: &str) {
        let dir = if self.desc { " DESC" } else { " ASC" };
        qb.push(" ORDER BY ")
            .push(alias)
            .push(".")
            .push(self.sort)
            .push(dir);
        qb.push(", ").push(alias).push(".id").push(dir);
        if let Some(limit) = self.limit {
            qb.push(" LIMIT ");
            qb.push_bind(i64::from(limit));
        }
    }
}
