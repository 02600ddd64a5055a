//! Request bodies into domain objects, by Designate's adapter rules
//! (spec/api-v2.md §4.4): keys are taken in body order; an unknown key is
//! collected, a read-only key with a value is collected and ends the walk,
//! and a value that cannot be assigned fails at once with its `ValueError`.
//! Then the object-level validation (spec/domain-rules.md §2.1, §3.1).

mod fields;
mod py;
pub mod recordset;
pub mod zone;

use delegate_model::{Error, ErrorKind};
use serde_json::Value;

use crate::body::JsonObject;
use crate::error::ValidationError;
use fields::FieldError;

/// What a resource made of one body key.
enum Key {
    Set,
    Unknown,
    NotAllowed,
}

/// A read-only key: allowed only with the current value, which is null on create.
fn read_only(value: &Value) -> Key {
    if value.is_null() {
        Key::Set
    } else {
        Key::NotAllowed
    }
}

/// Walks `body` in order, applying each key.
fn walk_keys(
    body: &JsonObject,
    resource: &str,
    mut apply: impl FnMut(&str, &Value) -> Result<Key, FieldError>,
) -> Result<(), Error> {
    let mut bad: Vec<&str> = Vec::new();
    for (key, value) in &body.0 {
        match apply(key, value)? {
            Key::Set => {}
            Key::Unknown => bad.push(key),
            Key::NotAllowed => {
                bad.push(key);
                break;
            }
        }
    }
    match bad.is_empty() {
        true => Ok(()),
        false => Err(Error::new(
            ErrorKind::InvalidObject,
            format!(
                "Provided object does not match schema. Keys {} are not valid for {resource}",
                py::repr_list(&bad)
            ),
        )),
    }
}

/// The quota resources a `PATCH /v2/quotas/{project_id}` body may set.
const QUOTA_RESOURCES: &[&str] = &[
    "zones",
    "zone_recordsets",
    "zone_records",
    "recordset_records",
    "api_export_size",
];

/// `{"zones": 20, …}` as `(resource, limit)` pairs in body order; each limit
/// an integer in `[-1, 2147483647]` (-1: unlimited).
pub fn quota_from_body(body: &JsonObject) -> Result<Vec<(String, i64)>, Error> {
    let mut limits = Vec::new();
    walk_keys(body, "quota", |key, value| {
        if !QUOTA_RESOURCES.contains(&key) {
            return Ok(Key::Unknown);
        }
        let limit = fields::integer(key, value, false, -1, 2_147_483_647)?.unwrap_or_default();
        limits.push((key.to_owned(), limit));
        Ok(Key::Set)
    })?;
    Ok(limits)
}

/// One structured validation error.
fn validation_error(
    path: Vec<Value>,
    message: String,
    validator: &str,
    validator_value: Value,
) -> ValidationError {
    ValidationError {
        path,
        message,
        validator: validator.to_owned(),
        validator_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_listed_in_body_order_and_read_only_stops_the_walk() {
        let body =
            crate::body::parse(br#"{"foo": 1, "bar": 2, "id": "x", "baz": 3}"#).expect("body");
        let err = walk_keys(&body, "zone", |k, v| {
            Ok(match k {
                "id" => read_only(v),
                _ => Key::Unknown,
            })
        })
        .expect_err("refused");
        assert_eq!(
            err.message.as_deref(),
            Some(
                "Provided object does not match schema. Keys ['foo', 'bar', 'id'] are not valid for zone"
            )
        );
    }
}
