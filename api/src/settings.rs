//! What the API reads from the configuration, in one plain struct so that the
//! router can be built (and tested) without a configuration file.

use std::path::PathBuf;

pub use delegate_config::AuthStrategy;
use delegate_config::{Config, SUPPORTED_RECORD_TYPES};

/// Where oslo.middleware's healthcheck looks for its "disabled" flag file.
pub const HEALTHCHECK_DISABLE_FILE: &str = "/etc/designate/healthcheck_disable";

/// Request bodies above this size get 413 (`[oslo_middleware] max_request_body_size`).
pub const MAX_REQUEST_BODY_SIZE: usize = 114_688;

/// The API's settings (spec/config.md §1–§3).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSettings {
    /// `[service:api] auth_strategy`.
    pub auth_strategy: AuthStrategy,
    /// `[service:api] enable_host_header`: links from the request's Host.
    pub enable_host_header: bool,
    /// `[service:api] api_base_uri`: link base when the Host is not used.
    pub api_base_uri: String,
    /// `[service:api] default_limit_v2`.
    pub default_limit: u32,
    /// `[service:api] max_limit_v2` (the value of `limit=max`).
    pub max_limit: u32,
    /// `[DEFAULT] supported_record_type`.
    pub supported_record_types: Vec<String>,
    /// `[service:central] managed_resource_email`: the email of secondary zones.
    pub managed_resource_email: String,
    /// The healthcheck answers 503 while this file exists.
    pub healthcheck_disable_file: PathBuf,
    /// `[service:central] min_ttl`, `max_zone_name_len`,
    /// `max_recordset_name_len`: shown by `GET /v2/limits`.
    pub min_ttl: u32,
    pub max_zone_name_len: u32,
    pub max_recordset_name_len: u32,
}

impl Default for ApiSettings {
    /// Designate's defaults, except the strategy: noauth is what Delegate ships first.
    fn default() -> Self {
        ApiSettings {
            auth_strategy: AuthStrategy::Noauth,
            enable_host_header: true,
            api_base_uri: "http://127.0.0.1:9001/".into(),
            default_limit: 20,
            max_limit: 1000,
            supported_record_types: SUPPORTED_RECORD_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            managed_resource_email: "hostmaster@example.com".into(),
            healthcheck_disable_file: PathBuf::from(HEALTHCHECK_DISABLE_FILE),
            min_ttl: 0,
            max_zone_name_len: 255,
            max_recordset_name_len: 255,
        }
    }
}

impl ApiSettings {
    pub fn from_config(config: &Config) -> Self {
        ApiSettings {
            auth_strategy: config.api.auth_strategy,
            enable_host_header: config.api.enable_host_header,
            api_base_uri: config.api.api_base_uri.clone(),
            default_limit: config.api.default_limit_v2,
            max_limit: config.api.max_limit_v2,
            supported_record_types: config.default.supported_record_type.clone(),
            managed_resource_email: config.central.managed_resource_email.clone(),
            healthcheck_disable_file: PathBuf::from(HEALTHCHECK_DISABLE_FILE),
            min_ttl: config.central.min_ttl,
            max_zone_name_len: config.central.max_zone_name_len,
            max_recordset_name_len: config.central.max_recordset_name_len,
        }
    }
}
