//! Criterion → SQL conditions (spec/storage.md §3.1), the filter language of
//! every `find_*` call: a map of column → value where a string value may carry
//! an operator:
//!
//! | value            | condition               |
//! |------------------|-------------------------|
//! | contains `%`     | `col LIKE value`        |
//! | `!x`             | `col <> x`              |
//! | `<=x` `<x` `>=x` `>x` | comparison         |
//! | `BETWEEN a,b`    | `col BETWEEN a AND b`   |
//! | list             | `col IN (…)`            |
//! | null             | `col IS NULL`           |
//! | anything else    | `col = value`           |
//!
//! Column names come from a per-table whitelist, values are always bound.

use delegate_model::ids;
use serde_json::{Map, Value};
use sqlx::{MySql, QueryBuilder};

use crate::error::StorageError;

/// How criterion values of a column are bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Bound as given.
    Plain,
    /// An id column: hyphenated UUIDs are turned into the 32-hex storage form.
    Uuid,
}

/// A column a criterion may name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The criterion key (and API filter name).
    pub key: &'static str,
    /// The qualified SQL column.
    pub sql: &'static str,
    pub kind: Kind,
}

impl Column {
    pub(crate) const fn plain(key: &'static str, sql: &'static str) -> Column {
        Column {
            key,
            sql,
            kind: Kind::Plain,
        }
    }

    pub(crate) const fn uuid(key: &'static str, sql: &'static str) -> Column {
        Column {
            key,
            sql,
            kind: Kind::Uuid,
        }
    }
}

/// The API's wildcard: every `*` in a string filter value becomes `%`, which
/// then selects `LIKE` (spec/api-v2.md §6.3).
pub fn expand_wildcards(criterion: &mut Map<String, Value>) {
    for value in criterion.values_mut() {
        if let Value::String(s) = value
            && s.contains('*')
        {
            *s = s.replace('*', "%");
        }
    }
}

/// Appends ` AND <condition>` for every entry of `criterion` whose key is in
/// `columns`; entries in `skip` are left to the caller; any other key is an error.
pub(crate) fn push_conditions(
    qb: &mut QueryBuilder<MySql>,
    columns: &[Column],
    criterion: &Map<String, Value>,
    skip: &[&str],
) -> Result<(), StorageError> {
    for (key, value) in criterion {
        if skip.contains(&key.as_str()) {
            continue;
        }
        let column = columns
            .iter()
            .find(|c| c.key == key)
            .ok_or_else(|| StorageError::InvalidCriterion(format!("unknown filter {key}")))?;
        qb.push(" AND ");
        push_condition(qb, column, value)?;
    }
    Ok(())
}

/// A bindable scalar.
enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

fn push_condition(
    qb: &mut QueryBuilder<MySql>,
    col: &Column,
    value: &Value,
) -> Result<(), StorageError> {
    match value {
        Value::Null => {
            qb.push(col.sql).push(" IS NULL");
        }
        Value::Array(items) => push_in(qb, col, items)?,
        Value::String(s) => push_string_condition(qb, col, s)?,
        other => {
            qb.push(col.sql).push(" = ");
            bind(qb, scalar(col, other)?);
        }
    }
    Ok(())
}

fn push_in(
    qb: &mut QueryBuilder<MySql>,
    col: &Column,
    items: &[Value],
) -> Result<(), StorageError> {
    if items.is_empty() {
        qb.push("FALSE");
        return Ok(());
    }
    qb.push(col.sql).push(" IN (");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        bind(qb, scalar(col, item)?);
    }
    qb.push(")");
    Ok(())
}

fn push_string_condition(
    qb: &mut QueryBuilder<MySql>,
    col: &Column,
    s: &str,
) -> Result<(), StorageError> {
    if s.contains('%') {
        qb.push(col.sql).push(" LIKE ");
        bind(qb, Scalar::Str(s.to_owned()));
        return Ok(());
    }
    if let Some(range) = s.strip_prefix("BETWEEN") {
        return push_between(qb, col, range);
    }
    // Longer operators first: `<=` before `<`.
    let (op, operand) = [
        ("!", " <> "),
        ("<=", " <= "),
        ("<", " < "),
        (">=", " >= "),
        (">", " > "),
    ]
    .iter()
    .find_map(|(prefix, op)| s.strip_prefix(prefix).map(|rest| (*op, rest)))
    .unwrap_or((" = ", s));
    qb.push(col.sql).push(op);
    bind(qb, text(col, operand));
    Ok(())
}

/// `BETWEEN a,b` (elements trimmed of spaces, as Designate does).
fn push_between(
    qb: &mut QueryBuilder<MySql>,
    col: &Column,
    range: &str,
) -> Result<(), StorageError> {
    let parts: Vec<&str> = range
        .trim_matches(' ')
        .split(',')
        .map(|p| p.trim_matches(' '))
        .collect();
    let [low, high] = parts.as_slice() else {
        return Err(StorageError::InvalidCriterion(format!(
            "{}: BETWEEN needs two values separated by a comma",
            col.key
        )));
    };
    qb.push(col.sql).push(" BETWEEN ");
    bind(qb, text(col, low));
    qb.push(" AND ");
    bind(qb, text(col, high));
    Ok(())
}

fn scalar(col: &Column, value: &Value) -> Result<Scalar, StorageError> {
    match value {
        Value::String(s) => Ok(text(col, s)),
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(Scalar::Int)
            .or_else(|| n.as_f64().map(Scalar::Float))
            .ok_or_else(|| {
                StorageError::InvalidCriterion(format!("{}: number out of range", col.key))
            }),
        _ => Err(StorageError::InvalidCriterion(format!(
            "{}: expected a string, number, boolean or list",
            col.key
        ))),
    }
}

fn text(col: &Column, s: &str) -> Scalar {
    match col.kind {
        Kind::Uuid => match ids::parse_uuid(s) {
            Some(id) => Scalar::Str(ids::to_db(&id)),
            None => Scalar::Str(s.to_owned()),
        },
        Kind::Plain => Scalar::Str(s.to_owned()),
    }
}

fn bind(qb: &mut QueryBuilder<MySql>, value: Scalar) {
    match value {
        Scalar::Str(s) => qb.push_bind(s),
        Scalar::Int(i) => qb.push_bind(i),
        Scalar::Float(f) => qb.push_bind(f),
        Scalar::Bool(b) => qb.push_bind(b),
    };
}

/// Pushes `v1, v2, …)` (the caller has written the opening parenthesis).
pub(crate) fn push_list(qb: &mut QueryBuilder<MySql>, values: &[String]) {
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
    qb.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COLUMNS: &[Column] = &[
        Column::plain("name", "z.name"),
        Column::plain("ttl", "z.ttl"),
        Column::uuid("pool_id", "z.pool_id"),
    ];

    fn sql(criterion: Value) -> Result<String, StorageError> {
        let mut qb = QueryBuilder::new("WHERE TRUE");
        let map = criterion.as_object().cloned().unwrap_or_default();
        push_conditions(&mut qb, COLUMNS, &map, &[])?;
        Ok(qb.into_string())
    }

    #[test]
    fn operators_become_conditions() {
        assert_eq!(
            sql(json!({"name": "a%"})).ok().as_deref(),
            Some("WHERE TRUE AND z.name LIKE ?")
        );
        assert_eq!(
            sql(json!({"name": "!a"})).ok().as_deref(),
            Some("WHERE TRUE AND z.name <> ?")
        );
        assert_eq!(
            sql(json!({"ttl": "<=5"})).ok().as_deref(),
            Some("WHERE TRUE AND z.ttl <= ?")
        );
        assert_eq!(
            sql(json!({"ttl": ">5"})).ok().as_deref(),
            Some("WHERE TRUE AND z.ttl > ?")
        );
        assert_eq!(
            sql(json!({"ttl": "BETWEEN 1, 5"})).ok().as_deref(),
            Some("WHERE TRUE AND z.ttl BETWEEN ? AND ?")
        );
        assert_eq!(
            sql(json!({"ttl": [1, 2]})).ok().as_deref(),
            Some("WHERE TRUE AND z.ttl IN (?, ?)")
        );
        assert_eq!(
            sql(json!({"ttl": []})).ok().as_deref(),
            Some("WHERE TRUE AND FALSE")
        );
        assert_eq!(
            sql(json!({"name": null})).ok().as_deref(),
            Some("WHERE TRUE AND z.name IS NULL")
        );
        assert_eq!(
            sql(json!({"ttl": 300})).ok().as_deref(),
            Some("WHERE TRUE AND z.ttl = ?")
        );
    }

    #[test]
    fn refuses_unknown_columns_and_bad_ranges() {
        assert!(matches!(
            sql(json!({"email; DROP": "x"})),
            Err(StorageError::InvalidCriterion(_))
        ));
        assert!(matches!(
            sql(json!({"ttl": "BETWEEN 5"})),
            Err(StorageError::InvalidCriterion(_))
        ));
        assert!(matches!(
            sql(json!({"ttl": {"a": 1}})),
            Err(StorageError::InvalidCriterion(_))
        ));
    }

    #[test]
    fn wildcards_expand_to_like() {
        let mut map = json!({"name": "*.example.com.", "ttl": 5})
            .as_object()
            .cloned()
            .unwrap_or_default();
        expand_wildcards(&mut map);
        assert_eq!(map["name"], "%.example.com.");
        assert_eq!(map["ttl"], 5);
    }
}
