//! Parsers for option values, in oslo.config's syntax. Each returns the
//! "expected …" part of the error message on failure.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

/// `true`/`false` as oslo.config's `BoolOpt` spells them (case-insensitive).
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err("true or false".into()),
    }
}

/// A non-negative whole number.
pub fn parse_uint(value: &str) -> Result<u32, String> {
    value
        .trim()
        .parse()
        .map_err(|_| "a non-negative integer".into())
}

/// A number of seconds, fractions allowed (`0.1`), as a `Duration`.
pub fn parse_seconds(value: &str) -> Result<Duration, String> {
    let expected = || "a number of seconds".to_owned();
    let seconds: f64 = value.trim().parse().map_err(|_| expected())?;
    if !seconds.is_finite() {
        return Err(expected());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| expected())
}

/// A comma-separated list; items are trimmed and empty items dropped, so an
/// empty value is an empty list (oslo.config's `ListOpt`).
pub fn parse_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One `host:port` of a `listen` option.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPort {
    /// Host name or IP address, IPv6 without brackets.
    pub host: String,
    pub port: u16,
}

impl HostPort {
    /// Parses `host:port`, `[ipv6]:port`, or a bare host / IPv6 address, which
    /// gets `default_port` (as Designate's `split_host_port` does).
    pub fn parse(value: &str, default_port: u16) -> Result<Self, String> {
        let expected = || "host:port pairs separated by commas (IPv6 as [address]:port)".to_owned();
        let value = value.trim();
        let (host, port) = if let Some(rest) = value.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(expected)?;
            host.parse::<Ipv6Addr>().map_err(|_| expected())?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(expected)?),
            };
            (host, port)
        } else if value.parse::<Ipv6Addr>().is_ok() {
            (value, None)
        } else {
            match value.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (value, None),
            }
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(expected());
        }
        let port = match port {
            Some(port) => port.parse().map_err(|_| expected())?,
            None => default_port,
        };
        Ok(HostPort {
            host: host.to_owned(),
            port,
        })
    }

    /// The host as an IP address, if it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A comma-separated list of `host:port` (see [`HostPort::parse`]).
pub fn parse_host_ports(value: &str, default_port: u16) -> Result<Vec<HostPort>, String> {
    parse_list(value)
        .iter()
        .map(|item| HostPort::parse(item, default_port))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_accept_oslo_spellings_only() {
        for yes in ["true", "True", "1", "on", "YES"] {
            assert_eq!(parse_bool(yes), Ok(true), "{yes}");
        }
        for no in ["false", "0", "off", "No"] {
            assert_eq!(parse_bool(no), Ok(false), "{no}");
        }
        assert_eq!(parse_bool("y"), Err("true or false".into()));
    }

    #[test]
    fn seconds_accept_fractions_and_reject_garbage() {
        assert_eq!(parse_seconds("0.1"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_seconds(" 15 "), Ok(Duration::from_secs(15)));
        for bad in ["abc", "-1", "inf", "NaN", ""] {
            assert_eq!(
                parse_seconds(bad),
                Err("a number of seconds".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_trim_items_and_drop_empty_ones() {
        assert_eq!(parse_list(" A, AAAA ,,MX,"), vec!["A", "AAAA", "MX"]);
        assert!(parse_list("").is_empty());
    }

    #[test]
    fn host_ports_in_every_form() {
        let hp = |host: &str, port| HostPort {
            host: host.into(),
            port,
        };
        assert_eq!(
            parse_host_ports("0.0.0.0:9001, [::1]:53,::,example.org,[fe80::1]", 5354),
            Ok(vec![
                hp("0.0.0.0", 9001),
                hp("::1", 53),
                hp("::", 5354),
                hp("example.org", 5354),
                hp("fe80::1", 5354),
            ])
        );
        assert_eq!(hp("::1", 53).to_string(), "[::1]:53");
        assert_eq!(hp("127.0.0.1", 0).to_string(), "127.0.0.1:0");
    }

    #[test]
    fn host_ports_reject_bad_ports_and_hosts() {
        for bad in [
            "host:http",
            "host:70000",
            ":53",
            "[::1]53",
            "[nothost]:53",
            "a b:1",
        ] {
            assert!(HostPort::parse(bad, 53).is_err(), "{bad}");
        }
    }
}
