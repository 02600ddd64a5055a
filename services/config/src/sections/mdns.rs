//! `[service:mdns]`.

use std::time::Duration;

use crate::error::ConfigError;
use crate::raw::RawConfig;
use crate::values::HostPort;

/// `[service:mdns]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mdns {
    /// Each address is served over UDP and TCP.
    pub listen: Vec<HostPort>,
    pub tcp_backlog: u32,
    pub tcp_keepidle: Option<Duration>,
    pub tcp_recv_timeout: Duration,
    /// Refuse unsigned queries and transfers.
    pub query_enforce_tsig: bool,
    /// Largest DNS message mdns sends; values above 65535 are clamped to it
    /// (as Designate does), values below 512 refused (no DNS message fits).
    pub max_message_size: u16,
}

impl Mdns {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:mdns");
        s.accept_unused(&["workers", "threads"]);
        Ok(Mdns {
            listen: s.host_ports("listen", "0.0.0.0:5354", 5354)?,
            tcp_backlog: s.uint("tcp_backlog", 100)?,
            tcp_keepidle: s.opt_seconds("tcp_keepidle")?,
            tcp_recv_timeout: s.seconds("tcp_recv_timeout", Duration::from_millis(500))?,
            query_enforce_tsig: s.bool("query_enforce_tsig", false)?,
            max_message_size: s
                .parse("max_message_size", parse_message_size)?
                .unwrap_or(u16::MAX),
        })
    }
}

fn parse_message_size(value: &str) -> Result<u16, String> {
    let size: u64 = value
        .trim()
        .parse()
        .map_err(|_| "an integer of at least 512".to_owned())?;
    if size < 512 {
        return Err("an integer of at least 512".to_owned());
    }
    Ok(u16::try_from(size).unwrap_or(u16::MAX))
}
