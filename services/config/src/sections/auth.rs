//! `[keystone_authtoken]` (keystonemiddleware's options the API uses) and
//! `[oslo_policy]` (spec/config.md §2).

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{ConfigError, Origin};
use crate::raw::RawConfig;
use crate::secret::Secret;

/// `[keystone_authtoken]`: how the API validates tokens (auth_strategy = keystone).
#[derive(Debug, Clone, PartialEq)]
pub struct KeystoneAuthtoken {
    /// Keystone's URL for the service's own password login (`…/v3` or the root).
    pub auth_url: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub project_name: Option<String>,
    pub user_domain_name: String,
    pub project_domain_name: String,
    /// Sent to clients in `WWW-Authenticate: Keystone uri="…"` (legacy name `auth_uri`).
    pub www_authenticate_uri: Option<String>,
    /// keystonemiddleware's check of `X-Service-Token` roles. Read for
    /// compatibility: Delegate's API does not accept service tokens from
    /// callers, so there is nothing to check.
    pub service_token_roles_required: bool,
    /// How long a validated token is cached (keystonemiddleware's default 300 s).
    pub token_cache_time: Duration,
    /// Connect and request timeout towards Keystone.
    pub http_connect_timeout: Option<Duration>,
    /// Read for compatibility: tokens are validated at `auth_url`, so no
    /// catalog lookup of the identity endpoint (which this selects) is made.
    pub region_name: Option<String>,
}

impl KeystoneAuthtoken {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("keystone_authtoken");
        s.accept_unused(&[
            "auth_type",
            "auth_version",
            "memcached_servers",
            "service_token_roles",
            "interface",
            "cafile",
            "insecure",
            "delay_auth_decision",
            "include_service_catalog",
        ]);
        let www = match s.opt_string("www_authenticate_uri")? {
            Some(uri) => Some(uri),
            None => s.opt_string("auth_uri")?,
        };
        Ok(KeystoneAuthtoken {
            auth_url: s.opt_string("auth_url")?,
            username: s.opt_string("username")?,
            password: s.opt_string("password")?.map(Secret::new),
            project_name: s.opt_string("project_name")?,
            user_domain_name: s.string("user_domain_name", "Default")?,
            project_domain_name: s.string("project_domain_name", "Default")?,
            www_authenticate_uri: www,
            service_token_roles_required: s.bool("service_token_roles_required", false)?,
            token_cache_time: s.seconds("token_cache_time", Duration::from_secs(300))?,
            http_connect_timeout: s.opt_seconds("http_connect_timeout")?,
            region_name: s.opt_string("region_name")?,
        })
    }
}

/// `[oslo_policy]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OsloPolicy {
    /// `policy_file` (default `policy.yaml`).
    pub policy_file: String,
    /// True when the operator set `policy_file`: the file must then exist.
    pub policy_file_set: bool,
    /// Where a relative `policy_file` is looked up: beside the file that set
    /// it, else `/etc/delegate` and `/etc/designate`.
    pub search_dirs: Vec<PathBuf>,
    /// `policy_default_rule`: the rule of names the policy does not define.
    pub policy_default_rule: String,
    /// Only the new defaults are evaluated (Designate 23's default, `true`);
    /// `false` is reported at start-up and otherwise ignored. oslo.policy no
    /// longer has `enforce_scope`: token scope is always enforced.
    pub enforce_new_defaults: bool,
}

impl OsloPolicy {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("oslo_policy");
        s.accept_unused(&["policy_dirs", "enforce_scope"]);
        let set = s.value("policy_file")?;
        let mut search_dirs = Vec::new();
        if let Some(Origin::File { path, .. }) = set.as_ref().map(|v| &v.origin)
            && let Some(dir) = path.parent()
        {
            search_dirs.push(dir.to_path_buf());
        }
        search_dirs.push(PathBuf::from("/etc/delegate"));
        search_dirs.push(PathBuf::from("/etc/designate"));
        Ok(OsloPolicy {
            policy_file: s.string("policy_file", "policy.yaml")?,
            policy_file_set: set.is_some(),
            search_dirs,
            policy_default_rule: s.string("policy_default_rule", "default")?,
            enforce_new_defaults: s.bool("enforce_new_defaults", true)?,
        })
    }
}
