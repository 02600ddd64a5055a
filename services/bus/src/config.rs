//! Bus configuration: oslo.messaging's `transport_url`, `control_exchange`,
//! `host` and `rpc_response_timeout`.

use std::fmt;
use std::time::Duration;

use lapin::uri::{AMQPAuthority, AMQPQueryString, AMQPScheme, AMQPUri, AMQPUserInfo};
use percent_encoding::percent_decode_str;

use crate::error::BusError;

/// AMQP limits names (exchange, queue, routing key) to 255 bytes (AMQP 0-9-1 `shortstr`).
pub(crate) const MAX_NAME_LEN: usize = 255;

/// One broker listed in `transport_url`.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerAddress {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    pub vhost: String,
}

impl BrokerAddress {
    pub(crate) fn amqp_uri(&self) -> AMQPUri {
        AMQPUri {
            scheme: AMQPScheme::AMQP,
            authority: AMQPAuthority {
                userinfo: AMQPUserInfo {
                    username: self.username.clone(),
                    password: self.password.clone(),
                },
                host: self.host.clone(),
                port: self.port,
            },
            vhost: self.vhost.clone(),
            // Bound the TCP connect so a black-holed broker does not stall failover.
            query: AMQPQueryString {
                connection_timeout: Some(5_000),
                ..AMQPQueryString::default()
            },
        }
    }
}

/// Never shows the password (addresses end up in logs and errors).
impl fmt::Display for BrokerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rabbit://{}@{}:{}/{}",
            self.username, self.host, self.port, self.vhost
        )
    }
}

impl fmt::Debug for BrokerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BrokerAddress({self})")
    }
}

/// Everything the bus needs from the configuration file.
#[derive(Clone, Debug)]
pub struct BusConfig {
    /// Brokers from `[DEFAULT] transport_url`, tried in order on failover.
    pub brokers: Vec<BrokerAddress>,
    /// `[DEFAULT] control_exchange`.
    pub exchange: String,
    /// `[DEFAULT] host`: names this instance's directed queue `<topic>.<host>`.
    pub host: String,
    /// `[DEFAULT] rpc_response_timeout`.
    pub rpc_timeout: Duration,
}

impl BusConfig {
    /// Builds a configuration from an oslo.messaging `transport_url`, e.g.
    /// `rabbit://user:pw@host1:5672,user:pw@host2:5672/vhost`.
    pub fn from_transport_url(
        transport_url: &str,
        exchange: &str,
        host: &str,
        rpc_timeout: Duration,
    ) -> Result<Self, BusError> {
        check_name("control_exchange", exchange)?;
        check_name("host", host)?;
        if rpc_timeout.is_zero() {
            return Err(BusError::InvalidConfig(
                "rpc_response_timeout must be greater than zero".into(),
            ));
        }
        Ok(Self {
            brokers: parse_transport_url(transport_url)?,
            exchange: exchange.to_owned(),
            host: host.to_owned(),
            rpc_timeout,
        })
    }
}

fn check_name(option: &str, value: &str) -> Result<(), BusError> {
    if value.is_empty() {
        return Err(BusError::InvalidConfig(format!(
            "{option} must not be empty"
        )));
    }
    if value.len() > MAX_NAME_LEN {
        return Err(BusError::InvalidConfig(format!(
            "{option} is longer than {MAX_NAME_LEN} bytes"
        )));
    }
    Ok(())
}

fn bad_url(reason: impl Into<String>) -> BusError {
    BusError::InvalidTransportUrl(reason.into())
}

/// Parses oslo.messaging's URL form, which (unlike RFC 3986) allows a
/// comma-separated list of `user:pass@host:port` authorities.
pub(crate) fn parse_transport_url(url: &str) -> Result<Vec<BrokerAddress>, BusError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad_url("expected rabbit://user:password@host:port/vhost"))?;
    if !matches!(scheme, "rabbit" | "amqp") {
        return Err(bad_url(format!(
            "unsupported scheme {scheme:?} (expected \"rabbit\")"
        )));
    }
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    reject_ssl(query)?;
    let (hosts, vhost) = rest.split_once('/').unwrap_or((rest, ""));
    // kombu connects to vhost "/" when the path is empty, as in `rabbit://h:5672/`.
    let vhost = match decode(vhost, "virtual host")? {
        v if v.is_empty() => "/".to_owned(),
        v => v,
    };
    hosts
        .split(',')
        .map(|authority| parse_authority(authority, &vhost))
        .collect()
}

/// TLS is not implemented yet; refusing beats silently sending passwords in clear.
fn reject_ssl(query: &str) -> Result<(), BusError> {
    let ssl_on = query.split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        key == "ssl" && matches!(value.to_ascii_lowercase().as_str(), "1" | "true" | "yes")
    });
    if ssl_on {
        return Err(bad_url("ssl=true is not supported by delegate-bus"));
    }
    Ok(())
}

fn parse_authority(authority: &str, vhost: &str) -> Result<BrokerAddress, BusError> {
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        Some(info) => {
            let (user, pass) = info.split_once(':').unwrap_or((info, ""));
            (decode(user, "user name")?, decode(pass, "password")?)
        }
        None => ("guest".to_owned(), "guest".to_owned()),
    };
    let (host, port) = split_host_port(hostport)?;
    Ok(BrokerAddress {
        host,
        port,
        username,
        password,
        vhost: vhost.to_owned(),
    })
}

fn split_host_port(hostport: &str) -> Result<(String, u16), BusError> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        // RFC 3986 §3.2.2: IPv6 literals are bracketed.
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| bad_url(format!("unclosed '[' in host {hostport:?}")))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| {
                bad_url(format!("unexpected {p:?} after IPv6 host {hostport:?}"))
            })?),
        };
        (host, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad_url(format!("missing host in {hostport:?}")));
    }
    let port = match port {
        None => AMQPScheme::AMQP.default_port(),
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad_url(format!("invalid port {p:?}")))?,
    };
    Ok((host.to_owned(), port))
}

fn decode(part: &str, what: &str) -> Result<String, BusError> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| bad_url(format!("{what} is not valid UTF-8 after percent-decoding")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn broker(user: &str, pass: &str, host: &str, port: u16, vhost: &str) -> BrokerAddress {
        BrokerAddress {
            host: host.into(),
            port,
            username: user.into(),
            password: pass.into(),
            vhost: vhost.into(),
        }
    }

    #[test]
    fn single_broker_with_trailing_slash_uses_root_vhost() {
        let brokers = parse_transport_url("rabbit://guest:guest@127.0.0.1:5672/").unwrap();
        assert_eq!(
            brokers,
            vec![broker("guest", "guest", "127.0.0.1", 5672, "/")]
        );
    }

    #[test]
    fn several_brokers_share_the_vhost() {
        let brokers = parse_transport_url("rabbit://a:p1@h1:5672,b:p2@h2:5673/openstack").unwrap();
        assert_eq!(
            brokers,
            vec![
                broker("a", "p1", "h1", 5672, "openstack"),
                broker("b", "p2", "h2", 5673, "openstack"),
            ]
        );
    }

    #[test]
    fn defaults_port_and_credentials_and_decodes_percent_escapes() {
        let brokers = parse_transport_url("rabbit://h1,us%40r:p%2Fw%3A@[::1]/%2F").unwrap();
        assert_eq!(
            brokers,
            vec![
                broker("guest", "guest", "h1", 5672, "/"),
                broker("us@r", "p/w:", "::1", 5672, "/"),
            ]
        );
    }

    #[test]
    fn ipv6_host_with_port() {
        let brokers = parse_transport_url("amqp://u:p@[fd00::5]:5671/v").unwrap();
        assert_eq!(brokers, vec![broker("u", "p", "fd00::5", 5671, "v")]);
    }

    #[test]
    fn bad_urls_get_clear_errors() {
        let cases = [
            ("127.0.0.1:5672", "expected rabbit://"),
            ("http://h:5672/", "unsupported scheme \"http\""),
            ("rabbit://h:notaport/", "invalid port \"notaport\""),
            ("rabbit://h:0/", "invalid port \"0\""),
            ("rabbit://u:p@:5672/", "missing host"),
            ("rabbit://h1:5672,/", "missing host"),
            ("rabbit://[::1/", "unclosed '['"),
            ("rabbit://h/?ssl=1", "ssl=true is not supported"),
        ];
        for (url, expected) in cases {
            let err = parse_transport_url(url).unwrap_err().to_string();
            assert!(err.contains(expected), "{url}: {err}");
            assert!(err.starts_with("invalid transport_url"), "{url}: {err}");
        }
    }

    #[test]
    fn password_never_shown() {
        let cfg = BusConfig::from_transport_url(
            "rabbit://u:s3cret@h:5672/",
            "designate",
            "node1",
            Duration::from_secs(60),
        )
        .unwrap();
        let shown = format!("{cfg:?} {}", cfg.brokers[0]);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("rabbit://u@h:5672//"), "{shown}");
    }

    #[test]
    fn config_rejects_empty_or_overlong_names_and_zero_timeout() {
        let url = "rabbit://h/";
        let timeout = Duration::from_secs(1);
        let long = "x".repeat(256);
        assert!(BusConfig::from_transport_url(url, "", "h", timeout).is_err());
        assert!(BusConfig::from_transport_url(url, &long, "h", timeout).is_err());
        assert!(BusConfig::from_transport_url(url, "e", "", timeout).is_err());
        assert!(BusConfig::from_transport_url(url, "e", "h", Duration::ZERO).is_err());
        assert!(BusConfig::from_transport_url(url, "e", "h", timeout).is_ok());
    }
}
