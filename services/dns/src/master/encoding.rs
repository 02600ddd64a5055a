//! Hex (RFC 4648 §8) and base64 (RFC 4648 §4) record fields, which a
//! master file may split across several words.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Syntax, SyntaxResult};

/// Appends the bytes of hex digits spread over `words` (either case).
pub(crate) fn hex_into<'a>(
    words: impl IntoIterator<Item = &'a [u8]>,
    out: &mut Vec<u8>,
) -> SyntaxResult<()> {
    let mut high: Option<u8> = None;
    for word in words {
        for &digit in word {
            let nibble = hex_value(digit).ok_or_else(|| Syntax::new("bad hex digit"))?;
            match high.take() {
                None => high = Some(nibble),
                Some(h) => out.push(h << 4 | nibble),
            }
        }
    }
    if high.is_some() {
        return Err(Syntax::new("odd number of hex digits"));
    }
    Ok(())
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Appends `bytes` as upper-case hex, as BIND prints it.
pub(crate) fn push_hex_upper(bytes: &[u8], out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
}

/// Appends the bytes of base64 spread over `words`; like BIND, padding must
/// be right and unused bits zero.
pub(crate) fn base64_into<'a>(
    words: impl IntoIterator<Item = &'a [u8]>,
    out: &mut Vec<u8>,
) -> SyntaxResult<()> {
    let joined: Vec<u8> = words.into_iter().flatten().copied().collect();
    STANDARD
        .decode_vec(&joined, out)
        .map_err(|_| Syntax::new("bad base64"))
}

/// Appends `bytes` as padded base64.
pub(crate) fn push_base64(bytes: &[u8], out: &mut String) {
    STANDARD.encode_string(bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_across_words() {
        let mut out = Vec::new();
        hex_into([&b"ab"[..], b"C", b"d"], &mut out).unwrap();
        assert_eq!(out, [0xab, 0xcd]);
        assert!(hex_into([&b"abc"[..]], &mut Vec::new()).is_err());
        assert!(hex_into([&b"xy"[..]], &mut Vec::new()).is_err());
        let mut text = String::new();
        push_hex_upper(&out, &mut text);
        assert_eq!(text, "ABCD");
    }

    #[test]
    fn base64_is_strict_like_bind() {
        let mut out = Vec::new();
        base64_into([&b"AA"[..], b"AA"], &mut out).unwrap();
        assert_eq!(out, [0, 0, 0]);
        for bad in ["AB==", "AAB=", "AA==AA==", "=", "AAA"] {
            assert!(
                base64_into([bad.as_bytes()], &mut Vec::new()).is_err(),
                "{bad}"
            );
        }
        assert!(base64_into([&b"AAA="[..]], &mut Vec::new()).is_ok());
    }
}
