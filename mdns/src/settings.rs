//! mdns' settings, taken from the configuration (spec/config.md §6).

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use delegate_config::{Config, HostPort};

use crate::handler::Policy;

/// How the DNS listeners run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// Every address gets one UDP and one TCP socket. Port 0 picks a free
    /// port, the same for both.
    pub listen: Vec<SocketAddr>,
    pub tcp_backlog: u32,
    /// TCP keepalive idle time; `None` leaves the system default.
    pub tcp_keepidle: Option<Duration>,
    /// A TCP connection silent this long is closed.
    pub tcp_recv_timeout: Duration,
    /// The largest message of a zone transfer.
    pub max_message_size: u16,
}

/// Everything mdns reads from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub server: ServerSettings,
    pub policy: Policy,
}

#[derive(Debug, thiserror::Error)]
#[error("[service:mdns] listen: cannot resolve {host}:{port}: {source}")]
pub struct ListenError {
    host: String,
    port: u16,
    source: io::Error,
}

impl Settings {
    pub fn from_config(config: &Config) -> Result<Settings, ListenError> {
        let mdns = &config.mdns;
        let listen = mdns.listen.iter().map(resolve).collect::<Result<_, _>>()?;
        Ok(Settings {
            server: ServerSettings {
                listen,
                tcp_backlog: mdns.tcp_backlog,
                tcp_keepidle: mdns.tcp_keepidle,
                tcp_recv_timeout: mdns.tcp_recv_timeout,
                max_message_size: mdns.max_message_size,
            },
            policy: Policy {
                default_pool_id: config.central.default_pool_id,
                enforce_tsig: mdns.query_enforce_tsig,
            },
        })
    }
}

/// An IP literal as it is, a host name to its first address.
fn resolve(hp: &HostPort) -> Result<SocketAddr, ListenError> {
    let error = |source| ListenError {
        host: hp.host.clone(),
        port: hp.port,
        source,
    };
    let mut addrs = (hp.host.as_str(), hp.port)
        .to_socket_addrs()
        .map_err(error)?;
    addrs
        .next()
        .ok_or_else(|| error(io::Error::new(io::ErrorKind::NotFound, "no address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_mdns_section_and_the_default_pool() {
        let config = Config::from_str_for_tests(
            "[service:mdns]\nlisten = 127.0.0.1:5354, [::1]:5355\ntcp_recv_timeout = 2\n\
             [service:central]\ndefault_pool_id = 11111111-2222-3333-4444-555555555555\n",
        )
        .unwrap();
        let s = Settings::from_config(&config).unwrap();
        let listen: Vec<String> = s.server.listen.iter().map(ToString::to_string).collect();
        assert_eq!(listen, ["127.0.0.1:5354", "[::1]:5355"]);
        assert_eq!(s.server.tcp_recv_timeout, Duration::from_secs(2));
        assert_eq!(s.server.max_message_size, 65535);
        assert_eq!(
            s.policy.default_pool_id.to_string(),
            "11111111-2222-3333-4444-555555555555"
        );
        assert!(!s.policy.enforce_tsig);
    }
}
