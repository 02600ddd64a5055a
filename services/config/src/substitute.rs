//! oslo.config's `$variable` substitution, because designate.conf files use
//! it (`lock_path = $state_path/lock`): `$name` and `${name}` are replaced by
//! the value of `[DEFAULT] name`, `${group.name}` by `[group] name`, and `$$`
//! is a literal `$`. A `$` not followed by a name is kept as is.

use crate::error::ConfigError;
use crate::raw::{Opt, RawConfig, RawValue};

impl RawConfig {
    pub(crate) fn substitute(&self, raw: RawValue) -> Result<RawValue, ConfigError> {
        if !raw.value.contains('$') {
            return Ok(raw);
        }
        let mut out = String::with_capacity(raw.value.len());
        let mut rest = raw.value.as_str();
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(after_dollar) = after.strip_prefix('$') {
                out.push('$');
                rest = after_dollar;
                continue;
            }
            let Some((name, after_name)) = variable_name(after) else {
                out.push('$');
                rest = after;
                continue;
            };
            let value = self.variable(name).ok_or_else(|| {
                raw.invalid(format!(
                    "${name} to name a set option (write $$ for a literal $)"
                ))
            })?;
            out.push_str(&value);
            rest = after_name;
        }
        out.push_str(rest);
        Ok(RawValue { value: out, ..raw })
    }

    /// A variable's value: no nested substitution (oslo.config does nest, but
    /// nothing in a designate.conf needs it and it cannot loop this way).
    fn variable(&self, name: &str) -> Option<String> {
        let (section, option) = name.rsplit_once('.').unwrap_or(("DEFAULT", name));
        if let Some(found) = self.find(section, Opt::from(option)) {
            return Some(found.value);
        }
        match (section, option) {
            ("DEFAULT", "state_path") => Some(crate::sections::DEFAULT_STATE_PATH.to_owned()),
            ("DEFAULT", "host") => Some(crate::sections::machine_hostname()),
            _ => None,
        }
    }
}

/// `name…` or `{name}…` at the start of `text` → (name, text after it).
fn variable_name(text: &str) -> Option<(&str, &str)> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    if let Some(braced) = text.strip_prefix('{') {
        let (name, rest) = braced.split_once('}')?;
        return (!name.is_empty() && name.chars().all(is_name)).then_some((name, rest));
    }
    let starts_ok = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    starts_ok.then(|| text.split_at(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn raw(text: &str) -> RawConfig {
        RawConfig::from_sources(&[(PathBuf::from("t.conf"), text.to_owned())], []).unwrap()
    }

    fn value(raw: &RawConfig, section: &str, option: &str) -> Result<Option<String>, ConfigError> {
        Ok(raw.section(section).value(option)?.map(|v| v.value))
    }

    #[test]
    fn substitutes_default_options_and_groups() {
        let conf = raw(
            "[DEFAULT]\nstate_path = /srv\n[a]\nx = $state_path/lock\ny = ${state_path}x\nz = ${b.p}!\n[b]\np = q\n",
        );
        assert_eq!(
            value(&conf, "a", "x").unwrap().as_deref(),
            Some("/srv/lock")
        );
        assert_eq!(value(&conf, "a", "y").unwrap().as_deref(), Some("/srvx"));
        assert_eq!(value(&conf, "a", "z").unwrap().as_deref(), Some("q!"));
    }

    #[test]
    fn double_dollar_and_lone_dollar_are_literal() {
        let conf = raw("[a]\nx = pa$$word\ny = cost: 5$\n");
        assert_eq!(value(&conf, "a", "x").unwrap().as_deref(), Some("pa$word"));
        assert_eq!(value(&conf, "a", "y").unwrap().as_deref(), Some("cost: 5$"));
    }

    #[test]
    fn state_path_has_its_designate_default() {
        let conf = raw("[a]\nx = $state_path/x\n");
        assert_eq!(
            value(&conf, "a", "x").unwrap().as_deref(),
            Some("/var/lib/designate/x")
        );
    }

    #[test]
    fn undefined_variable_is_an_error_naming_the_option() {
        let conf = raw("[a]\n\nx = $nope/x\n");
        let err = value(&conf, "a", "x").unwrap_err().to_string();
        assert_eq!(
            err,
            "t.conf:3: [a] x = \"$nope/x\": expected $nope to name a set option (write $$ for a literal $)"
        );
    }
}
