//! Configuration of every Delegate service: one INI file in designate.conf's
//! format, section and option names (spec/config.md), plus environment
//! variables.
//!
//! # Sources and precedence
//!
//! Binaries take `--config-file PATH` ([`ConfigArgs`]), repeatable; files are
//! read in order and a later file overrides an earlier one option by option,
//! as oslo.config does. Without `--config-file`, `/etc/delegate/delegate.conf`
//! is read if it exists, else only defaults and the environment apply.
//!
//! Every option can also be set by an environment variable, which beats every
//! file: `DELEGATE_<SECTION>__<OPTION>`, upper-cased, with every character
//! that is not an ASCII letter or digit replaced by `_` ([`env_var_name`]):
//!
//! | option | variable |
//! |---|---|
//! | `[DEFAULT] transport_url` | `DELEGATE_DEFAULT__TRANSPORT_URL` |
//! | `[service:api] listen` | `DELEGATE_SERVICE_API__LISTEN` |
//! | `[storage:sqlalchemy] connection` | `DELEGATE_STORAGE_SQLALCHEMY__CONNECTION` |
//! | `[service:worker] threshold-percentage` | `DELEGATE_SERVICE_WORKER__THRESHOLD_PERCENTAGE` |
//! | `[producer_task:zone_purge] interval` | `DELEGATE_PRODUCER_TASK_ZONE_PURGE__INTERVAL` |
//!
//! An environment variable replaces all values of a multi-valued option.
//!
//! # File syntax (oslo.config's)
//!
//! `[section]` headers; `key = value` (or `key: value`); `#`/`;` comments at
//! the start of a line only; indented lines continue a value. Section names
//! other than `DEFAULT` are case-insensitive; `-` and `_` in option names are
//! the same. Lists are comma-separated; multi-valued options repeat the key.
//! `$name` / `${name}` is replaced by `[DEFAULT] name`, `${section.name}` by
//! that option, `$$` is a literal `$`. Booleans: `true/false`, `yes/no`,
//! `on/off`, `1/0`. Durations are seconds and may be fractional (`0.1`).
//! Legacy option names Designate still accepts are accepted too
//! (`default_soa_refresh`, `max_record_name_len`, `allowed_rpc_exception_modules`,
//! `idle_timeout`).
//!
//! Sections and options Delegate does not know are ignored, so an existing
//! designate.conf can be reused as is; [`Config::unused_settings`] lists them
//! for a debug log. A value that does not parse stops the service with a
//! message naming its origin, section and option, e.g.
//!
//! ```text
//! /etc/delegate/delegate.conf:12: [service:worker] poll_retry_interval = "abc": expected a number of seconds
//! environment DELEGATE_SERVICE_WORKER__POLL_RETRY_INTERVAL: [service:worker] poll_retry_interval = "abc": expected a number of seconds
//! ```
//!
//! # Where Delegate's defaults differ from Designate's
//!
//! `[service:worker]` polling. Designate waits `poll_delay` = 5 s after
//! changing a backend, then polls the nameservers' SOA every
//! `poll_retry_interval` = 15 s, `poll_max_retries` = 10 times: a change
//! takes at least 5 s to turn ACTIVE, and 20 s whenever the first poll is
//! early. Delegate pushes each change as soon
//! as it commits, so it starts polling after `poll_delay` = 0.1 s and backs
//! off: `poll_retry_interval` = 0.2 s doubles after each round up to
//! `poll_retry_max_interval` = 2 s (a Delegate option), for
//! `poll_max_retries` = 30 rounds (≈ 55 s in all, against Designate's
//! ≈ 155 s). A designate.conf that sets these options keeps its values:
//! `poll_retry_interval = 15` gives a constant 15 s, since the cap never
//! goes below the initial interval. See [`Worker::poll_retry_delay`] and
//! [`Worker::max_prop_time`].
//!
//! Other differences: `[DEFAULT] host` defaults to the kernel's hostname;
//! `[storage:sqlalchemy] connection` is converted to a sqlx URL
//! ([`sqlx_url`]); `[service:mdns] max_message_size` below 512 is refused;
//! `workers`/`threads` options are accepted and ignored (the services are
//! asynchronous).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod args;
mod error;
mod ini;
mod raw;
mod secret;
mod sections;
mod substitute;
mod values;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use args::{ConfigArgs, DEFAULT_CONFIG_FILE};
pub use error::{BadValue, ConfigError, Origin};
pub use raw::{ENV_PREFIX, Opt, RawConfig, RawValue, Section, env_var_name};
pub use secret::Secret;
pub use sections::*;
pub use values::{HostPort, parse_bool, parse_host_ports, parse_list, parse_seconds, parse_uint};

/// The whole configuration: the typed sections Delegate uses, plus the raw
/// values for sections read elsewhere (e.g. `[keystone_authtoken]`, through
/// [`RawConfig::section`]).
#[derive(Debug)]
pub struct Config {
    pub default: DefaultSection,
    pub notifications: Notifications,
    pub storage: Storage,
    pub api: Api,
    pub central: Central,
    pub worker: Worker,
    pub mdns: Mdns,
    pub producer: Producer,
    pub sink: Sink,
    pub coordination: Coordination,
    pub heartbeat_emitter: HeartbeatEmitter,
    pub keystone_authtoken: KeystoneAuthtoken,
    pub oslo_policy: OsloPolicy,
    pub raw: RawConfig,
}

impl Config {
    /// Reads `paths` in order (later override earlier) and the `DELEGATE_*`
    /// environment. Any missing file is an error.
    pub fn load(paths: &[PathBuf]) -> Result<Config, ConfigError> {
        Config::from_raw(RawConfig::load(paths)?)
    }

    /// Types every section of `raw`.
    pub fn from_raw(raw: RawConfig) -> Result<Config, ConfigError> {
        Ok(Config {
            default: DefaultSection::read(&raw)?,
            notifications: Notifications::read(&raw)?,
            storage: Storage::read(&raw)?,
            api: Api::read(&raw)?,
            central: Central::read(&raw)?,
            worker: Worker::read(&raw)?,
            mdns: Mdns::read(&raw)?,
            producer: Producer::read(&raw)?,
            sink: Sink::read(&raw)?,
            coordination: Coordination::read(&raw)?,
            heartbeat_emitter: HeartbeatEmitter::read(&raw)?,
            keystone_authtoken: KeystoneAuthtoken::read(&raw)?,
            oslo_policy: OsloPolicy::read(&raw)?,
            raw,
        })
    }

    /// The configuration of one INI text (origin shown as `<test>`), without
    /// the environment, so tests do not depend on the machine.
    pub fn from_str_for_tests(ini: &str) -> Result<Config, ConfigError> {
        let raw = RawConfig::from_sources(&[(PathBuf::from("<test>"), ini.to_owned())], [])?;
        Config::from_raw(raw)
    }

    /// Settings in the files or environment that nothing has read so far,
    /// one line each, for a debug log once the service has started.
    pub fn unused_settings(&self) -> Vec<String> {
        self.raw.unused()
    }
}
