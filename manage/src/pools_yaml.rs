//! pools.yaml (spec/config.md §9): parsing and checking a file into pools, and
//! rendering stored pools back as YAML (`pool show`, `pool generate-file`).
//!
//! Every entry is checked before anything is written, and every problem is
//! reported with the entry and the field it is in. Option and attribute
//! values may be any YAML scalar; they are stored as their text (`false`,
//! `953`), since the columns are strings. Ports may be written as numbers or
//! numeric strings.

use std::path::Path;

use delegate_model::{HostPort, KeyValue, Pool, PoolNameserver, PoolNsRecord, PoolTarget};
use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};
use uuid::Uuid;

/// The backend drivers this Delegate worker can drive (spec/services.md §5.4).
pub const SUPPORTED_DRIVERS: &[&str] = &["bind9", "fake"];

/// Why a pools.yaml file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PoolsFileError {
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path} is not valid pools.yaml: {error}")]
    Syntax {
        path: String,
        error: serde_yaml::Error,
    },
    #[error("{path} is not valid pools.yaml:\n{}", .problems.join("\n"))]
    Invalid { path: String, problems: Vec<String> },
}

/// One pool entry of the file. Unknown keys are refused, so a typo does not
/// silently drop a setting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolEntry {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    attributes: Mapping,
    #[serde(default)]
    ns_records: Vec<NsRecordEntry>,
    #[serde(default)]
    nameservers: Vec<NameserverEntry>,
    #[serde(default)]
    targets: Vec<TargetEntry>,
    #[serde(default)]
    also_notifies: Vec<HostPortEntry>,
    catalog_zone: Option<Mapping>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NsRecordEntry {
    hostname: String,
    priority: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NameserverEntry {
    host: String,
    port: Value,
    tsigkey_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostPortEntry {
    host: String,
    port: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetEntry {
    #[serde(rename = "type")]
    backend: String,
    description: Option<String>,
    #[serde(default)]
    masters: Vec<HostPortEntry>,
    #[serde(default)]
    options: Mapping,
    tsigkey_id: Option<String>,
}

/// A checked pool entry, ready for storage.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    pub pool: Pool,
    /// The entry configures a catalog zone, which this version does not manage yet.
    pub has_catalog_zone: bool,
}

/// Reads and checks a pools.yaml file.
pub fn load(path: &Path, verify_drivers: bool) -> Result<Vec<PoolConfig>, PoolsFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| PoolsFileError::Read {
        path: shown.clone(),
        error,
    })?;
    parse(&text, verify_drivers).map_err(|e| e.at(&shown))
}

/// A parse failure before the file name is known.
#[derive(Debug)]
pub enum ParseError {
    Syntax(serde_yaml::Error),
    Invalid(Vec<String>),
}

impl ParseError {
    fn at(self, path: &str) -> PoolsFileError {
        match self {
            ParseError::Syntax(error) => PoolsFileError::Syntax {
                path: path.to_owned(),
                error,
            },
            ParseError::Invalid(problems) => PoolsFileError::Invalid {
                path: path.to_owned(),
                problems,
            },
        }
    }
}

/// Parses and checks pools.yaml text: a YAML list of pools.
pub fn parse(text: &str, verify_drivers: bool) -> Result<Vec<PoolConfig>, ParseError> {
    let entries: Vec<PoolEntry> = serde_yaml::from_str(text).map_err(ParseError::Syntax)?;
    let mut problems = Vec::new();
    let mut pools = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let mut check = Checker {
            problems: &mut problems,
            entry: entry_label(index, &entry),
        };
        let pool = check.pool(entry, verify_drivers);
        pools.push(pool);
    }
    check_unique_names(&pools, &mut problems);
    if problems.is_empty() {
        Ok(pools)
    } else {
        Err(ParseError::Invalid(problems))
    }
}

fn entry_label(index: usize, entry: &PoolEntry) -> String {
    match &entry.name {
        Some(name) => format!("pool {} ({name:?})", index + 1),
        None => format!("pool {}", index + 1),
    }
}

fn check_unique_names(pools: &[PoolConfig], problems: &mut Vec<String>) {
    for (i, p) in pools.iter().enumerate() {
        let name = &p.pool.name;
        if pools[..i]
            .iter()
            .any(|q| q.pool.name.eq_ignore_ascii_case(name))
            && !name.is_empty()
        {
            problems.push(format!("pool name {name:?} appears more than once"));
        }
    }
}

/// Collects the problems of one entry while converting it.
struct Checker<'a> {
    problems: &'a mut Vec<String>,
    entry: String,
}

impl Checker<'_> {
    fn problem(&mut self, field: &str, what: impl std::fmt::Display) {
        self.problems
            .push(format!("{}: {field}: {what}", self.entry));
    }

    fn pool(&mut self, e: PoolEntry, verify_drivers: bool) -> PoolConfig {
        let name = e.name.unwrap_or_default();
        if name.is_empty() {
            self.problem("name", "is required");
        }
        self.max_len("name", &name, 50);
        if let Some(d) = &e.description {
            self.max_len("description", d, 160);
        }
        if e.targets.is_empty() {
            self.problem("targets", "at least one target is required");
        }
        let pool = Pool {
            id: e.id.as_deref().and_then(|id| self.uuid("id", id)),
            name,
            description: e.description,
            attributes: self.key_values("attributes", &e.attributes),
            ns_records: e
                .ns_records
                .iter()
                .enumerate()
                .filter_map(|(i, n)| self.ns_record(i, n))
                .collect(),
            nameservers: e
                .nameservers
                .iter()
                .enumerate()
                .map(|(i, n)| self.nameserver(i, n))
                .collect(),
            targets: e
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| self.target(i, t, verify_drivers))
                .collect(),
            also_notifies: e
                .also_notifies
                .iter()
                .enumerate()
                .map(|(i, h)| self.host_port(&format!("also_notifies[{i}]"), h))
                .collect(),
            ..Pool::default()
        };
        PoolConfig {
            pool,
            has_catalog_zone: e.catalog_zone.is_some(),
        }
    }

    fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.problem(field, format!("longer than {max} characters"));
        }
    }

    fn uuid(&mut self, field: &str, text: &str) -> Option<Uuid> {
        let id = delegate_model::ids::parse_uuid(text);
        if id.is_none() {
            self.problem(field, format!("{text:?} is not a valid UUID"));
        }
        id
    }

    fn ns_record(&mut self, i: usize, n: &NsRecordEntry) -> Option<PoolNsRecord> {
        let field = format!("ns_records[{i}]");
        if let Err(why) = check_fqdn(&n.hostname) {
            self.problem(
                &format!("{field}.hostname"),
                format!("{:?} {why}", n.hostname),
            );
        }
        if !(1..=10_000).contains(&n.priority) {
            self.problem(
                &format!("{field}.priority"),
                format!("{} is not between 1 and 10000", n.priority),
            );
        }
        let priority = i32::try_from(n.priority).ok()?;
        Some(PoolNsRecord {
            hostname: n.hostname.clone(),
            priority,
            ..PoolNsRecord::default()
        })
    }

    fn nameserver(&mut self, i: usize, n: &NameserverEntry) -> PoolNameserver {
        let field = format!("nameservers[{i}]");
        let hp = self.host_port(
            &field,
            &HostPortEntry {
                host: n.host.clone(),
                port: n.port.clone(),
            },
        );
        let tsigkey_id = n
            .tsigkey_id
            .as_deref()
            .and_then(|t| self.uuid(&format!("{field}.tsigkey_id"), t));
        PoolNameserver {
            host: hp.host,
            port: hp.port,
            tsigkey_id,
            ..PoolNameserver::default()
        }
    }

    fn target(&mut self, i: usize, t: &TargetEntry, verify_drivers: bool) -> PoolTarget {
        let field = format!("targets[{i}]");
        if verify_drivers && !SUPPORTED_DRIVERS.contains(&t.backend.as_str()) {
            let known = SUPPORTED_DRIVERS.join(", ");
            self.problem(
                &format!("{field}.type"),
                format!("unknown backend driver {:?} (supported: {known}; --skip-verify-drivers accepts any)", t.backend),
            );
        }
        self.max_len(&format!("{field}.type"), &t.backend, 50);
        if let Some(d) = &t.description {
            self.max_len(&format!("{field}.description"), d, 160);
        }
        PoolTarget {
            backend: t.backend.clone(),
            description: t.description.clone(),
            tsigkey_id: t
                .tsigkey_id
                .as_deref()
                .and_then(|id| self.uuid(&format!("{field}.tsigkey_id"), id)),
            masters: t
                .masters
                .iter()
                .enumerate()
                .map(|(m, hp)| self.host_port(&format!("{field}.masters[{m}]"), hp))
                .collect(),
            options: self.key_values(&format!("{field}.options"), &t.options),
            ..PoolTarget::default()
        }
    }

    fn host_port(&mut self, field: &str, hp: &HostPortEntry) -> HostPort {
        if hp.host.trim().is_empty() {
            self.problem(&format!("{field}.host"), "is empty");
        }
        self.max_len(&format!("{field}.host"), &hp.host, 255);
        let port = match port_of(&hp.port) {
            Some(port) => port,
            None => {
                self.problem(
                    &format!("{field}.port"),
                    format!("{} is not a port number (1-65535)", scalar_text(&hp.port)),
                );
                0
            }
        };
        HostPort {
            host: hp.host.clone(),
            port,
        }
    }

    fn key_values(&mut self, field: &str, map: &Mapping) -> Vec<KeyValue> {
        let mut out = Vec::new();
        for (k, v) in map {
            let key = match k {
                Value::String(s) => s.clone(),
                other => scalar_text(other),
            };
            if !is_scalar(v) {
                self.problem(
                    &format!("{field}.{key}"),
                    "must be a single value (string, number or boolean)",
                );
                continue;
            }
            let value = scalar_text(v);
            self.max_len(&format!("{field}.{key}"), &value, 255);
            self.max_len(&format!("{field} key {key:?}"), &key, 255);
            out.push(KeyValue { key, value });
        }
        out
    }
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// The text a scalar is stored as.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn port_of(v: &Value) -> Option<u16> {
    let port = match v {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Value::String(s) => s.trim().parse::<u16>().ok(),
        _ => None,
    }?;
    (port != 0).then_some(port)
}

/// A fully qualified domain name: ends with a dot, labels of 1–63 letters,
/// digits, `-` or `_`, 255 characters at most (RFC 1035 §2.3.4).
fn check_fqdn(name: &str) -> Result<(), &'static str> {
    let Some(body) = name.strip_suffix('.') else {
        return Err("is not a fully qualified domain name (it must end with a dot)");
    };
    if name.len() > 255 {
        return Err("is longer than 255 characters");
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if body.is_empty() || !body.split('.').all(label_ok) {
        return Err("is not a valid host name");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Rendering. Keys in alphabetical order and nulls left out, as Designate's
// `yaml.dump` of its YAML adapter output prints them; ids hyphenated.

#[derive(Serialize)]
struct PoolOut {
    also_notifies: Vec<HostPortOut>,
    attributes: Mapping,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: String,
    nameservers: Vec<NameserverOut>,
    ns_records: Vec<NsRecordOut>,
    targets: Vec<TargetOut>,
}

#[derive(Serialize)]
struct HostPortOut {
    host: String,
    port: u16,
}

#[derive(Serialize)]
struct NameserverOut {
    host: String,
    port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    tsigkey_id: Option<String>,
}

#[derive(Serialize)]
struct NsRecordOut {
    hostname: String,
    priority: i32,
}

#[derive(Serialize)]
struct TargetOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    masters: Vec<HostPortOut>,
    options: Mapping,
    #[serde(skip_serializing_if = "Option::is_none")]
    tsigkey_id: Option<String>,
    #[serde(rename = "type")]
    backend: String,
}

fn hyphenated(id: Option<Uuid>) -> Option<String> {
    id.map(|i| i.hyphenated().to_string())
}

/// Keys sorted, as PyYAML's `dump` sorts them.
fn mapping(kvs: &[KeyValue]) -> Mapping {
    let mut sorted: Vec<&KeyValue> = kvs.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted
        .into_iter()
        .map(|kv| {
            (
                Value::String(kv.key.clone()),
                Value::String(kv.value.clone()),
            )
        })
        .collect()
}

fn host_ports(list: &[HostPort]) -> Vec<HostPortOut> {
    list.iter()
        .map(|h| HostPortOut {
            host: h.host.clone(),
            port: h.port,
        })
        .collect()
}

fn pool_out(p: &Pool) -> PoolOut {
    PoolOut {
        also_notifies: host_ports(&p.also_notifies),
        attributes: mapping(&p.attributes),
        description: p.description.clone(),
        id: hyphenated(p.id),
        name: p.name.clone(),
        nameservers: p
            .nameservers
            .iter()
            .map(|n| NameserverOut {
                host: n.host.clone(),
                port: n.port,
                tsigkey_id: hyphenated(n.tsigkey_id),
            })
            .collect(),
        ns_records: p
            .ns_records
            .iter()
            .map(|n| NsRecordOut {
                hostname: n.hostname.clone(),
                priority: n.priority,
            })
            .collect(),
        targets: p
            .targets
            .iter()
            .map(|t| TargetOut {
                description: t.description.clone(),
                masters: host_ports(&t.masters),
                options: mapping(&t.options),
                tsigkey_id: hyphenated(t.tsigkey_id),
                backend: t.backend.clone(),
            })
            .collect(),
    }
}

/// One pool as a YAML mapping (the form `pool show` prints).
pub fn render_pool(pool: &Pool) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(&pool_out(pool))
}

/// Pools as a YAML list, a valid pools.yaml (the form `pool generate-file` writes).
pub fn render_pools(pools: &[Pool]) -> Result<String, serde_yaml::Error> {
    let out: Vec<PoolOut> = pools.iter().map(pool_out).collect();
    Ok(format!("---\n{}", serde_yaml::to_string(&out)?))
}

#[cfg(test)]
#[path = "pools_yaml_tests.rs"]
mod tests;
