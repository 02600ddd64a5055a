//! Reading and writing RPC keyword arguments.

use delegate_model::envelope::{self, DesignateObject};
use delegate_model::{Error, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Builds the `args` map of a message.
#[derive(Default)]
pub struct ArgsBuilder(Map<String, Value>);

impl ArgsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A plain JSON value (ids, strings, numbers, dicts).
    pub fn value(mut self, name: &str, value: impl Serialize) -> Self {
        self.0.insert(
            name.into(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }

    /// A versioned object, with the list of fields the caller changed.
    pub fn object<T: DesignateObject>(mut self, name: &str, obj: &T, changes: &[&str]) -> Self {
        self.0
            .insert(name.into(), envelope::to_primitive(obj, changes));
        self
    }

    pub fn build(self) -> Map<String, Value> {
        self.0
    }
}

/// A required plain argument.
pub fn value<T: DeserializeOwned>(args: &Map<String, Value>, name: &str) -> Result<T, Error> {
    let raw = args.get(name).cloned().unwrap_or(Value::Null);
    serde_json::from_value(raw).map_err(|e| bad_arg(name, e))
}

/// An optional plain argument: absent and `null` are `None`.
pub fn optional<T: DeserializeOwned>(
    args: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, Error> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| bad_arg(name, e)),
    }
}

/// A required object argument and its changed-field list.
pub fn object<T: DesignateObject>(
    args: &Map<String, Value>,
    name: &str,
) -> Result<(T, Vec<String>), Error> {
    let raw = args.get(name).cloned().unwrap_or(Value::Null);
    let changes = envelope::changes_of(&raw);
    let obj = envelope::from_primitive(raw).map_err(|e| bad_arg(name, e))?;
    Ok((obj, changes))
}

/// Decodes an object result.
pub fn result_object<T: DesignateObject>(value: Value) -> Result<T, Error> {
    envelope::from_primitive(value)
        .map_err(|e| Error::new(ErrorKind::Unknown, format!("bad reply: {e}")))
}

/// Decodes a list result with its total count.
pub fn result_list<T: DesignateObject>(value: Value) -> Result<(Vec<T>, Option<u64>), Error> {
    envelope::list_from_primitive(value)
        .map_err(|e| Error::new(ErrorKind::Unknown, format!("bad reply: {e}")))
}

fn bad_arg(name: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::BadRequest,
        format!("invalid argument {name}: {e}"),
    )
}
