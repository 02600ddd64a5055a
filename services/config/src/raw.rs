//! The generic layer: every `[section] option = value` from the config files
//! and `DELEGATE_…` environment variables, merged, with the origin of each
//! value; typed getters on top ([`Section`]) turn values into Rust types and
//! bad ones into errors that name the file, section and option.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use crate::error::{BadValue, ConfigError, Origin};
use crate::ini;

/// Prefix of every environment variable that sets an option.
pub const ENV_PREFIX: &str = "DELEGATE_";

/// The environment variable that overrides `[section] option`:
/// `DELEGATE_<SECTION>__<OPTION>`, upper-cased, every character other than
/// an ASCII letter or digit replaced by `_`
/// (`[service:worker] threshold-percentage` → `DELEGATE_SERVICE_WORKER__THRESHOLD_PERCENTAGE`).
pub fn env_var_name(section: &str, option: &str) -> String {
    format!(
        "{ENV_PREFIX}{}__{}",
        env_mangle(section),
        env_mangle(option)
    )
}

fn env_mangle(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Section names compare as in oslo.config: `DEFAULT` exactly, others lower-cased.
fn normalize_section(name: &str) -> String {
    if name == "DEFAULT" {
        name.to_owned()
    } else {
        name.to_lowercase()
    }
}

/// Dashes and underscores in option names are the same option
/// (`threshold-percentage` = `threshold_percentage`).
fn normalize_option(name: &str) -> String {
    name.replace('-', "_")
}

/// One value as found, before any typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    pub value: String,
    pub origin: Origin,
    /// Section name (normalized).
    pub section: String,
    /// Option name as written in the file, or the canonical name for env vars.
    pub option: String,
}

impl RawValue {
    /// The error for this value not being `expected` (e.g. "a number of seconds").
    pub fn invalid(&self, expected: impl Into<String>) -> ConfigError {
        ConfigError::BadValue(Box::new(BadValue {
            origin: self.origin.clone(),
            section: self.section.clone(),
            option: self.option.clone(),
            value: self.value.clone(),
            expected: expected.into(),
        }))
    }

    /// As [`RawValue::invalid`], for a URL whose password must not be shown.
    pub fn invalid_secret(&self, expected: impl Into<String>) -> ConfigError {
        let masked = crate::secret::Secret::new(self.value.as_str()).redacted();
        RawValue {
            value: masked,
            ..self.clone()
        }
        .invalid(expected)
    }
}

/// An option name plus the legacy names it still answers to, current first.
#[derive(Debug, Clone, Copy)]
pub struct Opt<'a> {
    pub name: &'a str,
    pub legacy: &'a [&'a str],
}

impl<'a> Opt<'a> {
    /// An option renamed from `legacy` (oslo.config's `deprecated_name`).
    pub const fn renamed(name: &'a str, legacy: &'a [&'a str]) -> Self {
        Opt { name, legacy }
    }

    fn names(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.name)
            .chain(self.legacy.iter().copied())
            .map(normalize_option)
    }
}

impl<'a> From<&'a str> for Opt<'a> {
    fn from(name: &'a str) -> Self {
        Opt { name, legacy: &[] }
    }
}

#[derive(Default)]
struct Reads {
    options: BTreeSet<(String, String)>,
    env: BTreeSet<String>,
}

/// Merged configuration: section → option → values in file order, plus the
/// `DELEGATE_*__*` environment variables. Lookups remember what was read so
/// [`RawConfig::unused`] can list what nothing asked for.
pub struct RawConfig {
    files: BTreeMap<String, BTreeMap<String, Vec<RawValue>>>,
    env: BTreeMap<String, String>,
    reads: Mutex<Reads>,
}

impl fmt::Debug for RawConfig {
    // Names only: values include passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sections: BTreeMap<_, Vec<_>> = self
            .files
            .iter()
            .map(|(s, options)| (s, options.keys().collect()))
            .collect();
        f.debug_struct("RawConfig")
            .field("sections", &sections)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RawConfig {
    /// No files, no environment: every option at its default.
    pub fn empty() -> Self {
        RawConfig {
            files: BTreeMap::new(),
            env: BTreeMap::new(),
            reads: Mutex::default(),
        }
    }

    /// Reads `paths` in order (later files override earlier ones) and the
    /// process environment.
    pub fn load(paths: &[PathBuf]) -> Result<Self, ConfigError> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            files.push((path.clone(), text));
        }
        Self::from_sources(&files, process_env()?)
    }

    /// Builds from file contents (path, text) in override order and
    /// environment variables; variables without the `DELEGATE_` prefix and a
    /// `__` separator are ignored.
    pub fn from_sources(
        files: &[(PathBuf, String)],
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut merged: BTreeMap<String, BTreeMap<String, Vec<RawValue>>> = BTreeMap::new();
        for (path, text) in files {
            let entries = ini::parse(text).map_err(|e| ConfigError::Syntax {
                path: path.clone(),
                line: e.line,
                message: e.message,
            })?;
            for entry in entries {
                let section = normalize_section(&entry.section);
                let value = RawValue {
                    value: entry.value,
                    origin: Origin::File {
                        path: path.clone(),
                        line: entry.line,
                    },
                    section: section.clone(),
                    option: entry.key.clone(),
                };
                let options = merged.entry(section).or_default();
                options
                    .entry(normalize_option(&entry.key))
                    .or_default()
                    .push(value);
            }
        }
        let env = env
            .into_iter()
            .filter(|(var, _)| is_option_var(var))
            .collect();
        Ok(RawConfig {
            files: merged,
            env,
            reads: Mutex::default(),
        })
    }

    /// Typed access to one section.
    pub fn section<'a>(&'a self, name: &'a str) -> Section<'a> {
        Section { raw: self, name }
    }

    /// Names of the sections present in the files (normalized).
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Settings nobody has read, one line each (`path:line: [section] option`
    /// or `environment DELEGATE_…`), for a debug log after start-up.
    /// Unknown options are not errors: operators reuse their designate.conf.
    pub fn unused(&self) -> Vec<String> {
        let reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
        let mut unread: Vec<&RawValue> = Vec::new();
        for (section, options) in &self.files {
            for (option, values) in options {
                if !reads.options.contains(&(section.clone(), option.clone())) {
                    unread.extend(values);
                }
            }
        }
        unread.sort_by(|a, b| a.origin.cmp(&b.origin));
        let mut unused: Vec<String> = unread
            .iter()
            .map(|v| format!("{}: [{}] {}", v.origin, v.section, v.option))
            .collect();
        let env = self.env.keys().filter(|var| !reads.env.contains(*var));
        unused.extend(env.map(|var| format!("environment {var}")));
        unused
    }

    /// The effective value of the first of `opt`'s names that is set: the
    /// environment wins over files, a later file over an earlier one.
    pub(crate) fn find(&self, section: &str, opt: Opt<'_>) -> Option<RawValue> {
        let section = normalize_section(section);
        let names: Vec<String> = opt.names().collect();
        let from_env = names.iter().find_map(|name| self.env_value(&section, name));
        from_env.or_else(|| {
            names
                .iter()
                .find_map(|name| self.file_values(&section, name).last().cloned())
        })
    }

    /// Every file value of a multi-valued option; one env var replaces them all.
    fn find_all(&self, section: &str, opt: Opt<'_>) -> Vec<RawValue> {
        let section = normalize_section(section);
        let names: Vec<String> = opt.names().collect();
        if let Some(value) = names.iter().find_map(|name| self.env_value(&section, name)) {
            return vec![value];
        }
        let mut values = names.iter().map(|name| self.file_values(&section, name));
        values
            .find(|found| !found.is_empty())
            .map(<[RawValue]>::to_vec)
            .unwrap_or_default()
    }

    fn env_value(&self, section: &str, option: &str) -> Option<RawValue> {
        let var = env_var_name(section, option);
        self.mark(section, option, Some(&var));
        let value = self.env.get(&var)?.clone();
        Some(RawValue {
            value,
            origin: Origin::Env { var },
            section: section.to_owned(),
            option: option.to_owned(),
        })
    }

    fn file_values(&self, section: &str, option: &str) -> &[RawValue] {
        self.mark(section, option, None);
        let values = self
            .files
            .get(section)
            .and_then(|options| options.get(option));
        values.map_or(&[], Vec::as_slice)
    }

    fn mark(&self, section: &str, option: &str, var: Option<&str>) {
        let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
        reads
            .options
            .insert((section.to_owned(), option.to_owned()));
        if let Some(var) = var {
            reads.env.insert(var.to_owned());
        }
    }
}

fn is_option_var(var: &str) -> bool {
    var.strip_prefix(ENV_PREFIX)
        .is_some_and(|rest| rest.contains("__"))
}

fn process_env() -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name
            .to_str()
            .filter(|n| is_option_var(n))
            .map(str::to_owned)
        else {
            continue;
        };
        let value = value
            .into_string()
            .map_err(|_| ConfigError::EnvNotUnicode { var: name.clone() })?;
        vars.push((name, value));
    }
    Ok(vars)
}

/// Typed getters for one section. Each takes an option name (or an [`Opt`]
/// with legacy names) and a default, and fails with a [`ConfigError::BadValue`]
/// naming where the bad value came from.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    raw: &'a RawConfig,
    name: &'a str,
}

impl<'a> Section<'a> {
    pub fn name(&self) -> &str {
        self.name
    }

    /// The effective value, with oslo.config `$variable` substitution applied.
    pub fn value<'o>(&self, opt: impl Into<Opt<'o>>) -> Result<Option<RawValue>, ConfigError> {
        self.raw
            .find(self.name, opt.into())
            .map(|v| self.raw.substitute(v))
            .transpose()
    }

    /// Every value of a multi-valued option (the key repeated), in file order.
    pub fn values<'o>(&self, opt: impl Into<Opt<'o>>) -> Result<Vec<RawValue>, ConfigError> {
        let values = self.raw.find_all(self.name, opt.into());
        values.into_iter().map(|v| self.raw.substitute(v)).collect()
    }

    /// The value parsed by `parse`, whose error text completes "expected …".
    pub fn parse<'o, T>(
        &self,
        opt: impl Into<Opt<'o>>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(raw) = self.value(opt)? else {
            return Ok(None);
        };
        parse(&raw.value)
            .map(Some)
            .map_err(|expected| raw.invalid(expected))
    }

    pub fn string<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: &str,
    ) -> Result<String, ConfigError> {
        Ok(self
            .value(opt)?
            .map_or_else(|| default.to_owned(), |v| v.value))
    }

    /// An option without default; an empty value counts as unset.
    pub fn opt_string<'o>(&self, opt: impl Into<Opt<'o>>) -> Result<Option<String>, ConfigError> {
        Ok(self.value(opt)?.map(|v| v.value).filter(|v| !v.is_empty()))
    }

    pub fn bool<'o>(&self, opt: impl Into<Opt<'o>>, default: bool) -> Result<bool, ConfigError> {
        Ok(self
            .parse(opt, crate::values::parse_bool)?
            .unwrap_or(default))
    }

    pub fn uint<'o>(&self, opt: impl Into<Opt<'o>>, default: u32) -> Result<u32, ConfigError> {
        Ok(self
            .parse(opt, crate::values::parse_uint)?
            .unwrap_or(default))
    }

    /// A whole number within `min..=max`.
    pub fn uint_in<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: u32,
        min: u32,
        max: u32,
    ) -> Result<u32, ConfigError> {
        let in_range = |value: &str| match crate::values::parse_uint(value) {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("an integer from {min} to {max}")),
        };
        Ok(self.parse(opt, in_range)?.unwrap_or(default))
    }

    /// Seconds, fractions allowed.
    pub fn seconds<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: std::time::Duration,
    ) -> Result<std::time::Duration, ConfigError> {
        Ok(self.opt_seconds(opt)?.unwrap_or(default))
    }

    pub fn opt_seconds<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
    ) -> Result<Option<std::time::Duration>, ConfigError> {
        self.parse(opt, crate::values::parse_seconds)
    }

    /// A comma-separated list.
    pub fn list<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: &[&str],
    ) -> Result<Vec<String>, ConfigError> {
        let default = || default.iter().map(|s| (*s).to_owned()).collect();
        Ok(self.opt_list(opt)?.unwrap_or_else(default))
    }

    /// A comma-separated list without default (unset is not the same as empty).
    pub fn opt_list<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        Ok(self
            .value(opt)?
            .map(|v| crate::values::parse_list(&v.value)))
    }

    /// One of a fixed set of words (case-insensitive).
    pub fn choice<'o, T: Copy>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let pick = |value: &str| {
            let found = choices
                .iter()
                .find(|(word, _)| word.eq_ignore_ascii_case(value.trim()));
            found.map(|(_, v)| *v).ok_or_else(|| {
                let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
                format!("one of: {}", words.join(", "))
            })
        };
        Ok(self.parse(opt, pick)?.unwrap_or(default))
    }

    /// A list of `host:port`; hosts without a port get `default_port`.
    pub fn host_ports<'o>(
        &self,
        opt: impl Into<Opt<'o>>,
        default: &str,
        default_port: u16,
    ) -> Result<Vec<crate::values::HostPort>, ConfigError> {
        let parse = |value: &str| crate::values::parse_host_ports(value, default_port);
        match self.parse(opt, parse)? {
            Some(list) => Ok(list),
            None => Ok(parse(default).unwrap_or_default()),
        }
    }

    /// Marks options that Delegate accepts but has no use for (e.g. `workers`,
    /// `threads`), so they are not reported by [`RawConfig::unused`].
    pub fn accept_unused(&self, options: &[&str]) {
        for option in options {
            self.raw.find(self.name, Opt::from(*option));
        }
    }
}
