//! Types made of character strings: TXT and SPF (RFC 1035 §3.3.14,
//! RFC 4408), CAA (RFC 8659 §4.1.1) and NAPTR (RFC 3403 §4.1).

use std::fmt::Write as _;

use super::{Reader, Wire};
use crate::master::text::{push_char_string, push_quoted, unescape};
use crate::master::{Syntax, SyntaxResult};

/// One or more character strings, quoted or not.
pub(super) fn parse_txt(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let first = r.word()?;
    push_char_string(first.raw, out)?;
    for token in r.rest()? {
        push_char_string(token.raw, out)?;
    }
    Ok(())
}

pub(super) fn format_txt(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    if w.is_empty() {
        return Err(Syntax::new("TXT without strings"));
    }
    let mut first = true;
    while !w.is_empty() {
        if !first {
            out.push(' ');
        }
        push_quoted(w.char_string()?, out);
        first = false;
    }
    Ok(())
}

/// `flags tag value`: flags 0–255, an alphanumeric tag, and the value as
/// one (possibly quoted) word.
pub(super) fn parse_caa(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.u8_into(out)?;
    let tag = unescape(r.word()?.raw)?;
    check_caa_tag(&tag)?;
    out.push(tag.len() as u8);
    out.extend_from_slice(&tag);
    let value = unescape(r.word()?.raw)?;
    out.extend_from_slice(&value);
    Ok(())
}

/// RFC 8659 §4.1: 1–15 ASCII letters and digits (BIND allows 255, but
/// hickory-proto, like the RFC, stops at 15).
fn check_caa_tag(tag: &[u8]) -> SyntaxResult<()> {
    if tag.is_empty() || tag.len() > 15 || !tag.iter().all(u8::is_ascii_alphanumeric) {
        return Err(Syntax::new("CAA tag must be letters and digits"));
    }
    Ok(())
}

pub(super) fn format_caa(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let flags = w.u8()?;
    let tag = w.char_string()?;
    check_caa_tag(tag)?;
    let _ = write!(out, "{flags} {} ", String::from_utf8_lossy(tag));
    push_quoted(w.rest(), out);
    Ok(())
}

/// `order preference flags services regexp replacement`. Flags are
/// letters and digits only (RFC 3403 §4.1); hickory-proto refuses others on
/// the wire, so they are refused here.
pub(super) fn parse_naptr(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.u16_into(out)?;
    r.u16_into(out)?;
    let flags_at = out.len() + 1;
    for _ in 0..3 {
        push_char_string(r.word()?.raw, out)?;
    }
    let flags_len = usize::from(out[flags_at - 1]);
    if !out[flags_at..flags_at + flags_len]
        .iter()
        .all(u8::is_ascii_alphanumeric)
    {
        return Err(Syntax::new("NAPTR flags must be letters and digits"));
    }
    r.name_into(out)
}

pub(super) fn format_naptr(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} {}", w.u16()?, w.u16()?);
    for _ in 0..3 {
        out.push(' ');
        push_quoted(w.char_string()?, out);
    }
    out.push(' ');
    w.name_text(out)
}
