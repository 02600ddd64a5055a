//! `[service:api]`.

use crate::error::ConfigError;
use crate::raw::RawConfig;
use crate::values::HostPort;

/// How the API authenticates requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStrategy {
    /// Keystone tokens (`[keystone_authtoken]`).
    Keystone,
    /// No authentication; the project comes from request headers.
    Noauth,
}

/// `[service:api]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub listen: Vec<HostPort>,
    pub auth_strategy: AuthStrategy,
    /// Build links from the request's Host header; false → `api_base_uri`.
    pub enable_host_header: bool,
    pub api_base_uri: String,
    pub enable_api_v2: bool,
    pub enable_api_admin: bool,
    pub enabled_extensions_v2: Vec<String>,
    pub enabled_extensions_admin: Vec<String>,
    pub default_limit_v2: u32,
    /// The value of `limit=max`.
    pub max_limit_v2: u32,
    pub default_limit_admin: u32,
    pub max_limit_admin: u32,
    pub quotas_verify_project_id: bool,
    pub allow_empty_secrets_for_tsig: bool,
    /// Answer 503 to everyone without `maintenance_mode_role`.
    pub maintenance_mode: bool,
    pub maintenance_mode_role: String,
}

impl Api {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:api");
        s.accept_unused(&["workers", "threads", "api_paste_config", "pecan_debug"]);
        Ok(Api {
            listen: s.host_ports("listen", "0.0.0.0:9001", 9001)?,
            auth_strategy: s.choice(
                "auth_strategy",
                AuthStrategy::Keystone,
                &[
                    ("keystone", AuthStrategy::Keystone),
                    ("noauth", AuthStrategy::Noauth),
                ],
            )?,
            enable_host_header: s.bool("enable_host_header", true)?,
            api_base_uri: s.string("api_base_uri", "http://127.0.0.1:9001/")?,
            enable_api_v2: s.bool("enable_api_v2", true)?,
            enable_api_admin: s.bool("enable_api_admin", false)?,
            enabled_extensions_v2: s.list("enabled_extensions_v2", &[])?,
            enabled_extensions_admin: s.list("enabled_extensions_admin", &[])?,
            default_limit_v2: s.uint("default_limit_v2", 20)?,
            max_limit_v2: s.uint("max_limit_v2", 1000)?,
            default_limit_admin: s.uint("default_limit_admin", 20)?,
            max_limit_admin: s.uint("max_limit_admin", 1000)?,
            quotas_verify_project_id: s.bool("quotas_verify_project_id", false)?,
            allow_empty_secrets_for_tsig: s.bool("allow_empty_secrets_for_tsig", true)?,
            maintenance_mode: s.bool("maintenance_mode", false)?,
            maintenance_mode_role: s.string("maintenance_mode_role", "admin")?,
        })
    }
}
