//! Reading columns into domain values, with a clear error for values the
//! model cannot hold (a row is outside input, never a reason to panic).

use delegate_model::ids;
use sqlx::mysql::MySqlRow;
use sqlx::{Decode, MySql, Row, Type};
use uuid::Uuid;

use crate::error::StorageError;

/// A column's value.
pub(crate) fn get<'r, T>(row: &'r MySqlRow, column: &'static str) -> Result<T, StorageError>
where
    T: Decode<'r, MySql> + Type<MySql>,
{
    row.try_get(column).map_err(StorageError::Database)
}

/// A CHAR(32) id column.
pub(crate) fn uuid(row: &MySqlRow, column: &'static str) -> Result<Uuid, StorageError> {
    let text: String = get(row, column)?;
    parse_id(column, &text)
}

/// A nullable CHAR(32) id column.
pub(crate) fn opt_uuid(row: &MySqlRow, column: &'static str) -> Result<Option<Uuid>, StorageError> {
    let text: Option<String> = get(row, column)?;
    text.map(|t| parse_id(column, &t)).transpose()
}

/// An ENUM column read through the model's parser.
pub(crate) fn enumerated<T>(
    row: &MySqlRow,
    column: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StorageError> {
    let text: String = get(row, column)?;
    parse(&text).ok_or_else(|| StorageError::BadRow {
        column,
        detail: format!("unexpected value {text:?}"),
    })
}

/// A nullable TINYINT(1) flag; NULL reads as false.
pub(crate) fn flag(row: &MySqlRow, column: &'static str) -> Result<bool, StorageError> {
    Ok(get::<Option<bool>>(row, column)?.unwrap_or(false))
}

fn parse_id(column: &'static str, text: &str) -> Result<Uuid, StorageError> {
    ids::parse_uuid(text).ok_or_else(|| StorageError::BadRow {
        column,
        detail: format!("{text:?} is not a UUID"),
    })
}

/// The storage form of an id (32 hex digits).
pub(crate) fn db_id(id: &Uuid) -> String {
    ids::to_db(id)
}

/// The storage form of an optional id.
pub(crate) fn opt_db_id(id: &Option<Uuid>) -> Option<String> {
    id.as_ref().map(ids::to_db)
}

/// `name` reversed character by character (spec/storage.md §1 `reverse_name`).
pub(crate) fn reverse_name(name: &str) -> String {
    name.chars().rev().collect()
}

/// Escapes `%`, `_` and `\` so that `text` matches itself in a `LIKE` pattern.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_and_escape() {
        assert_eq!(reverse_name("example.com."), ".moc.elpmaxe");
        assert_eq!(like_escape("a_b%c\\d."), "a\\_b\\%c\\\\d.");
    }
}
