//! A, AAAA, MX, SRV and SOA (RFC 1035 §3.3–3.4, RFC 3596, RFC 2782).

use std::fmt::Write as _;

use super::{Reader, Wire};
use crate::inet::{format_ipv6, parse_ipv4, parse_ipv6};
use crate::master::{Syntax, SyntaxResult};
use crate::ttl::parse_zone_ttl;

pub(super) fn parse_a(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let token = r.bare_word()?;
    let addr = parse_ipv4(token.raw)
        .ok_or_else(|| Syntax::owned(format!("bad IPv4 address {}", token.lossy())))?;
    out.extend_from_slice(&addr);
    Ok(())
}

pub(super) fn format_a(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let b = w.bytes(4)?;
    let _ = write!(out, "{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
    Ok(())
}

pub(super) fn parse_aaaa(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let token = r.bare_word()?;
    let addr = parse_ipv6(token.raw)
        .ok_or_else(|| Syntax::owned(format!("bad IPv6 address {}", token.lossy())))?;
    out.extend_from_slice(&addr);
    Ok(())
}

pub(super) fn format_aaaa(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let mut addr = [0u8; 16];
    addr.copy_from_slice(w.bytes(16)?);
    out.push_str(&format_ipv6(&addr));
    Ok(())
}

/// `preference exchange`.
pub(super) fn parse_mx(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.u16_into(out)?;
    r.name_into(out)
}

pub(super) fn format_mx(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} ", w.u16()?);
    w.name_text(out)
}

/// `priority weight port target`.
pub(super) fn parse_srv(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    for _ in 0..3 {
        r.u16_into(out)?;
    }
    r.name_into(out)
}

pub(super) fn format_srv(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} {} {} ", w.u16()?, w.u16()?, w.u16()?);
    w.name_text(out)
}

/// `mname rname serial refresh retry expire minimum`; the four timers may
/// use TTL units (`1w`), as BIND and dnspython allow.
pub(super) fn parse_soa(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.name_into(out)?;
    r.name_into(out)?;
    out.extend_from_slice(&(r.number(u64::from(u32::MAX))? as u32).to_be_bytes());
    for _ in 0..4 {
        let token = r.bare_word()?;
        let text = std::str::from_utf8(token.raw).unwrap_or_default();
        let value = parse_zone_ttl(text)
            .ok_or_else(|| Syntax::owned(format!("bad SOA timer {}", token.lossy())))?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Ok(())
}

pub(super) fn format_soa(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    w.name_text(out)?;
    out.push(' ');
    w.name_text(out)?;
    for _ in 0..5 {
        let _ = write!(out, " {}", w.u32()?);
    }
    Ok(())
}
