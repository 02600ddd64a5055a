//! SVCB and HTTPS (RFC 9460 §2–§7, RFC 9461 `dohpath`, RFC 9540 `ohttp`).
//!
//! Values are decoded in two steps, as RFC 9460 Appendix A describes: the
//! zone-file escapes first, then, for list values, `\,` and `\\` inside the
//! list. Printing reverses both, the way BIND does.

use std::fmt::Write as _;

use super::{Reader, Wire};
use crate::inet::{format_ipv6, parse_ipv4, parse_ipv6};
use crate::master::dname::push_decimal_escape;
use crate::master::encoding::push_base64;
use crate::master::text::{push_escaped, unescape};
use crate::master::{Syntax, SyntaxResult};

const MANDATORY: u16 = 0;
const ALPN: u16 = 1;
const NO_DEFAULT_ALPN: u16 = 2;
const PORT: u16 = 3;
const IPV4HINT: u16 = 4;
const ECH: u16 = 5;
const IPV6HINT: u16 = 6;
const DOHPATH: u16 = 7;
const OHTTP: u16 = 8;

/// Key mnemonics read and printed. Key 7 prints as `dohpath` (RFC 9461;
/// BIND 9.18 prints `key7`) because that is the spelling the API grammar
/// accepts when a client sends the record back.
const KEY_NAMES: [(u16, &str); 8] = [
    (MANDATORY, "mandatory"),
    (ALPN, "alpn"),
    (NO_DEFAULT_ALPN, "no-default-alpn"),
    (PORT, "port"),
    (IPV4HINT, "ipv4hint"),
    (ECH, "ech"),
    (IPV6HINT, "ipv6hint"),
    (DOHPATH, "dohpath"),
];

/// Mnemonics read but printed as `key<N>`, which every parser understands
/// (BIND 9.18 does not know `ohttp`, RFC 9540).
const INPUT_ONLY_KEY_NAMES: [(u16, &str); 1] = [(OHTTP, "ohttp")];

/// `priority target [key[=value]…]`.
pub(super) fn parse(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.u16_into(out)?;
    r.name_into(out)?;
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    while !r.at_end()? {
        params.push(read_param(r)?);
    }
    params.sort_by_key(|(k, _)| *k);
    if params.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Syntax::new("duplicate SvcParamKey"));
    }
    check_dependencies(&params)?;
    for (key, value) in &params {
        let len = u16::try_from(value.len()).map_err(|_| Syntax::new("SvcParamValue too long"))?;
        out.extend_from_slice(&key.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(value);
    }
    Ok(())
}

/// One `key`, `key=value` or `key="value"` word, value in wire form. A
/// value given as `key<N>=` for a known key is taken as raw wire bytes (as
/// BIND does) and must then be well-formed for that key.
fn read_param(r: &mut Reader<'_, '_>) -> SyntaxResult<(u16, Vec<u8>)> {
    let token = r.bare_word()?;
    let (key_text, mut value) = match token.raw.iter().position(|&b| b == b'=') {
        Some(eq) => (&token.raw[..eq], Some(&token.raw[eq + 1..])),
        None => (token.raw, None),
    };
    if value.is_some_and(<[u8]>::is_empty)
        && let Some(quoted) = r.adjacent_quoted()?
    {
        value = Some(quoted.raw);
    }
    let key = key_code(key_text)?;
    let decoded = value.map(unescape).transpose()?;
    let generic = key_text.starts_with(b"key");
    let wire = if generic {
        decoded.unwrap_or_default()
    } else {
        encode_value(key, decoded.as_deref())?
    };
    format_param(key, &wire, &mut String::new())?;
    if key == DOHPATH {
        check_dohpath(&wire)?;
    }
    Ok((key, wire))
}

/// A key mnemonic (lower case) or `key<N>`.
fn key_code(text: &[u8]) -> SyntaxResult<u16> {
    let mut names = KEY_NAMES.iter().chain(&INPUT_ONLY_KEY_NAMES);
    if let Some((code, _)) = names.find(|(_, name)| name.as_bytes() == text) {
        return Ok(*code);
    }
    text.strip_prefix(b"key")
        .and_then(|digits| crate::master::number::parse_decimal(digits, u64::from(u16::MAX)))
        .map(|code| code as u16)
        .ok_or_else(|| {
            Syntax::owned(format!(
                "unknown SvcParamKey {}",
                String::from_utf8_lossy(text)
            ))
        })
}

fn encode_value(key: u16, value: Option<&[u8]>) -> SyntaxResult<Vec<u8>> {
    let bytes = value.unwrap_or_default();
    let mut out = Vec::new();
    match key {
        MANDATORY => {
            let mut keys = split_list(bytes)?
                .iter()
                .map(|k| key_code(k))
                .collect::<SyntaxResult<Vec<u16>>>()?;
            keys.sort_unstable();
            if keys.windows(2).any(|w| w[0] == w[1]) {
                return Err(Syntax::new("duplicate key in mandatory"));
            }
            keys.iter()
                .for_each(|k| out.extend_from_slice(&k.to_be_bytes()));
        }
        ALPN => {
            for id in split_list(bytes)? {
                let len = u8::try_from(id.len()).map_err(|_| Syntax::new("alpn id too long"))?;
                out.push(len);
                out.extend_from_slice(&id);
            }
        }
        NO_DEFAULT_ALPN | OHTTP if bytes.is_empty() => {}
        NO_DEFAULT_ALPN | OHTTP => return Err(Syntax::new("this SvcParamKey takes no value")),
        PORT => {
            let port = crate::master::number::parse_decimal(bytes, u64::from(u16::MAX))
                .ok_or_else(|| Syntax::new("bad port"))?;
            out.extend_from_slice(&(port as u16).to_be_bytes());
        }
        IPV4HINT => {
            for addr in split_list(bytes)? {
                out.extend_from_slice(
                    &parse_ipv4(&addr).ok_or_else(|| Syntax::new("bad ipv4hint"))?,
                );
            }
        }
        IPV6HINT => {
            for addr in split_list(bytes)? {
                out.extend_from_slice(
                    &parse_ipv6(&addr).ok_or_else(|| Syntax::new("bad ipv6hint"))?,
                );
            }
        }
        ECH => {
            let compact: Vec<u8> = bytes
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            crate::master::encoding::base64_into([compact.as_slice()], &mut out)?;
        }
        _ => out.extend_from_slice(bytes),
    }
    Ok(out)
}

/// RFC 9461 §5: a relative URI template with the `dns` variable.
fn check_dohpath(path: &[u8]) -> SyntaxResult<()> {
    let text = std::str::from_utf8(path).map_err(|_| Syntax::new("dohpath is not UTF-8"))?;
    if !text.starts_with('/') || !text.contains("{?dns}") {
        return Err(Syntax::new("dohpath must start with / and contain {?dns}"));
    }
    Ok(())
}

/// Splits a value-list on unescaped commas; `\X` stands for `X`. Items must
/// not be empty (RFC 9460 Appendix A.1).
fn split_list(value: &[u8]) -> SyntaxResult<Vec<Vec<u8>>> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut bytes = value.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b',' => items.push(std::mem::take(&mut current)),
            b'\\' => {
                let escaped = bytes
                    .next()
                    .ok_or_else(|| Syntax::new("escape at end of list"))?;
                current.push(*escaped);
            }
            _ => current.push(b),
        }
    }
    items.push(current);
    if items.iter().any(Vec::is_empty) {
        return Err(Syntax::new("empty item in a value list"));
    }
    Ok(items)
}

/// Keys listed in `mandatory` must be present (and not be `mandatory`);
/// `no-default-alpn` needs `alpn` (RFC 9460 §8, §7.1.1). `params` is
/// sorted by key.
fn check_dependencies(params: &[(u16, Vec<u8>)]) -> SyntaxResult<()> {
    let has = |key: u16| params.binary_search_by_key(&key, |(k, _)| *k).is_ok();
    if has(NO_DEFAULT_ALPN) && !has(ALPN) {
        return Err(Syntax::new("no-default-alpn without alpn"));
    }
    if let Some((_, list)) = params.iter().find(|(k, _)| *k == MANDATORY) {
        for key in list
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
        {
            if key == MANDATORY || !has(key) {
                return Err(Syntax::new("mandatory lists a missing key"));
            }
        }
    }
    Ok(())
}

/// Prints wire SVCB/HTTPS data; also checks each known value's format and
/// that keys ascend, so it doubles as the wire validator.
pub(super) fn format(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} ", w.u16()?);
    w.name_text(out)?;
    let mut previous: Option<u16> = None;
    while !w.is_empty() {
        let key = w.u16()?;
        if previous.is_some_and(|p| p >= key) {
            return Err(Syntax::new("SvcParamKeys out of order"));
        }
        previous = Some(key);
        let len = usize::from(w.u16()?);
        out.push(' ');
        format_param(key, w.bytes(len)?, out)?;
    }
    Ok(())
}

fn format_param(key: u16, value: &[u8], out: &mut String) -> SyntaxResult<()> {
    push_key_name(key, out);
    match key {
        MANDATORY => format_mandatory(value, out),
        ALPN => format_alpn(value, out),
        NO_DEFAULT_ALPN | OHTTP => expect_len(value.is_empty()),
        PORT => {
            expect_len(value.len() == 2)?;
            let _ = write!(out, "={}", u16::from_be_bytes([value[0], value[1]]));
            Ok(())
        }
        IPV4HINT => format_addresses(value, 4, out),
        IPV6HINT => format_addresses(value, 16, out),
        ECH => {
            if !value.is_empty() {
                out.push('=');
                push_base64(value, out);
            }
            Ok(())
        }
        _ => {
            if !value.is_empty() {
                out.push_str("=\"");
                push_escaped(value, out);
                out.push('"');
            }
            Ok(())
        }
    }
}

fn expect_len(ok: bool) -> SyntaxResult<()> {
    if ok {
        Ok(())
    } else {
        Err(Syntax::new("bad SvcParamValue length"))
    }
}

fn push_key_name(key: u16, out: &mut String) {
    match KEY_NAMES.iter().find(|(code, _)| *code == key) {
        Some((_, name)) => out.push_str(name),
        None => {
            let _ = write!(out, "key{key}");
        }
    }
}

fn format_mandatory(value: &[u8], out: &mut String) -> SyntaxResult<()> {
    expect_len(!value.is_empty() && value.len().is_multiple_of(2))?;
    out.push('=');
    for (i, pair) in value.chunks_exact(2).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key_name(u16::from_be_bytes([pair[0], pair[1]]), out);
    }
    Ok(())
}

/// `alpn="id,id"`: commas and backslashes inside an id are list-escaped,
/// then the whole is quoted.
fn format_alpn(value: &[u8], out: &mut String) -> SyntaxResult<()> {
    expect_len(!value.is_empty())?;
    out.push_str("=\"");
    let mut w = Wire::new(value);
    let mut first = true;
    while !w.is_empty() {
        let id = w.char_string()?;
        expect_len(!id.is_empty())?;
        // hickory-proto holds alpn ids as strings; others cannot be served.
        if std::str::from_utf8(id).is_err() {
            return Err(Syntax::new("alpn id is not UTF-8"));
        }
        if !first {
            out.push(',');
        }
        first = false;
        for &b in id {
            match b {
                b',' => out.push_str("\\\\,"),
                b'\\' => out.push_str("\\\\\\\\"),
                b'"' => out.push_str("\\\""),
                0x20..=0x7e => out.push(char::from(b)),
                _ => push_decimal_escape(b, out),
            }
        }
    }
    out.push('"');
    Ok(())
}

fn format_addresses(value: &[u8], size: usize, out: &mut String) -> SyntaxResult<()> {
    expect_len(!value.is_empty() && value.len().is_multiple_of(size))?;
    out.push('=');
    for (i, chunk) in value.chunks_exact(size).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if size == 4 {
            let _ = write!(out, "{}.{}.{}.{}", chunk[0], chunk[1], chunk[2], chunk[3]);
        } else {
            let mut addr = [0u8; 16];
            addr.copy_from_slice(chunk);
            out.push_str(&format_ipv6(&addr));
        }
    }
    Ok(())
}
