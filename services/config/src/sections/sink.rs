//! `[service:sink]` and the `[handler:<name>]` sections of its notification handlers.

use std::collections::BTreeMap;

use crate::error::ConfigError;
use crate::raw::RawConfig;

/// One `[handler:<name>]` section (`nova_fixed`, `neutron_floatingip`, `fake`).
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationHandler {
    pub notification_topics: Vec<String>,
    pub control_exchange: String,
    /// Zone the records go to; the handler does nothing without it.
    pub zone_id: Option<String>,
    /// Multi-valued record name formats.
    pub formatv4: Vec<String>,
    pub formatv6: Vec<String>,
    /// `fake` handler only.
    pub allowed_event_types: Vec<String>,
}

/// `[service:sink]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sink {
    /// Handlers to run: `nova_fixed`, `neutron_floatingip`, `fake`.
    pub enabled_notification_handlers: Vec<String>,
    pub listener_pool_name: Option<String>,
    /// `[handler:<name>]` of every enabled handler.
    pub handlers: BTreeMap<String, NotificationHandler>,
}

impl Sink {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:sink");
        s.accept_unused(&["workers", "threads"]);
        let enabled = s.list("enabled_notification_handlers", &[])?;
        let handlers = enabled
            .iter()
            .map(|name| Ok((name.clone(), NotificationHandler::read(raw, name)?)))
            .collect::<Result<_, ConfigError>>()?;
        Ok(Sink {
            enabled_notification_handlers: enabled,
            listener_pool_name: s.opt_string("listener_pool_name")?,
            handlers,
        })
    }
}

impl NotificationHandler {
    /// The settings of handler `name`, with that handler's defaults
    /// (`control_exchange` is `nova`, `neutron` or `fake`).
    fn read(raw: &RawConfig, name: &str) -> Result<Self, ConfigError> {
        let section_name = format!("handler:{name}");
        let s = raw.section(&section_name);
        s.accept_unused(&["format"]);
        let exchange = match name {
            "nova_fixed" => "nova",
            "neutron_floatingip" => "neutron",
            other => other,
        };
        let formats = |option| -> Result<Vec<String>, ConfigError> {
            let values: Vec<String> = s.values(option)?.into_iter().map(|v| v.value).collect();
            Ok(if values.is_empty() {
                vec!["%(hostname)s.%(zone)s".to_owned()]
            } else {
                values
            })
        };
        Ok(NotificationHandler {
            notification_topics: s.list("notification_topics", &["notifications"])?,
            control_exchange: s.string("control_exchange", exchange)?,
            zone_id: s.opt_string("zone_id")?,
            formatv4: formats("formatv4")?,
            formatv6: formats("formatv6")?,
            allowed_event_types: s.list("allowed_event_types", &[])?,
        })
    }
}
