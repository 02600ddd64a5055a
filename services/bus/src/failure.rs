//! oslo.messaging's "failure" encoding of a remote exception
//! (`oslo_messaging._drivers.common.serialize_remote_exception`).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Module of oslo.messaging's dispatcher errors.
pub const DISPATCHER_MODULE: &str = "oslo_messaging.rpc.dispatcher";

/// An exception raised by a remote handler, as it travels in a reply's
/// `failure` field: `{"class", "module", "message", "tb", "args", "kwargs"}`.
///
/// Python callers rebuild it as `Class(*args)`, so `args[0]` should be the
/// message; [`RemoteError::new`] does that.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteError {
    pub class: String,
    pub module: String,
    #[serde(default)]
    pub message: String,
    /// Python traceback lines; Delegate sends none.
    #[serde(default)]
    pub tb: Vec<String>,
    #[serde(default)]
    pub args: Vec<Value>,
    #[serde(default)]
    pub kwargs: Map<String, Value>,
}

impl RemoteError {
    /// An error whose only constructor argument is its message, like most
    /// Python exceptions (`ZoneNotFound("Could not find Zone")`).
    pub fn new(
        class: impl Into<String>,
        module: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            class: class.into(),
            module: module.into(),
            args: vec![Value::String(message.clone())],
            message,
            tb: Vec::new(),
            kwargs: Map::new(),
        }
    }

    /// oslo's `NoSuchMethod`, for a method the endpoint does not have.
    pub fn no_such_method(method: &str) -> Self {
        Self::new(
            "NoSuchMethod",
            DISPATCHER_MODULE,
            format!("Endpoint does not support RPC method {method}"),
        )
    }

    /// oslo's `UnsupportedVersion`, for a message whose API version the server cannot serve.
    pub fn unsupported_version(version: &str, method: &str) -> Self {
        Self::new(
            "UnsupportedVersion",
            DISPATCHER_MODULE,
            format!("Endpoint does not support RPC version {version}. Attempted method: {method}"),
        )
    }

    /// A failure with no more specific class (a handler bug, e.g. a panic).
    /// Python callers re-raise `builtins` classes as themselves, so this
    /// arrives as a `RuntimeError` (an HTTP 500 at the API), as it would from Designate.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("RuntimeError", "builtins", message)
    }

    /// The JSON *string* that goes into a reply's `failure` field.
    pub fn to_failure_json(&self) -> String {
        serde_json::Value::from(self).to_string()
    }

    /// Parses a reply's `failure` string.
    pub fn from_failure_json(failure: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(failure)
    }
}

impl From<&RemoteError> for Value {
    fn from(err: &RemoteError) -> Value {
        let mut map = Map::new();
        map.insert("class".into(), err.class.clone().into());
        map.insert("module".into(), err.module.clone().into());
        map.insert("message".into(), err.message.clone().into());
        map.insert("tb".into(), err.tb.clone().into());
        map.insert("args".into(), Value::Array(err.args.clone()));
        map.insert("kwargs".into(), Value::Object(err.kwargs.clone()));
        Value::Object(map)
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}: {}", self.module, self.class, self.message)
    }
}

impl std::error::Error for RemoteError {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failure_json_has_exactly_oslos_keys() {
        let err = RemoteError::new(
            "ZoneNotFound",
            "designate.exceptions",
            "Could not find Zone",
        );
        let value: Value = serde_json::from_str(&err.to_failure_json()).unwrap();
        assert_eq!(
            value,
            json!({
                "class": "ZoneNotFound",
                "module": "designate.exceptions",
                "message": "Could not find Zone",
                "tb": [],
                "args": ["Could not find Zone"],
                "kwargs": {}
            })
        );
    }

    #[test]
    fn parses_a_python_failure_with_traceback_and_ignores_unknown_keys() {
        let failure = r#"{"class": "DuplicateZone", "module": "designate.exceptions",
            "message": "Duplicate Zone", "tb": ["Traceback (most recent call last):\n"],
            "args": ["Duplicate Zone"], "kwargs": {}, "extra": 1}"#;
        let err = RemoteError::from_failure_json(failure).unwrap();
        assert_eq!(err.class, "DuplicateZone");
        assert_eq!(err.message, "Duplicate Zone");
        assert_eq!(err.tb.len(), 1);
        assert_eq!(
            err.to_string(),
            "designate.exceptions.DuplicateZone: Duplicate Zone"
        );
    }

    #[test]
    fn missing_optional_keys_default_but_class_is_required() {
        let err = RemoteError::from_failure_json(r#"{"class": "X", "module": "m"}"#).unwrap();
        assert_eq!((err.message.as_str(), err.args.len()), ("", 0));
        assert!(RemoteError::from_failure_json(r#"{"module": "m"}"#).is_err());
    }

    #[test]
    fn dispatcher_errors_match_oslo_messages() {
        let e = RemoteError::unsupported_version("7.0", "get_zone");
        assert_eq!(e.module, "oslo_messaging.rpc.dispatcher");
        assert_eq!(
            e.message,
            "Endpoint does not support RPC version 7.0. Attempted method: get_zone"
        );
        assert_eq!(
            RemoteError::no_such_method("frob").message,
            "Endpoint does not support RPC method frob"
        );
    }
}
