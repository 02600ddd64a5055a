//! Request bodies (spec/api-v2.md §4.1, §4.4): `Content-Type` must be
//! `application/json` (parameters ignored) else 415; an empty body is
//! `empty_request_body`; unparsable JSON is `invalid_json` with Python's
//! message; a JSON value that is not an object is `invalid_object` (Designate
//! answers 500 there; see design.md, compatibility policy).
//!
//! The object's keys keep their order: Designate checks them in body order and
//! names the offending ones in that order.

use std::fmt;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use delegate_model::ErrorKind;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::ApiError;
use crate::json_error::python_message;

/// A JSON object body, keys in request order (a repeated key keeps its first
/// place and its last value, as a Python dict does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonObject(pub Vec<(String, Value)>);

impl JsonObject {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                ErrorKind::UnsupportedContentType,
                Some("Content-type must be application/json".into()),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::other(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request_too_large",
                    "Request is too large.",
                ),
                _ => ApiError::new(ErrorKind::BadRequest, Some(rejection.body_text())),
            }
        })?;
        parse(&bytes)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a body that passed the content-type check.
pub fn parse(bytes: &[u8]) -> Result<JsonObject, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::new(
            ErrorKind::EmptyRequestBody,
            Some("Request Body is empty".into()),
        ));
    }
    let body: TopLevel = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(ErrorKind::InvalidJson, Some(python_message(&e, bytes))))?;
    body.0.map(JsonObject).ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidObject,
            Some(
                "Provided object does not match schema. The request body must be a JSON object"
                    .into(),
            ),
        )
    })
}

/// The top-level JSON value: the object's pairs in order, or `None` for any other value.
struct TopLevel(Option<Vec<(String, Value)>>);

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut pairs: Vec<(String, Value)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            match pairs.iter_mut().find(|(k, _)| *k == key) {
                Some(pair) => pair.1 = value,
                None => pairs.push((key, value)),
            }
        }
        Ok(TopLevel(Some(pairs)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }

    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_python_dict_semantics() {
        let body = parse(br#"{"z": 1, "a": 2, "z": 3}"#).expect("object");
        assert_eq!(
            body.0,
            vec![("z".into(), Value::from(3)), ("a".into(), Value::from(2))]
        );
    }

    #[test]
    fn refuses_empty_bad_and_non_object_bodies() {
        let kind = |b: &[u8]| parse(b).expect_err("refused").body().error_type.clone();
        assert_eq!(kind(b""), "empty_request_body");
        assert_eq!(kind(b"{\"a\": "), "invalid_json");
        assert_eq!(kind(b"[\"golden-errors-2.test.\"]"), "invalid_object");
        assert_eq!(kind(b"\"text\""), "invalid_object");
    }
}
