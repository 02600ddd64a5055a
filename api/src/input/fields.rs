//! Assigning one body value to one object field, with the coercions and the
//! messages of Designate's field classes (`designate/objects/fields.py` and
//! oslo.versionedobjects): `int("300")` is 300, a number is a fine string,
//! and a failure is `400 invalid_object` "Provided object is not valid. Got a
//! ValueError error with message <detail>" (spec/api-v2.md §4.4).

use delegate_model::{Error, ErrorKind};
use serde_json::Value;

use delegate_dns::name::{
    FieldValueError, check_domain_field, check_email_field, check_host_field,
};
use delegate_dns::pycompat;

use super::py;
use crate::error::ApiError;

/// A failed assignment: the Python exception class and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    class: &'static str,
    message: String,
}

impl FieldError {
    pub fn value(message: impl Into<String>) -> Self {
        FieldError {
            class: "ValueError",
            message: message.into(),
        }
    }

    fn type_error(message: impl Into<String>) -> Self {
        FieldError {
            class: "TypeError",
            message: message.into(),
        }
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::new(
            ErrorKind::InvalidObject,
            format!(
                "Provided object is not valid. Got a {} error with message {}",
                e.class, e.message
            ),
        )
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::from(Error::from(e))
    }
}

/// `None` for a nullable field, else oslo's "cannot be None".
fn null<T>(attr: &str, nullable: bool) -> Result<Option<T>, FieldError> {
    match nullable {
        true => Ok(None),
        false => Err(FieldError::value(format!("Field `{attr}' cannot be None"))),
    }
}

/// A string field (`StringFields`): numbers and booleans become their text.
pub fn string(
    attr: &str,
    value: &Value,
    nullable: bool,
    max_len: Option<usize>,
) -> Result<Option<String>, FieldError> {
    let text = match value {
        Value::Null => return null(attr, nullable),
        Value::String(_) | Value::Number(_) | Value::Bool(_) => py::str_of(value),
        other => {
            let ty = py::type_name(other);
            return Err(FieldError::value(format!(
                "A string is required in field {attr}, not a {ty}"
            )));
        }
    };
    if max_len.is_some_and(|max| text.chars().count() > max) {
        return Err(FieldError::value(format!("Value too long for {attr}")));
    }
    Ok(Some(text))
}

/// A string field that may not be null.
pub fn required_string(
    attr: &str,
    value: &Value,
    max_len: Option<usize>,
) -> Result<String, FieldError> {
    string(attr, value, false, max_len)?
        .ok_or_else(|| FieldError::value(format!("Field `{attr}' cannot be None")))
}

/// An integer field (`IntegerFields`): Python's `int()`, then the bounds.
pub fn integer(
    attr: &str,
    value: &Value,
    nullable: bool,
    min: i64,
    max: i64,
) -> Result<Option<i64>, FieldError> {
    let n: i128 = match value {
        Value::Null => return null(attr, nullable),
        Value::Bool(b) => i128::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i128::from(i),
            (_, Some(u), _) => i128::from(u),
            // int(3.7) truncates; the cast saturates beyond the i128 range.
            (_, _, Some(f)) => f.trunc() as i128,
            _ => 0,
        },
        Value::String(s) => pycompat::int(s).ok_or_else(|| {
            FieldError::value(format!(
                "invalid literal for int() with base 10: {}",
                py::repr_str(s)
            ))
        })?,
        other => {
            let ty = py::type_name(other);
            return Err(FieldError::type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{ty}'"
            )));
        }
    };
    bounds(attr, n, min, max).map(Some)
}

/// `IntegerFields`' range check.
pub fn bounds(attr: &str, n: i128, min: i64, max: i64) -> Result<i64, FieldError> {
    if n < i128::from(min) {
        return Err(FieldError::value(format!(
            "Value must be >= {min} for field {attr}"
        )));
    }
    if n > i128::from(max) {
        return Err(FieldError::value(format!("Value too high for {attr}")));
    }
    i64::try_from(n).map_err(|_| FieldError::value(format!("Value too high for {attr}")))
}

/// An enum field: the text must be one of `valid` (case-sensitive).
pub fn enumeration(
    attr: &str,
    value: &Value,
    valid: &[&str],
) -> Result<Option<String>, FieldError> {
    let Some(text) = string(attr, value, true, None)? else {
        return Ok(None);
    };
    match valid.contains(&text.as_str()) {
        true => Ok(Some(text)),
        false => Err(FieldError::value(format!("Field value {text} is invalid"))),
    }
}

impl From<FieldValueError> for FieldError {
    fn from(e: FieldValueError) -> Self {
        FieldError::value(e.0)
    }
}

/// A zone name (`DomainField`, at most 255 characters).
pub fn domain_name(attr: &str, value: &Value) -> Result<String, FieldError> {
    let name = required_string(attr, value, None)?;
    check_domain_field(&name, attr, Some(255))?;
    Ok(name)
}

/// A recordset name (`HostField`, at most 255 characters; `*` first label allowed).
pub fn host_name(attr: &str, value: &Value) -> Result<String, FieldError> {
    let name = required_string(attr, value, None)?;
    check_host_field(&name, attr, Some(delegate_dns::MAX_RECORDSET_NAME))?;
    Ok(name)
}

/// An email (`EmailField`, nullable, at most 255 characters).
pub fn email(attr: &str, value: &Value) -> Result<Option<String>, FieldError> {
    let Some(email) = string(attr, value, true, None)? else {
        return Ok(None);
    };
    check_email_field(&email, attr, Some(255))?;
    Ok(Some(email))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(r: Result<impl std::fmt::Debug, FieldError>) -> String {
        let e = r.expect_err("refused");
        format!("{}: {}", e.class, e.message)
    }

    #[test]
    fn integers_follow_python_int() {
        assert_eq!(
            integer("ttl", &json!("300"), true, 0, 2_147_483_647),
            Ok(Some(300))
        );
        assert_eq!(integer("ttl", &json!(null), true, 0, 10), Ok(None));
        assert_eq!(
            message(integer("ttl", &json!(-1), true, 0, 10)),
            "ValueError: Value must be >= 0 for field ttl"
        );
        assert_eq!(
            message(integer(
                "ttl",
                &json!(2_147_483_648_i64),
                true,
                0,
                2_147_483_647
            )),
            "ValueError: Value too high for ttl"
        );
        assert_eq!(
            message(integer("ttl", &json!("abc"), true, 0, 10)),
            "ValueError: invalid literal for int() with base 10: 'abc'"
        );
        assert!(
            message(integer("ttl", &json!([1]), true, 0, 10))
                .starts_with("TypeError: int() argument")
        );
    }

    #[test]
    fn names_report_designate_messages() {
        assert_eq!(
            message(domain_name("name", &json!("not a zone"))),
            "ValueError: Domain not a zone does not end with a dot"
        );
        let long_label = format!("{}.test.", "a".repeat(64));
        assert_eq!(
            message(domain_name("name", &json!(long_label))),
            format!("ValueError: Host {} is too long", "a".repeat(64))
        );
        let long_name = format!("{}golden.test.", format!("{}.", "a".repeat(60)).repeat(4));
        assert_eq!(
            message(domain_name("name", &json!(long_name))),
            "ValueError: Value too long for name"
        );
        assert_eq!(
            message(host_name("name", &json!("www"))),
            "ValueError: Host name www does not end with a dot"
        );
        assert_eq!(
            host_name("name", &json!("*.wild.example.org.")),
            Ok("*.wild.example.org.".into())
        );
        assert_eq!(
            message(email("email", &json!("not-an-email"))),
            "ValueError: not-an-email is not an email"
        );
        assert_eq!(
            message(enumeration("type", &json!("MASTER"), &["PRIMARY"])),
            "ValueError: Field value MASTER is invalid"
        );
    }
}
