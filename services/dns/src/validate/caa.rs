//! CAA grammar (domain-rules §4): `flags tag value`, flags 0–1, tags
//! `issue`, `issuewild`, `iodef` only, and Designate's value checks.

use std::borrow::Cow;

use super::{Check, ensure, int_in};

pub(super) fn caa(data: &str) -> Check {
    let (flags, property) = data.split_once(' ').ok_or("missing tag")?;
    int_in(flags, 0, 1, "flags")?;
    let (tag, value) = property.split_once(' ').ok_or("missing value")?;
    match tag {
        "issue" | "issuewild" => issuer(value),
        "iodef" => iodef(value),
        _ => Err(Cow::Borrowed("tag must be issue, issuewild or iodef")),
    }
}

/// `<issuer domain>[; key=value]…`: the issuer (with a dot appended) must be
/// a domain name; each further part is blank space then `key=value` with
/// alphanumeric key and value — only the start of the part is checked, as
/// Designate's `re.match` does.
fn issuer(value: &str) -> Check {
    let mut entries = value.split(';');
    let issuer = entries.next().unwrap_or_default();
    issuer_domain(issuer)?;
    entries.try_for_each(|entry| ensure(starts_with_key_value(entry), "bad key=value parameter"))
}

/// `^\s[A-Za-z0-9]+=[A-Za-z0-9]+` as a prefix match.
fn starts_with_key_value(entry: &str) -> bool {
    let mut chars = entry.chars();
    if !chars.next().is_some_and(crate::pycompat::is_space) {
        return false;
    }
    let rest = chars.as_str();
    let Some((key, value)) = rest.split_once('=') else {
        return false;
    };
    !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
        && value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// `mailto:<local>[+<tag>]@<domain>…` or `http(s)://<domain>/…`.
fn iodef(value: &str) -> Check {
    if is_mailto(value) {
        let domain = value.split('@').nth(1).unwrap_or_default();
        return issuer_domain(domain);
    }
    if is_http_url(value) {
        let host = value.split('/').nth(2).unwrap_or_default();
        return issuer_domain(host);
    }
    Err(Cow::Borrowed("iodef must be a mailto: or http(s):// URL"))
}

/// `^mailto:[A-Za-z0-9_\-]+(\+[A-Za-z0-9_\-]+)?@` as a prefix match.
fn is_mailto(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("mailto:") else {
        return false;
    };
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let local_len = rest.bytes().take_while(|&b| is_word(b)).count();
    if local_len == 0 {
        return false;
    }
    let rest = &rest[local_len..];
    let rest = match rest.strip_prefix('+') {
        Some(tag) => {
            let tag_len = tag.bytes().take_while(|&b| is_word(b)).count();
            if tag_len == 0 {
                return false;
            }
            &tag[tag_len..]
        }
        None => rest,
    };
    rest.starts_with('@')
}

/// `^http(s)?://.*/` as a prefix match (`.` stops at a newline).
fn is_http_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|r| r.split('\n').next().unwrap_or_default().contains('/'))
}

/// The issuer or URL host: labels of at most 63 characters, and a domain
/// name once a dot is appended.
fn issuer_domain(domain: &str) -> Check {
    ensure(
        domain.split('.').all(|l| l.chars().count() <= 63),
        "issuer label too long",
    )?;
    ensure(
        crate::name::is_domain_name(&format!("{domain}.")),
        "issuer is not a domain name",
    )
}
