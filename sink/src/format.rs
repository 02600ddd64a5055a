//! Python's `format % mapping` for the record name formats (`formatv4`,
//! `formatv6`): `%(name)s` (also `r`, `d`, `i`) and `%%`. Values render as
//! Python's `str()` would (`None`, `True`, `['a', 1]`, …), so a format
//! gives the name Designate would give.

use serde_json::{Map, Value};

/// Why a format could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("format {format:?} uses {name:?}, which the notification does not provide")]
    UnknownVariable { format: String, name: String },
    #[error("format {format:?}: {reason}")]
    Invalid { format: String, reason: String },
}

/// `format % variables`.
pub fn apply(format: &str, variables: &Map<String, Value>) -> Result<String, FormatError> {
    let invalid = |reason: &str| FormatError::Invalid {
        format: format.to_owned(),
        reason: reason.to_owned(),
    };
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let Some(keyed) = rest.strip_prefix('(') else {
            return Err(invalid("only %(name)s conversions are supported"));
        };
        let close = keyed.find(')').ok_or_else(|| invalid("unclosed %("))?;
        let name = &keyed[..close];
        let mut chars = keyed[close + 1..].chars();
        let conversion = chars.next().ok_or_else(|| invalid("incomplete format"))?;
        rest = chars.as_str();
        let value = variables
            .get(name)
            .ok_or_else(|| FormatError::UnknownVariable {
                format: format.to_owned(),
                name: name.to_owned(),
            })?;
        match conversion {
            's' => out.push_str(&py_str(value)),
            'r' => out.push_str(&py_repr(value)),
            'd' | 'i' => match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
                Value::Number(n) => match n.as_f64() {
                    Some(f) if f.is_finite() => out.push_str(&format!("{}", f.trunc())),
                    _ => return Err(invalid("not a number")),
                },
                Value::Bool(b) => out.push_str(if *b { "1" } else { "0" }),
                _ => return Err(invalid(&format!("%({name})d needs a number"))),
            },
            other => return Err(invalid(&format!("unsupported conversion %{other}"))),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Python's `str()` of a JSON value.
fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of a JSON value (strings in single quotes).
fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Map<String, Value> {
        match json!({
            "hostname": "web-1", "zone": "example.test.", "octet0": "192",
            "ip_version": 4, "project": null, "flag": true, "tags": ["a", 1],
        }) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn substitutes_like_python() {
        let v = vars();
        assert_eq!(
            apply("%(hostname)s.%(zone)s", &v).unwrap(),
            "web-1.example.test."
        );
        assert_eq!(
            apply("v%(ip_version)d-%(octet0)s.%(zone)s", &v).unwrap(),
            "v4-192.example.test."
        );
        assert_eq!(
            apply("%(project)s-%(flag)s-%(tags)s", &v).unwrap(),
            "None-True-['a', 1]"
        );
        assert_eq!(apply("100%% %(hostname)r", &v).unwrap(), "100% 'web-1'");
        assert_eq!(apply("plain.example.", &v).unwrap(), "plain.example.");
    }

    #[test]
    fn unknown_variables_and_bad_formats_are_errors() {
        let v = vars();
        assert_eq!(
            apply("%(display_name)s.%(zone)s", &v),
            Err(FormatError::UnknownVariable {
                format: "%(display_name)s.%(zone)s".into(),
                name: "display_name".into()
            })
        );
        for bad in [
            "%s.zone.",
            "%(hostname",
            "%(hostname)",
            "%(hostname)x",
            "%(hostname)d",
            "50%",
        ] {
            assert!(
                matches!(apply(bad, &v), Err(FormatError::Invalid { .. })),
                "{bad}"
            );
        }
    }
}
