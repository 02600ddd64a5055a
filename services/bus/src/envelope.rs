//! The oslo.messaging 2.0 envelope and the RPC, reply and notification
//! messages inside it (spec/services.md §2).

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::BusError;
use crate::failure::RemoteError;

const VERSION_KEY: &str = "oslo.version";
const MESSAGE_KEY: &str = "oslo.message";
const ENVELOPE_VERSION: &str = "2.0";
const CONTEXT_PREFIX: &str = "_context_";

/// Wraps an inner message: `{"oslo.version": "2.0", "oslo.message": "<inner JSON>"}`.
pub(crate) fn wrap(inner: Map<String, Value>) -> Vec<u8> {
    let mut outer = Map::new();
    outer.insert(VERSION_KEY.into(), ENVELOPE_VERSION.into());
    outer.insert(MESSAGE_KEY.into(), Value::Object(inner).to_string().into());
    Value::Object(outer).to_string().into_bytes()
}

/// Unwraps a body; like oslo, a body without `oslo.version` is taken as the
/// inner message itself (pre-envelope senders).
pub(crate) fn unwrap(body: &[u8]) -> Result<Map<String, Value>, BusError> {
    let Value::Object(mut outer) = serde_json::from_slice(body).map_err(malformed)? else {
        return Err(BusError::Malformed("body is not a JSON object".into()));
    };
    let Some(version) = outer.remove(VERSION_KEY) else {
        return Ok(outer);
    };
    if version.as_str().and_then(|v| v.split('.').next()) != Some("2") {
        return Err(BusError::Malformed(format!(
            "unsupported oslo.version {version}"
        )));
    }
    let inner = match outer.remove(MESSAGE_KEY) {
        Some(Value::String(inner)) => inner,
        _ => return Err(BusError::Malformed("oslo.message is not a string".into())),
    };
    match serde_json::from_str(&inner).map_err(malformed)? {
        Value::Object(map) => Ok(map),
        _ => Err(BusError::Malformed(
            "oslo.message is not a JSON object".into(),
        )),
    }
}

fn malformed(err: serde_json::Error) -> BusError {
    BusError::Malformed(err.to_string())
}

pub(crate) fn new_id() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Where a call's reply goes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReplyTo {
    pub msg_id: String,
    pub reply_q: String,
}

/// An RPC request (call or cast).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RequestMessage {
    pub method: String,
    pub args: Map<String, Value>,
    pub version: String,
    pub context: Map<String, Value>,
    /// `Some` for a call, `None` for a cast.
    pub reply_to: Option<ReplyTo>,
}

impl RequestMessage {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut inner = Map::new();
        inner.insert("method".into(), self.method.clone().into());
        inner.insert("args".into(), Value::Object(self.args.clone()));
        inner.insert("version".into(), self.version.clone().into());
        inner.insert("_unique_id".into(), new_id().into());
        spread_context(&mut inner, &self.context);
        if let Some(reply) = &self.reply_to {
            inner.insert("_msg_id".into(), reply.msg_id.clone().into());
            inner.insert("_reply_q".into(), reply.reply_q.clone().into());
            // oslo sends its call-monitor timeout here, None unless configured.
            inner.insert("_timeout".into(), Value::Null);
        }
        wrap(inner)
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, BusError> {
        let mut inner = unwrap(body)?;
        let method = match inner.remove("method") {
            Some(Value::String(m)) if !m.is_empty() => m,
            _ => return Err(BusError::Malformed("request without a method".into())),
        };
        let args = match inner.remove("args") {
            Some(Value::Object(args)) => args,
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(BusError::Malformed("args is not an object".into())),
        };
        // oslo's dispatcher defaults a missing version to 1.0.
        let version = take_string(&mut inner, "version").unwrap_or_else(|| "1.0".into());
        let reply_to = match (
            take_string(&mut inner, "_msg_id"),
            take_string(&mut inner, "_reply_q"),
        ) {
            (Some(msg_id), Some(reply_q)) => Some(ReplyTo { msg_id, reply_q }),
            _ => None,
        };
        Ok(Self {
            method,
            args,
            version,
            context: gather_context(inner),
            reply_to,
        })
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn spread_context(inner: &mut Map<String, Value>, context: &Map<String, Value>) {
    for (key, value) in context {
        inner.insert(format!("{CONTEXT_PREFIX}{key}"), value.clone());
    }
}

fn gather_context(inner: Map<String, Value>) -> Map<String, Value> {
    inner
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix(CONTEXT_PREFIX).map(|k| (k.to_owned(), v)))
        .collect()
}

/// The reply to a call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReplyMessage {
    pub msg_id: String,
    pub outcome: Result<Value, RemoteError>,
}

impl ReplyMessage {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let (result, failure) = match &self.outcome {
            Ok(result) => (result.clone(), Value::Null),
            Err(err) => (Value::Null, err.to_failure_json().into()),
        };
        let mut inner = Map::new();
        inner.insert("result".into(), result);
        inner.insert("failure".into(), failure);
        inner.insert("ending".into(), true.into());
        inner.insert("_msg_id".into(), self.msg_id.clone().into());
        inner.insert("_unique_id".into(), new_id().into());
        wrap(inner)
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, BusError> {
        let mut inner = unwrap(body)?;
        let msg_id = take_string(&mut inner, "_msg_id")
            .ok_or_else(|| BusError::Malformed("reply without _msg_id".into()))?;
        let outcome = match inner.remove("failure") {
            None | Some(Value::Null) => Ok(inner.remove("result").unwrap_or(Value::Null)),
            Some(Value::String(failure)) => {
                Err(RemoteError::from_failure_json(&failure).map_err(malformed)?)
            }
            Some(_) => return Err(BusError::Malformed("failure is not a string".into())),
        };
        Ok(Self { msg_id, outcome })
    }
}

/// A notification (oslo.messaging "messaging" driver, spec/services.md §2).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NotificationMessage {
    pub publisher_id: String,
    pub event_type: String,
    /// Upper-case, e.g. `INFO`.
    pub priority: String,
    pub payload: Value,
    pub context: Map<String, Value>,
}

impl NotificationMessage {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut inner = Map::new();
        inner.insert(
            "message_id".into(),
            Uuid::new_v4().hyphenated().to_string().into(),
        );
        inner.insert("publisher_id".into(), self.publisher_id.clone().into());
        inner.insert("event_type".into(), self.event_type.clone().into());
        inner.insert("priority".into(), self.priority.clone().into());
        inner.insert("payload".into(), self.payload.clone());
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.6f");
        inner.insert("timestamp".into(), now.to_string().into());
        inner.insert("_unique_id".into(), new_id().into());
        spread_context(&mut inner, &self.context);
        wrap(inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// The outer JSON and the decoded inner JSON of an encoded body.
    fn layers(body: &[u8]) -> (Map<String, Value>, Map<String, Value>) {
        let outer = object(serde_json::from_slice(body).unwrap());
        let inner = object(serde_json::from_str(outer["oslo.message"].as_str().unwrap()).unwrap());
        (outer, inner)
    }

    fn call() -> RequestMessage {
        RequestMessage {
            method: "get_zone".into(),
            args: object(json!({"zone_id": "z1", "limit": null})),
            version: "6.12".into(),
            context: object(json!({"project_id": "p1", "is_admin": false})),
            reply_to: Some(ReplyTo {
                msg_id: "m1".into(),
                reply_q: "reply_abc".into(),
            }),
        }
    }

    #[test]
    fn call_inner_message_has_exactly_oslos_keys() {
        let (outer, inner) = layers(&call().encode());
        assert_eq!(outer.len(), 2);
        assert_eq!(outer["oslo.version"], "2.0");
        let mut keys: Vec<_> = inner.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "_context_is_admin",
                "_context_project_id",
                "_msg_id",
                "_reply_q",
                "_timeout",
                "_unique_id",
                "args",
                "method",
                "version"
            ]
        );
        assert_eq!(inner["_timeout"], Value::Null);
        assert_eq!(inner["args"], json!({"zone_id": "z1", "limit": null}));
        assert_eq!(inner["_unique_id"].as_str().unwrap().len(), 32);
    }

    #[test]
    fn cast_has_no_reply_keys_and_round_trips() {
        let cast = RequestMessage {
            reply_to: None,
            ..call()
        };
        let (_, inner) = layers(&cast.encode());
        assert!(!inner.contains_key("_msg_id") && !inner.contains_key("_reply_q"));
        assert_eq!(RequestMessage::decode(&cast.encode()).unwrap(), cast);
        assert_eq!(RequestMessage::decode(&call().encode()).unwrap(), call());
    }

    #[test]
    fn decodes_an_unenveloped_message_with_defaults() {
        let body = br#"{"method": "ping", "_context_user": "u"}"#;
        let msg = RequestMessage::decode(body).unwrap();
        assert_eq!((msg.method.as_str(), msg.version.as_str()), ("ping", "1.0"));
        assert_eq!(msg.context, object(json!({"user": "u"})));
        assert!(msg.args.is_empty() && msg.reply_to.is_none());
    }

    #[test]
    fn rejects_malformed_requests() {
        let no_method = wrap(object(json!({"args": {}})));
        let bad_args = wrap(object(json!({"method": "m", "args": [1]})));
        let inner_not_string = br#"{"oslo.version": "2.0", "oslo.message": {}}"#;
        let wrong_version = br#"{"oslo.version": "3.0", "oslo.message": "{}"}"#;
        for body in [
            &no_method[..],
            &bad_args,
            inner_not_string,
            wrong_version,
            b"[1]",
            b"nope",
        ] {
            assert!(
                RequestMessage::decode(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn reply_encodes_result_or_failure_string() {
        let ok = ReplyMessage {
            msg_id: "m1".into(),
            outcome: Ok(json!({"id": 1})),
        };
        let (_, inner) = layers(&ok.encode());
        let mut keys: Vec<_> = inner.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["_msg_id", "_unique_id", "ending", "failure", "result"]
        );
        assert_eq!(
            (inner["ending"].clone(), inner["failure"].clone()),
            (json!(true), Value::Null)
        );
        assert_eq!(ReplyMessage::decode(&ok.encode()).unwrap(), ok);

        let err = RemoteError::new(
            "ZoneNotFound",
            "designate.exceptions",
            "Could not find Zone",
        );
        let failed = ReplyMessage {
            msg_id: "m2".into(),
            outcome: Err(err),
        };
        let (_, inner) = layers(&failed.encode());
        assert!(
            inner["failure"].is_string(),
            "failure must be a JSON string"
        );
        assert_eq!(inner["result"], Value::Null);
        assert_eq!(ReplyMessage::decode(&failed.encode()).unwrap(), failed);
    }

    #[test]
    fn notification_has_oslos_keys_and_formats() {
        let note = NotificationMessage {
            publisher_id: "central.node1".into(),
            event_type: "dns.zone.create".into(),
            priority: "INFO".into(),
            payload: json!({"id": "z"}),
            context: object(json!({"user": "u"})),
        };
        let (_, inner) = layers(&note.encode());
        let mut keys: Vec<_> = inner.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "_context_user",
                "_unique_id",
                "event_type",
                "message_id",
                "payload",
                "priority",
                "publisher_id",
                "timestamp"
            ]
        );
        assert_eq!(inner["message_id"].as_str().unwrap().len(), 36);
        let stamp = inner["timestamp"].as_str().unwrap();
        assert!(chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.6f").is_ok());
        assert_eq!(stamp.len(), "2024-01-01 00:00:00.000000".len());
    }
}
