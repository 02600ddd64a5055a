//! Grammars of the types with fixed numeric and name fields: A, AAAA,
//! CNAME/NS/PTR, MX, SRV, SSHFP, SOA, TLSA.

use std::borrow::Cow;

use super::{Check, domain_field, ensure, int_in, split_exact};
use crate::pycompat::{canonical_int, split_whitespace};

/// Exactly four decimal octets, no leading zeros (dnspython `inet_aton`).
pub(super) fn a(data: &str) -> Check {
    ensure(
        crate::inet::parse_ipv4(data.as_bytes()).is_some(),
        "not a dotted quad",
    )
}

/// Any IPv6 address `inet_pton` accepts.
pub(super) fn aaaa(data: &str) -> Check {
    ensure(
        crate::inet::parse_ipv6(data.as_bytes()).is_some(),
        "not an IPv6 address",
    )
}

/// CNAME, NS and PTR: a domain name.
pub(super) fn domain(data: &str) -> Check {
    domain_field(data)
}

/// `priority exchange`: priority written canonically, 0–65535; the
/// exchange only needs a trailing dot and at most 255 characters.
pub(super) fn mx(data: &str) -> Check {
    let [priority, exchange] = split_exact(data)?;
    canonical_in(priority, 0, 65535, "priority")?;
    ensure(exchange.ends_with('.'), "exchange must end with a dot")?;
    ensure(exchange.chars().count() <= 255, "exchange longer than 255")
}

/// `priority weight port target`.
pub(super) fn srv(data: &str) -> Check {
    let [priority, weight, port, target] = split_exact(data)?;
    int_in(priority, 0, 65535, "priority")?;
    int_in(weight, 0, 65535, "weight")?;
    int_in(port, 0, 65535, "port")?;
    domain_field(target)
}

/// `algorithm fp_type fingerprint`: canonical numbers 0–4 and 0–2, and
/// 10–40 or exactly 64 hex digits.
pub(super) fn sshfp(data: &str) -> Check {
    let [algorithm, fp_type, fingerprint] = split_exact(data)?;
    canonical_in(algorithm, 0, 4, "algorithm")?;
    canonical_in(fp_type, 0, 2, "fingerprint type")?;
    let len = fingerprint.len();
    ensure(
        fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
            && ((10..=40).contains(&len) || len == 64),
        "fingerprint must be 10-40 or 64 hex digits",
    )
}

/// `mname rname serial refresh retry expire minimum`.
pub(super) fn soa(data: &str) -> Check {
    let [mname, rname, serial, refresh, retry, expire, minimum] = split_exact(data)?;
    domain_field(mname)?;
    domain_field(rname)?;
    int_in(serial, 1, 4_294_967_295, "serial")?;
    for (value, what) in [
        (refresh, "refresh"),
        (retry, "retry"),
        (expire, "expire"),
        (minimum, "minimum"),
    ] {
        int_in(value, 0, 2_147_483_647, what)?;
    }
    Ok(())
}

/// `usage selector matching_type data…`: parentheses dropped, split on any
/// white space, the data fields joined; hex of even length, 64 digits for
/// matching type 1 and 128 for type 2.
pub(super) fn tlsa(data: &str) -> Check {
    let cleaned = data.replace(['(', ')'], "");
    let fields: Vec<&str> = split_whitespace(&cleaned).collect();
    let [usage, selector, matching, rest @ ..] = fields.as_slice() else {
        return Err(Cow::Borrowed("fewer than 4 fields"));
    };
    if rest.is_empty() {
        return Err(Cow::Borrowed("fewer than 4 fields"));
    }
    let certificate: String = rest.concat();
    ensure(
        certificate.chars().count().is_multiple_of(2),
        "odd number of hex digits",
    )?;
    let matching_value = crate::pycompat::int(matching).ok_or("matching type is not an integer")?;
    let expected = match matching_value {
        1 => Some(64),
        2 => Some(128),
        _ => None,
    };
    if let Some(expected) = expected {
        ensure(
            certificate.chars().count() == expected,
            "wrong data length for the matching type",
        )?;
    }
    ensure(
        certificate.bytes().all(|b| b.is_ascii_hexdigit()),
        "data is not hex",
    )?;
    int_in(usage, 0, 255, "usage")?;
    int_in(selector, 0, 255, "selector")?;
    int_in(matching, 0, 255, "matching type")
}

/// `repr(int(text)) == text` and in range.
fn canonical_in(text: &str, min: i128, max: i128, what: &'static str) -> Check {
    match canonical_int(text) {
        Some(v) if (min..=max).contains(&v) => Ok(()),
        _ => Err(Cow::Owned(format!(
            "{what} must be an integer {min}-{max} written plainly"
        ))),
    }
}
