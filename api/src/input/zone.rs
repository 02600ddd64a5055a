//! `POST /v2/zones` bodies (spec/api-v2.md §7.2, spec/domain-rules.md §2.1).

use delegate_model::{Error, ErrorKind, Zone, ZoneAttribute, ZoneMaster, ZoneType};
use serde_json::{Value, json};

use super::fields::{self, FieldError};
use super::{Key, py, read_only, validation_error, walk_keys};
use crate::body::JsonObject;
use crate::error::{ApiError, ValidationError};
use crate::settings::ApiSettings;
use delegate_dns::pycompat;

const TTL_MAX: i64 = 2_147_483_647;
const ZONE_TYPES: &[&str] = &["SECONDARY", "PRIMARY", "CATALOG"];
const READ_ONLY: &[&str] = &[
    "id",
    "project_id",
    "serial",
    "status",
    "action",
    "version",
    "created_at",
    "updated_at",
    "transferred_at",
    "shared",
];

/// Which keys the body set (the object's "what changed").
#[derive(Default)]
struct Given {
    name: bool,
    email_key: bool,
    ttl_key: bool,
}

/// The zone to create from a request body. Secondary zones get
/// `managed_resource_email` as their email.
pub fn zone_from_body(body: &JsonObject, settings: &ApiSettings) -> Result<Zone, ApiError> {
    let mut zone = Zone::default();
    let mut given = Given::default();
    let mut email: Option<String> = None;
    walk_keys(body, "zone", |key, value| {
        match key {
            "name" => {
                zone.name = fields::domain_name("name", value)?;
                given.name = true;
            }
            "email" => {
                email = fields::email("email", value)?;
                given.email_key = true;
            }
            "ttl" => {
                zone.ttl = fields::integer("ttl", value, true, 0, TTL_MAX)?
                    .and_then(|t| i32::try_from(t).ok());
                given.ttl_key = true;
            }
            "description" => {
                zone.description = fields::string("description", value, true, Some(160))?
            }
            "type" => zone.zone_type = zone_type(value)?,
            "masters" => zone.masters = masters(value)?,
            "attributes" => zone.attributes = attributes(value)?,
            // Accepted but ignored: the scheduler chooses the pool (spec/api-v2.md §7.2).
            "pool_id" => {}
            k if READ_ONLY.contains(&k) => return Ok(read_only(value)),
            _ => return Ok(Key::Unknown),
        }
        Ok(Key::Set)
    })?;
    validate(&zone, email.is_some(), &given)?;
    zone.email = match zone.zone_type {
        ZoneType::Secondary => settings.managed_resource_email.clone(),
        _ => email.unwrap_or_default(),
    };
    Ok(zone)
}

/// The zone a `PATCH /v2/zones/{id}` body makes of `current` (spec/api-v2.md
/// §7.5). `name`, `type` and the read-only keys are accepted only with the
/// value `shown` (the zone as the API renders it) has.
pub fn zone_update_from_body(
    body: &JsonObject,
    current: &Zone,
    shown: &Value,
) -> Result<Zone, ApiError> {
    let mut zone = current.clone();
    let mut given = Given::default();
    walk_keys(body, "zone", |key, value| {
        match key {
            "email" => {
                zone.email = fields::email("email", value)?.unwrap_or_default();
                given.email_key = true;
            }
            "ttl" => {
                zone.ttl = fields::integer("ttl", value, true, 0, TTL_MAX)?
                    .and_then(|t| i32::try_from(t).ok());
                given.ttl_key = true;
            }
            "description" => {
                zone.description = fields::string("description", value, true, Some(160))?
            }
            "masters" => zone.masters = masters(value)?,
            "attributes" => zone.attributes = attributes(value)?,
            // Accepted, not applied: moving pools is `tasks/pool_move`.
            "pool_id" => {}
            k if k == "name" || k == "type" || READ_ONLY.contains(&k) => {
                return Ok(match shown.get(k) == Some(value) {
                    true => Key::Set,
                    false => Key::NotAllowed,
                });
            }
            _ => return Ok(Key::Unknown),
        }
        Ok(Key::Set)
    })?;
    let errors = match zone.zone_type {
        ZoneType::Primary if !zone.masters.is_empty() => primary_errors(&zone, true),
        ZoneType::Secondary => secondary_errors(&zone, &given),
        _ => Vec::new(),
    };
    if !errors.is_empty() {
        return Err(invalid(errors).into());
    }
    Ok(zone)
}

fn zone_type(value: &Value) -> Result<ZoneType, FieldError> {
    let text = fields::enumeration("type", value, ZONE_TYPES)?;
    Ok(text
        .as_deref()
        .and_then(ZoneType::parse)
        .unwrap_or_default())
}

/// `["host", "host:port"]`: split at the first `:` when the rest is an integer,
/// else the whole entry is the host (bare IPv6) and the port is 53.
fn masters(value: &Value) -> Result<Vec<ZoneMaster>, FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError::value(format!(
            "{} is not a valid list of masters",
            py::str_of(value)
        )));
    };
    items
        .iter()
        .map(|item| {
            let text = fields::required_string("masters", item, None)?;
            let (host, port) = match text.split_once(':') {
                Some((host, port)) => match pycompat::int(port) {
                    Some(port) => (host.to_owned(), port),
                    None => (text.clone(), 53),
                },
                None => (text.clone(), 53),
            };
            let port = fields::bounds("port", port, 1, 65535)?;
            Ok(ZoneMaster {
                host,
                port: u16::try_from(port).unwrap_or(53),
            })
        })
        .collect()
}

/// `{"key": "value"}`; keys and values at most 50 characters, others stringified.
fn attributes(value: &Value) -> Result<Vec<ZoneAttribute>, FieldError> {
    let Value::Object(map) = value else {
        return Err(FieldError::value(format!(
            "{} is not a valid attributes object",
            py::str_of(value)
        )));
    };
    map.iter()
        .map(|(k, v)| {
            let key = fields::required_string("key", &Value::String(k.clone()), Some(50))?;
            let value = fields::required_string("value", &Value::String(py::str_of(v)), Some(50))?;
            Ok(ZoneAttribute { key, value })
        })
        .collect()
}

/// `Zone.validate()`: the type-dependent rules first, then the schema.
fn validate(zone: &Zone, has_email: bool, given: &Given) -> Result<(), Error> {
    let errors = match zone.zone_type {
        ZoneType::Primary => primary_errors(zone, has_email),
        ZoneType::Secondary => secondary_errors(zone, given),
        ZoneType::Catalog => Vec::new(),
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if !given.name {
        // Designate's schema reports a missing zone name under this odd path.
        let path = vec![json!("records"), json!(0), json!("name")];
        let err = validation_error(
            path,
            "'name' is a required property".into(),
            "required",
            json!(["name"]),
        );
        return Err(invalid(vec![err]));
    }
    Ok(())
}

fn primary_errors(zone: &Zone, has_email: bool) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if !zone.masters.is_empty() {
        let message = "'masters' has more items than allowed".into();
        errors.push(validation_error(
            vec![json!("type")],
            message,
            "maxItems",
            json!(["masters"]),
        ));
    }
    if !has_email {
        let message = "'email' is a required property".into();
        errors.push(validation_error(
            vec![json!("type"), json!("email")],
            message,
            "required",
            json!("email"),
        ));
    }
    errors
}

fn secondary_errors(zone: &Zone, given: &Given) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if zone.masters.is_empty() {
        let message = "'masters' is a required property".into();
        errors.push(validation_error(
            vec![json!("type"), json!("masters")],
            message,
            "required",
            json!(["masters"]),
        ));
    }
    for (field, set) in [("email", given.email_key), ("ttl", given.ttl_key)] {
        if set {
            let message = format!("'{field}' can't be specified when type is SECONDARY");
            errors.push(validation_error(
                vec![json!("type")],
                message,
                "not_allowed",
                json!(field),
            ));
        }
    }
    errors
}

/// Structured errors travel inside a domain error to the API's error type.
fn invalid(errors: Vec<ValidationError>) -> Error {
    Error {
        kind: ErrorKind::InvalidObject,
        message: None,
        errors: serde_json::to_value(errors).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    fn zone(body: &str) -> Result<Zone, ApiError> {
        zone_from_body(
            &parse(body.as_bytes()).expect("body"),
            &ApiSettings::default(),
        )
    }

    fn error_json(body: &str) -> Value {
        serde_json::to_value(zone(body).expect_err("refused").body()).expect("json")
    }

    #[test]
    fn builds_a_primary_zone() {
        let z =
            zone(r#"{"name": "a.test.", "email": "h@a.test", "ttl": "300", "description": null}"#)
                .expect("zone");
        assert_eq!(
            (z.name.as_str(), z.email.as_str(), z.ttl),
            ("a.test.", "h@a.test", Some(300))
        );
        assert_eq!(z.zone_type, ZoneType::Primary);
    }

    #[test]
    fn secondary_zone_gets_the_managed_email_and_parsed_masters() {
        let z = zone(r#"{"name": "s.test.", "type": "SECONDARY", "masters": ["192.0.2.53", "192.0.2.1:5353", "2001:db8::1"]}"#)
            .expect("zone");
        assert_eq!(z.email, "hostmaster@example.com");
        let masters: Vec<(&str, u16)> = z
            .masters
            .iter()
            .map(|m| (m.host.as_str(), m.port))
            .collect();
        assert_eq!(
            masters,
            vec![("192.0.2.53", 53), ("192.0.2.1", 5353), ("2001:db8::1", 53)]
        );
    }

    #[test]
    fn missing_email_and_missing_name_errors_match_designate() {
        assert_eq!(
            error_json(r#"{"name": "golden-errors-2.test."}"#)["errors"],
            json!({"errors": [{"path": ["type", "email"], "message": "'email' is a required property",
                               "validator": "required", "validator_value": "email"}]})
        );
        assert_eq!(
            error_json(r#"{"email": "hostmaster@example.org"}"#)["errors"]["errors"][0]["path"],
            json!(["records", 0, "name"])
        );
        assert_eq!(
            error_json(r#"{"name": "s.test.", "type": "SECONDARY"}"#)["errors"]["errors"][0]["path"],
            json!(["type", "masters"])
        );
        assert_eq!(
            error_json(r#"{"name": "p.test.", "email": "a@b.c", "masters": ["192.0.2.1"]}"#)["errors"]
                ["errors"][0]["validator"],
            "maxItems"
        );
    }

    #[test]
    fn key_and_value_errors_match_designate() {
        let message = |b: &str| error_json(b)["message"].as_str().map(str::to_owned);
        assert_eq!(
            message(r#"{"name": "a.test.", "email": "h@a.test", "foo": 1}"#).as_deref(),
            Some("Provided object does not match schema. Keys ['foo'] are not valid for zone")
        );
        assert_eq!(
            message(r#"{"name": "a.test.", "email": "h@a.test", "id": "3a4f6f8e-1111-2222-3333-444444444444"}"#).as_deref(),
            Some("Provided object does not match schema. Keys ['id'] are not valid for zone")
        );
        assert_eq!(
            message(r#"{"name": "a.test.", "email": "h@a.test", "type": "MASTER"}"#).as_deref(),
            Some(
                "Provided object is not valid. Got a ValueError error with message Field value MASTER is invalid"
            )
        );
        assert!(
            zone(r#"{"name": "a.test.", "email": "h@a.test", "id": null}"#).is_ok(),
            "null read-only is fine"
        );
    }
}
