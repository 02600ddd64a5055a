//! SVCB and HTTPS grammars (domain-rules §4, RFC 9460 parameters as
//! Designate reads them).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::{Check, domain_field, ensure, int_in};

/// Which of the two types: HTTPS does not allow `dohpath`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavour {
    Svcb,
    Https,
}

const ALPN_IDS: [&str; 5] = ["h3", "h2", "h2c", "http/1.1", "http/1.0"];

/// `priority target [param…]`, split on single spaces.
pub(super) fn svcb(data: &str, flavour: Flavour) -> Check {
    let fields: Vec<&str> = data.split(' ').collect();
    let [priority, target, params @ ..] = fields.as_slice() else {
        return Err(Cow::Borrowed("expected priority and target"));
    };
    let params = param_map(params)?;
    let keys: HashSet<&str> = params.iter().map(|(k, _)| *k).collect();
    for (key, value) in &params {
        check_param(key, value, &keys, flavour)?;
    }
    int_in(priority, 0, 65535, "priority")?;
    domain_field(target)
}

/// The parameters as Designate's dict holds them: first-seen key order,
/// last value wins, and a non-`ech` parameter with several `=` silently
/// dropped (a quirk Delegate keeps).
fn param_map<'a>(params: &[&'a str]) -> Result<Vec<(&'a str, Cow<'a, str>)>, Cow<'static, str>> {
    let mut map: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for &param in params {
        let entry = if param == "no-default-alpn" {
            Some((param, Cow::Borrowed("")))
        } else {
            let mut parts = param.split('=');
            let key = parts.next().unwrap_or_default();
            let values: Vec<&str> = parts.collect();
            match values.as_slice() {
                [] => return Err(Cow::Owned(format!("missing '=' in {param}"))),
                [value] => Some((key, Cow::Borrowed(*value))),
                _ if param.starts_with("ech") => Some((key, Cow::Owned(join_ech(&values)))),
                _ => None,
            }
        };
        if let Some((key, value)) = entry {
            match index.get(key) {
                Some(&slot) => map[slot].1 = value,
                None => {
                    index.insert(key, map.len());
                    map.push((key, value));
                }
            }
        }
    }
    Ok(map)
}

/// Designate re-joins an `ech` value split on `=`, each empty piece
/// standing for one `=`.
fn join_ech(pieces: &[&str]) -> String {
    pieces
        .iter()
        .map(|p| if p.is_empty() { "=" } else { p })
        .collect()
}

fn check_param(key: &str, value: &str, all: &HashSet<&str>, flavour: Flavour) -> Check {
    let has = |k: &str| all.contains(k);
    // Designate stores `key=value` in a field of at most 255 characters
    // (10 for the port).
    let stored_len = key.chars().count() + 1 + value.chars().count();
    match key {
        "no-default-alpn" => ensure(has("alpn"), "no-default-alpn without alpn"),
        "alpn" => {
            ensure(
                value.split(',').all(|id| ALPN_IDS.contains(&id)),
                "unsupported alpn id",
            )?;
            ensure(stored_len <= 255, "alpn too long")
        }
        "ipv4hint" => {
            ensure(
                value
                    .split(',')
                    .all(|a| crate::inet::parse_ipv4(a.as_bytes()).is_some()),
                "bad ipv4hint",
            )?;
            ensure(stored_len <= 255, "ipv4hint too long")
        }
        "ipv6hint" => {
            ensure(
                value
                    .split(',')
                    .all(|a| crate::inet::parse_ipv6(a.as_bytes()).is_some()),
                "bad ipv6hint",
            )?;
            ensure(stored_len <= 255, "ipv6hint too long")
        }
        "port" => {
            ensure(
                !value.is_empty() && value.chars().all(char::is_numeric),
                "port is not numeric",
            )?;
            ensure(stored_len <= 10, "port too long")
        }
        "ech" => {
            ensure(!value.contains('\\'), "escape in ech")?;
            ensure(
                crate::pycompat::b64decode_str_ok(value),
                "ech is not base64",
            )?;
            ensure(stored_len <= 255, "ech too long")
        }
        "mandatory" => {
            let keys: Vec<&str> = value.split(',').collect();
            ensure(
                keys.iter().all(|k| has(k)) && keys.len() <= all.len(),
                "mandatory key missing",
            )?;
            ensure(stored_len <= 255, "mandatory too long")
        }
        "dohpath" if flavour == Flavour::Svcb => {
            ensure(value.starts_with('/'), "dohpath must be relative")?;
            ensure(value.chars().count() >= 7, "dohpath shorter than 7")?;
            ensure(value.contains("{?dns}"), "dohpath without {?dns}")?;
            ensure(stored_len <= 255, "dohpath too long")
        }
        _ => Err(Cow::Owned(format!("unsupported parameter {key}"))),
    }
}

/// The `_dns` rule (RFC 9461 §5): an SVCB record at a DNS-server name must
/// have `alpn`, and `dohpath` when it offers HTTP (`h2`/`h3`).
pub(super) fn check_dns_binding(data: &str) -> Check {
    let fields: Vec<&str> = data.split(' ').collect();
    let params = param_map(fields.get(2..).unwrap_or_default())?;
    let alpn = params.iter().find(|(k, _)| *k == "alpn").map(|(_, v)| v);
    let Some(alpn) = alpn else {
        return Err(Cow::Borrowed("SVCB at a _dns name needs alpn"));
    };
    let offers_http = alpn.split(',').any(|id| id == "h2" || id == "h3");
    let has_dohpath = params.iter().any(|(k, _)| *k == "dohpath");
    ensure(
        !offers_http || has_dohpath,
        "alpn h2/h3 at a _dns name needs dohpath",
    )
}
