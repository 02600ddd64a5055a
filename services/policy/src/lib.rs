//! Designate's policy (spec/api-v2.md §3.4): who may do what.
//!
//! [`Policy`] holds every default rule of Designate 23 ([`defaults`]) with
//! the operator's overrides from `[oslo_policy] policy_file` (YAML or JSON,
//! rule name → check string in oslo.policy's language, [`rule`]). It is
//! evaluated the way oslo.policy's `Enforcer.enforce` does it for Designate:
//!
//! 1. a project-scoped rule asked with a system- or domain-scoped token fails
//!    with [`Denial::InvalidScope`] (`403 invalid_token_scope`), before the
//!    check string is looked at;
//! 2. the rule's check runs against the caller's credentials ([`creds`], the
//!    values of oslo.context's `to_policy_values`) and a target describing the
//!    resource (flat keys such as `project_id`, `zone_type`, `zone_shared`);
//! 3. a rule name that is not defined falls back to `[oslo_policy]
//!    policy_default_rule` (`default`), as oslo.policy's `Rules.__missing__`.
//!
//! The API checks the rules of the context flags (`use_sudo`, `all_tenants`,
//! `edit_managed_records`, `hard_delete`); central checks the resource rules,
//! since it knows the resource (its owner, type, shares).

pub mod defaults;
pub mod rule;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use delegate_model::{Context, Error, ErrorKind};
use serde_json::{Map, Value};

pub use rule::{Check, SyntaxError};

/// Attributes of the resource a rule is checked against.
pub type Target = Map<String, Value>;

/// Why a policy check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The check string does not allow the caller: `403 forbidden`.
    Forbidden,
    /// A project-scoped rule and a system/domain-scoped token: `403 invalid_token_scope`.
    InvalidScope,
}

impl From<Denial> for Error {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::Forbidden => Error::bare(ErrorKind::Forbidden),
            Denial::InvalidScope => Error::bare(ErrorKind::InvalidTokenScope),
        }
    }
}

/// A policy file that cannot be used: the service refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy file {file}: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("policy file {file}: {message}")]
    Format { file: PathBuf, message: String },
    #[error("policy file {file}: rule \"{rule}\": {source}")]
    Rule {
        file: PathBuf,
        rule: String,
        source: SyntaxError,
    },
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    rules: HashMap<String, Check>,
    /// Names of the registered defaults with `scope_types=['project']`.
    project_scoped: HashSet<&'static str>,
    default_rule: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::defaults()
    }
}

impl Policy {
    /// Designate's defaults only.
    pub fn defaults() -> Policy {
        let mut rules = HashMap::new();
        let mut project_scoped = HashSet::new();
        for d in defaults::DEFAULTS {
            // The defaults are tested to parse (tests below); a broken one would deny.
            let check = Check::parse(d.check).unwrap_or(Check::Never);
            rules.insert(d.name.to_owned(), check);
            if d.project_scoped {
                project_scoped.insert(d.name);
            }
        }
        Policy {
            rules,
            project_scoped,
            default_rule: "default".into(),
        }
    }

    /// `[oslo_policy]` as the services read it (the API and central).
    pub fn from_oslo(c: &delegate_config::OsloPolicy) -> Result<Policy, PolicyError> {
        if !c.enforce_new_defaults {
            tracing::warn!(
                "[oslo_policy] enforce_new_defaults = false is not supported: \
                 Designate 23's new defaults apply"
            );
        }
        Policy::from_config(
            &c.policy_file,
            c.policy_file_set,
            &c.policy_default_rule,
            &c.search_dirs,
        )
    }

    /// `[oslo_policy]`: the defaults overridden by `policy_file` when it
    /// exists. A relative path is looked up beside each configuration file
    /// (oslo.config's search), in `config_dirs` order; the default name
    /// (`policy.yaml`) may be absent, a file the operator named must exist.
    pub fn from_config(
        policy_file: &str,
        explicitly_set: bool,
        default_rule: &str,
        config_dirs: &[PathBuf],
    ) -> Result<Policy, PolicyError> {
        let mut policy = Policy::defaults();
        policy.default_rule = default_rule.to_owned();
        let path = Path::new(policy_file);
        let found = if path.is_absolute() {
            path.exists().then(|| path.to_path_buf())
        } else {
            config_dirs
                .iter()
                .map(|d| d.join(path))
                .find(|p| p.exists())
        };
        match found {
            Some(file) => policy.load_overrides(&file)?,
            None if explicitly_set => {
                return Err(PolicyError::Read {
                    file: path.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not found"),
                });
            }
            None => {}
        }
        Ok(policy)
    }

    /// Reads an operator's policy file (YAML, of which JSON is a subset) and
    /// replaces the rules it names.
    pub fn load_overrides(&mut self, file: &Path) -> Result<(), PolicyError> {
        let text = std::fs::read_to_string(file).map_err(|source| PolicyError::Read {
            file: file.to_path_buf(),
            source,
        })?;
        for (name, check) in parse_file(&text, file)? {
            self.rules.insert(name, check);
        }
        Ok(())
    }

    /// The check of `rule` (after overrides), for tests and diagnostics.
    pub fn rule(&self, name: &str) -> Option<&Check> {
        self.rules.get(name)
    }

    /// Checks `rule` for the caller `ctx` on `target`.
    pub fn enforce(&self, rule: &str, ctx: &Context, target: &Target) -> Result<(), Denial> {
        let creds = creds(ctx);
        if self.project_scoped.contains(rule) && token_scope(&creds) != "project" {
            tracing::info!(rule, "policy check failed: token scope");
            return Err(Denial::InvalidScope);
        }
        let allowed = match rule::Rules::lookup(self, rule) {
            Some(check) => check.allows(target, &creds, self),
            None => false,
        };
        if allowed {
            Ok(())
        } else {
            tracing::info!(rule, ?target, "policy check failed");
            Err(Denial::Forbidden)
        }
    }

    /// [`Policy::enforce`] with the target `{"project_id": <caller's project>}`
    /// Designate uses for rules that are not about one resource (flags, lists).
    pub fn enforce_own(&self, rule: &str, ctx: &Context) -> Result<(), Denial> {
        let mut target = Target::new();
        target.insert("project_id".into(), ctx.project_id.clone().into());
        self.enforce(rule, ctx, &target)
    }
}

impl rule::Rules for Policy {
    fn lookup(&self, name: &str) -> Option<&Check> {
        self.rules.get(name).or_else(|| {
            (name != self.default_rule)
                .then(|| self.rules.get(&self.default_rule))
                .flatten()
        })
    }
}

/// oslo.policy's token scope: `system` if the credentials carry a system
/// scope, `domain` if a domain, else `project`.
fn token_scope(creds: &Map<String, Value>) -> &'static str {
    let set = |k: &str| {
        creds
            .get(k)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
    };
    if set("system") {
        "system"
    } else if set("domain_id") {
        "domain"
    } else {
        "project"
    }
}

/// The credentials a check sees: oslo.context's `to_policy_values()` of the
/// context (plus `system`, which oslo.policy copies from `system_scope`, and
/// `is_admin`, so that the `admin` rule's `is_admin:True` means the internal
/// admin context).
pub fn creds(ctx: &Context) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("user_id".into(), ctx.user_id.clone().into());
    c.insert("user_domain_id".into(), ctx.user_domain.clone().into());
    c.insert("system_scope".into(), ctx.system_scope.clone().into());
    c.insert("system".into(), ctx.system_scope.clone().into());
    c.insert("domain_id".into(), ctx.domain.clone().into());
    c.insert("project_id".into(), ctx.project_id.clone().into());
    c.insert(
        "project_domain_id".into(),
        ctx.project_domain.clone().into(),
    );
    c.insert(
        "roles".into(),
        Value::Array(ctx.roles.iter().cloned().map(Value::String).collect()),
    );
    c.insert("is_admin_project".into(), true.into());
    c.insert("is_admin".into(), ctx.is_admin.into());
    c
}

/// Rule name → check, from YAML or JSON text. Values are check strings, or
/// the old list-of-lists form.
fn parse_file(text: &str, file: &Path) -> Result<Vec<(String, Check)>, PolicyError> {
    let format = |message: String| PolicyError::Format {
        file: file.to_path_buf(),
        message,
    };
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {} column {}", l.line(), l.column()))
            .unwrap_or_default();
        format(format!("not valid YAML/JSON{at}: {e}"))
    })?;
    let map = match doc {
        serde_yaml::Value::Null => return Ok(Vec::new()),
        serde_yaml::Value::Mapping(map) => map,
        _ => {
            return Err(format(
                "expected a mapping of rule names to check strings".into(),
            ));
        }
    };
    let mut rules = Vec::new();
    for (key, value) in map {
        let name = match key {
            serde_yaml::Value::String(s) => s,
            other => return Err(format(format!("rule name {other:?} is not a string"))),
        };
        let rule_error = |source: SyntaxError| PolicyError::Rule {
            file: file.to_path_buf(),
            rule: name.clone(),
            source,
        };
        let check = match value {
            serde_yaml::Value::String(s) => Check::parse(&s).map_err(rule_error)?,
            serde_yaml::Value::Null => Check::Always,
            serde_yaml::Value::Sequence(_) => {
                let json = serde_json::to_value(&value).map_err(|e| format(e.to_string()))?;
                let list = json.as_array().cloned().unwrap_or_default();
                Check::from_list(&list).map_err(rule_error)?
            }
            _ => {
                return Err(format(format!("rule \"{name}\": expected a check string")));
            }
        };
        rules.push((name, check));
    }
    Ok(rules)
}

#[cfg(test)]
mod tests;
