//! oslo.versionedobjects primitives, the form objects take on the bus
//! (spec/services.md §2):
//!
//! ```json
//! {"designate_object.name": "Zone", "designate_object.namespace": "designate",
//!  "designate_object.version": "1.0", "designate_object.data": {…},
//!  "designate_object.changes": ["ttl"]}
//! ```
//!
//! Only set fields appear in `data`: Delegate writes `null`-valued fields out and
//! reads a missing field as its default, so both peers understand each other.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const NAME: &str = "designate_object.name";
const NAMESPACE: &str = "designate_object.namespace";
const VERSION: &str = "designate_object.version";
const DATA: &str = "designate_object.data";
const CHANGES: &str = "designate_object.changes";

/// A type that travels as a versioned object.
pub trait DesignateObject: Serialize + DeserializeOwned {
    /// The object name (`Zone`, `RecordSet`, …).
    const NAME: &'static str;
    /// The list object's name (`ZoneList`, …).
    const LIST_NAME: &'static str;
}

/// Why a primitive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("expected a {expected} object primitive, got {got}")]
    WrongObject { expected: &'static str, got: String },
    #[error("object primitive has no `designate_object.data`")]
    NoData,
    #[error("bad {object} data: {source}")]
    Data {
        object: &'static str,
        source: serde_json::Error,
    },
}

/// Wraps `obj` as a primitive; `changes` lists the fields the caller changed.
pub fn to_primitive<T: DesignateObject>(obj: &T, changes: &[&str]) -> Value {
    let data = match serde_json::to_value(obj) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let data: Map<String, Value> = data.into_iter().filter(|(_, v)| !v.is_null()).collect();
    wrap(T::NAME, Value::Object(data), changes)
}

/// Reads a primitive of type `T`.
pub fn from_primitive<T: DesignateObject>(value: Value) -> Result<T, EnvelopeError> {
    let data = unwrap(T::NAME, value)?;
    serde_json::from_value(data).map_err(|source| EnvelopeError::Data {
        object: T::NAME,
        source,
    })
}

/// The `designate_object.changes` list of a primitive (empty when absent).
pub fn changes_of(value: &Value) -> Vec<String> {
    value
        .get(CHANGES)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Wraps a list, with `total_count` on paged lists.
pub fn list_to_primitive<T: DesignateObject>(items: &[T], total_count: Option<u64>) -> Value {
    let objects: Vec<Value> = items.iter().map(|o| to_primitive(o, &[])).collect();
    let mut data = Map::new();
    data.insert("objects".into(), Value::Array(objects));
    if let Some(n) = total_count {
        data.insert("total_count".into(), n.into());
    }
    wrap(T::LIST_NAME, Value::Object(data), &[])
}

/// Reads a list primitive: its items and `total_count`.
pub fn list_from_primitive<T: DesignateObject>(
    value: Value,
) -> Result<(Vec<T>, Option<u64>), EnvelopeError> {
    let data = unwrap(T::LIST_NAME, value)?;
    let total = data.get("total_count").and_then(Value::as_u64);
    let objects = match data.get("objects") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let items = objects
        .into_iter()
        .map(from_primitive)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

fn wrap(name: &str, data: Value, changes: &[&str]) -> Value {
    let mut map = Map::new();
    map.insert(NAME.into(), name.into());
    map.insert(NAMESPACE.into(), "designate".into());
    map.insert(VERSION.into(), "1.0".into());
    map.insert(DATA.into(), data);
    if !changes.is_empty() {
        let mut sorted: Vec<&str> = changes.to_vec();
        sorted.sort_unstable();
        map.insert(CHANGES.into(), sorted.into());
    }
    Value::Object(map)
}

fn unwrap(expected: &'static str, value: Value) -> Result<Value, EnvelopeError> {
    let Value::Object(mut map) = value else {
        return Err(EnvelopeError::WrongObject {
            expected,
            got: "a non-object".into(),
        });
    };
    match map.get(NAME).and_then(Value::as_str) {
        Some(name) if name == expected => {}
        other => {
            let got = other.unwrap_or("an untagged value").to_owned();
            return Err(EnvelopeError::WrongObject { expected, got });
        }
    }
    map.remove(DATA).ok_or(EnvelopeError::NoData)
}

/// serde for a nested list of objects (`Zone.masters`, `RecordSet.records`, …),
/// which travel as list primitives inside the parent's data.
pub mod nested {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: DesignateObject, S: Serializer>(
        items: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        list_to_primitive(items, None).serialize(s)
    }

    pub fn deserialize<'de, T: DesignateObject, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        let value = Value::deserialize(d)?;
        match value {
            Value::Null => Ok(Vec::new()),
            // Plain arrays are accepted too: simpler peers may send them.
            Value::Array(items) => items
                .into_iter()
                .map(|v| {
                    if v.get(NAME).is_some() {
                        from_primitive(v).map_err(serde::de::Error::custom)
                    } else {
                        serde_json::from_value(v).map_err(serde::de::Error::custom)
                    }
                })
                .collect(),
            v => list_from_primitive(v)
                .map(|(items, _)| items)
                .map_err(serde::de::Error::custom),
        }
    }
}
