//! Character strings (RFC 1035 §3.3, §5.1): decoding escapes on input,
//! BIND's quoting on output.

use super::dname::{push_decimal_escape, unescape_at};
use super::{Syntax, SyntaxResult};

/// Longest character string on the wire.
pub(crate) const MAX_STRING: usize = 255;

/// Appends `raw` with its `\X` / `\DDD` escapes decoded.
pub(crate) fn unescape_into(raw: &[u8], out: &mut Vec<u8>) -> SyntaxResult<()> {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            let (byte, used) = unescape_at(raw, i)?;
            out.push(byte);
            i += used;
        } else {
            let run = raw[i..]
                .iter()
                .position(|&b| b == b'\\')
                .unwrap_or(raw.len() - i);
            out.extend_from_slice(&raw[i..i + run]);
            i += run;
        }
    }
    Ok(())
}

/// Decodes `raw` into a fresh buffer.
pub(crate) fn unescape(raw: &[u8]) -> SyntaxResult<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    unescape_into(raw, &mut out)?;
    Ok(out)
}

/// Appends `raw` decoded as one length-prefixed character string.
pub(crate) fn push_char_string(raw: &[u8], out: &mut Vec<u8>) -> SyntaxResult<()> {
    let len_at = out.len();
    out.push(0);
    unescape_into(raw, out)?;
    let len = out.len() - len_at - 1;
    if len > MAX_STRING {
        return Err(Syntax::new("character string longer than 255 octets"));
    }
    out[len_at] = len as u8;
    Ok(())
}

/// Appends `bytes` as a quoted string the way BIND prints TXT data:
/// `"` and `\` escaped with a backslash, bytes outside ` `..`~` as `\DDD`.
pub(crate) fn push_quoted(bytes: &[u8], out: &mut String) {
    out.push('"');
    push_escaped(bytes, out);
    out.push('"');
}

/// The inside of [`push_quoted`], without the quotes.
pub(crate) fn push_escaped(bytes: &[u8], out: &mut String) {
    for &byte in bytes {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => push_decimal_escape(byte, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode() {
        assert_eq!(unescape(br#"a\"b\\c\065\;"#).unwrap(), b"a\"b\\cA;");
        assert!(unescape(br"\1x").is_err());
    }

    #[test]
    fn strings_are_length_prefixed_and_bounded() {
        let mut out = Vec::new();
        push_char_string(b"abc", &mut out).unwrap();
        assert_eq!(out, b"\x03abc");
        let long = "x".repeat(256);
        assert!(push_char_string(long.as_bytes(), &mut Vec::new()).is_err());
        let max = "x".repeat(255);
        assert!(push_char_string(max.as_bytes(), &mut Vec::new()).is_ok());
    }

    #[test]
    fn quoting_matches_bind() {
        let mut out = String::new();
        push_quoted(b"a\"b\\c;@ \x01\x7f\xc3\xa9", &mut out);
        assert_eq!(out, r#""a\"b\\c;@ \001\127\195\169""#);
    }
}
