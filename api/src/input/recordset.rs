//! `POST /v2/zones/{zone_id}/recordsets` bodies (spec/api-v2.md §8.2,
//! spec/domain-rules.md §3.1).

use delegate_model::{Error, ErrorKind, Record, RecordSet};
use serde_json::{Value, json};

use super::fields;
use super::{Key, py, read_only, validation_error, walk_keys};
use crate::body::JsonObject;
use crate::error::{ApiError, ValidationError};
use crate::settings::ApiSettings;
use delegate_dns::{OwnerError, RdataError, RecordType, validate_owner, validate_record};

const TTL_MAX: i64 = 2_147_483_647;
const READ_ONLY: &[&str] = &[
    "id",
    "zone_id",
    "project_id",
    "zone_name",
    "status",
    "action",
    "version",
    "created_at",
    "updated_at",
];

/// The recordset to create from a request body; duplicate records are
/// collapsed (first occurrence kept).
pub fn recordset_from_body(
    body: &JsonObject,
    settings: &ApiSettings,
) -> Result<RecordSet, ApiError> {
    // Designate's adapter takes `records` before every other key.
    let records = match body.get("records") {
        Some(value) => records(value)?,
        None => Vec::new(),
    };
    let mut rs = RecordSet::default();
    let mut name: Option<String> = None;
    let mut rr_type: Option<String> = None;
    walk_keys(body, "recordset", |key, value| {
        match key {
            "records" => {}
            "name" => name = Some(fields::host_name("name", value)?),
            "type" => rr_type = fields::string("type", value, true, None)?,
            "ttl" => {
                rs.ttl = fields::integer("ttl", value, true, 0, TTL_MAX)?
                    .and_then(|t| i32::try_from(t).ok())
            }
            "description" => {
                rs.description = fields::string("description", value, true, Some(160))?
            }
            k if READ_ONLY.contains(&k) => return Ok(read_only(value)),
            _ => return Ok(Key::Unknown),
        }
        Ok(Key::Set)
    })?;
    if rr_type.as_deref() == Some("SOA") {
        return Err(Error::bad_request("Creating a SOA recordset is not allowed").into());
    }
    // TLSA owner names are checked before the object is validated.
    if let (Some("TLSA"), Some(name)) = (rr_type.as_deref(), name.as_deref()) {
        validate_owner(RecordType::TLSA, name).map_err(owner_error)?;
    }
    let rr_type = validate(rr_type.as_deref(), name.as_deref(), &records, settings)?;
    rs.name = name.unwrap_or_default();
    rs.rr_type = rr_type;
    rs.records = records
        .into_iter()
        .map(|data| Record {
            data,
            ..Record::default()
        })
        .collect();
    Ok(rs)
}

/// The recordset a `PUT …/recordsets/{id}` body makes of `current`
/// (spec/api-v2.md §8.5): `records` replaces the set when given; `name`,
/// `type` and the read-only keys only with the value `shown` has.
pub fn recordset_update_from_body(
    body: &JsonObject,
    current: &RecordSet,
    shown: &Value,
    settings: &ApiSettings,
) -> Result<RecordSet, ApiError> {
    let records = match body.get("records") {
        Some(value) => Some(records(value)?),
        None => None,
    };
    let mut rs = current.clone();
    walk_keys(body, "recordset", |key, value| {
        match key {
            "records" => {}
            "ttl" => {
                rs.ttl = fields::integer("ttl", value, true, 0, TTL_MAX)?
                    .and_then(|t| i32::try_from(t).ok())
            }
            "description" => {
                rs.description = fields::string("description", value, true, Some(160))?
            }
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
    let data: Vec<String> = match records {
        Some(list) => list,
        None => current.records.iter().map(|r| r.data.clone()).collect(),
    };
    if rs.rr_type == "TLSA" {
        validate_owner(RecordType::TLSA, &rs.name).map_err(owner_error)?;
    }
    validate(Some(&rs.rr_type), Some(&rs.name), &data, settings)?;
    rs.records = data
        .into_iter()
        .map(|data| Record {
            data,
            ..Record::default()
        })
        .collect();
    Ok(rs)
}

/// The `records` list as strings, duplicates removed.
fn records(value: &Value) -> Result<Vec<String>, ApiError> {
    let Value::Array(items) = value else {
        let message = format!("'{}' is not a valid list of records", py::str_of(value));
        return Err(ApiError::invalid_object(vec![validation_error(
            vec![json!("records")],
            message,
            "type",
            json!(["array"]),
        )]));
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let data = fields::required_string("data", item, None).map_err(Error::from)?;
        if !out.contains(&data) {
            out.push(data);
        }
    }
    Ok(out)
}

/// `RecordSet.validate()`: the type, then each record's data, then the name.
fn validate(
    rr_type: Option<&str>,
    name: Option<&str>,
    records: &[String],
    settings: &ApiSettings,
) -> Result<String, ApiError> {
    let rtype: RecordType = match rr_type.map(str::parse) {
        Some(Ok(t)) => t,
        _ => return Err(type_error(rr_type, "valid")),
    };
    if !settings
        .supported_record_types
        .iter()
        .any(|t| t == rtype.as_str())
    {
        return Err(type_error(rr_type, "supported"));
    }
    let errors: Vec<ValidationError> = records
        .iter()
        .enumerate()
        .filter_map(|(i, data)| {
            validate_record(rtype, name.unwrap_or(""), data)
                .err()
                .map(|e| format_error(i, &e))
        })
        .collect();
    let Some(name) = name else {
        // Designate answers a missing name with a bare invalid_object.
        return Err(ApiError::new(ErrorKind::InvalidObject, None));
    };
    validate_owner(rtype, name).map_err(owner_error)?;
    match errors.is_empty() {
        true => Ok(rtype.as_str().to_owned()),
        false => Err(ApiError::invalid_object(errors)),
    }
}

/// The API error for a refused recordset name (spec/api-v2.md §8.2).
fn owner_error(err: OwnerError) -> ApiError {
    match err {
        OwnerError::BadTlsaName(message) => Error::bad_request(message).into(),
        OwnerError::InvalidHostName(e) => fields::FieldError::from(e).into(),
        OwnerError::NameIsInvalid => {
            ApiError::new(ErrorKind::InvalidObject, Some("name is invalid".into()))
        }
    }
}

/// `'<type>' is not a valid|supported record type`, at path `recordset.type`.
fn type_error(rr_type: Option<&str>, what: &str) -> ApiError {
    let shown = rr_type.unwrap_or("None");
    let message = format!("'{shown}' is not a {what} record type");
    let path = vec![json!("recordset"), json!("type")];
    ApiError::invalid_object(vec![validation_error(
        path,
        message,
        "value",
        json!([rr_type]),
    )])
}

/// `'<data>' is not a '<type>' Record`, at path `records.<i>`.
fn format_error(i: usize, err: &RdataError) -> ValidationError {
    let path = vec![json!("records"), json!(i)];
    validation_error(
        path,
        err.api_message(),
        RdataError::VALIDATOR,
        json!([err.rtype().as_str()]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    fn recordset(body: &str) -> Result<RecordSet, ApiError> {
        recordset_from_body(
            &parse(body.as_bytes()).expect("body"),
            &ApiSettings::default(),
        )
    }

    fn error_json(body: &str) -> Value {
        serde_json::to_value(recordset(body).expect_err("refused").body()).expect("json")
    }

    #[test]
    fn builds_a_recordset_and_collapses_duplicates() {
        let rs = recordset(r#"{"name": "dup.a.test.", "type": "A", "records": ["192.0.2.1", "192.0.2.1"], "ttl": 300}"#)
            .expect("recordset");
        let data: Vec<&str> = rs.records.iter().map(|r| r.data.as_str()).collect();
        assert_eq!(
            (rs.rr_type.as_str(), data, rs.ttl),
            ("A", vec!["192.0.2.1"], Some(300))
        );
    }

    #[test]
    fn bad_records_are_all_reported_with_their_index() {
        let err = error_json(
            r#"{"name": "www.a.test.", "type": "A", "records": ["192.0.2.1", "not-an-ip"]}"#,
        );
        assert_eq!(
            err["errors"]["errors"],
            json!([{"path": ["records", 1], "message": "'not-an-ip' is not a 'A' Record",
                    "validator": "format", "validator_value": ["A"]}])
        );
    }

    #[test]
    fn type_errors_match_designate() {
        let err = error_json(r#"{"name": "l.a.test.", "type": "a", "records": ["192.0.2.50"]}"#);
        assert_eq!(
            err["errors"]["errors"][0]["message"],
            "'a' is not a valid record type"
        );
        assert_eq!(
            err["errors"]["errors"][0]["path"],
            json!(["recordset", "type"])
        );
        let err = error_json(r#"{"name": "www.a.test.", "records": ["192.0.2.1"]}"#);
        assert_eq!(
            err["errors"]["errors"][0]["message"],
            "'None' is not a valid record type"
        );
        assert_eq!(err["errors"]["errors"][0]["validator_value"], json!([null]));
    }

    #[test]
    fn soa_missing_name_and_ns_wildcard_are_refused() {
        let err = error_json(
            r#"{"name": "a.test.", "type": "SOA", "records": ["ns1.example.org. h.example.org. 1 2 3 4 5"]}"#,
        );
        assert_eq!(
            (err["type"].as_str(), err["message"].as_str()),
            (
                Some("bad_request"),
                Some("Creating a SOA recordset is not allowed")
            )
        );
        let err = error_json(r#"{"type": "A", "records": ["192.0.2.1"]}"#);
        assert_eq!(err, json!({"code": 400, "type": "invalid_object"}));
        let err =
            error_json(r#"{"name": "*.a.test.", "type": "NS", "records": ["ns1.example.org."]}"#);
        assert_eq!(err["message"], "name is invalid");
    }

    #[test]
    fn type_specific_owner_rules() {
        let err = error_json(r#"{"name": "tlsa.a.test.", "type": "TLSA", "records": []}"#);
        assert_eq!(
            err["type"], "bad_request",
            "TLSA owner form is checked first: {err}"
        );
        let err = error_json(
            r#"{"name": "sip.a.test.", "type": "SRV", "records": ["10 60 5060 sip.example.org."]}"#,
        );
        assert_eq!(
            (err["type"].as_str(), err["message"].as_str()),
            (Some("invalid_object"), Some("name is invalid"))
        );
        let err = error_json(
            r#"{"name": "a.test.", "type": "CAA", "records": ["0 issue \"letsencrypt.org\"", "128 iodef \"mailto:security@example.org\""]}"#,
        );
        let paths: Vec<&Value> = err["errors"]["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["path"])
            .collect();
        assert_eq!(paths, vec![&json!(["records", 0]), &json!(["records", 1])]);
    }

    #[test]
    fn unsupported_types_follow_the_configuration() {
        let settings = ApiSettings {
            supported_record_types: vec!["A".into()],
            ..ApiSettings::default()
        };
        let body = parse(br#"{"name": "m.a.test.", "type": "MX", "records": ["10 mail.a.test."]}"#)
            .expect("body");
        let err = recordset_from_body(&body, &settings).expect_err("refused");
        let json = serde_json::to_value(err.body()).expect("json");
        assert_eq!(
            json["errors"]["errors"][0]["message"],
            "'MX' is not a supported record type"
        );
    }
}
