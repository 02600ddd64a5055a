//! Textual IP addresses with the exact rules of the C library's
//! `inet_pton` / `inet_ntop` (which Designate's validators and BIND both
//! use), rather than Rust's parser, so accept/refuse decisions and printed
//! forms match theirs byte for byte.

use std::fmt::Write as _;

/// Parses a dotted quad: exactly four decimal octets, no leading zeros,
/// each at most 255 (`inet_pton(AF_INET)`, dnspython's `inet_aton`).
pub fn parse_ipv4(text: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = text.split(|&b| b == b'.');
    for slot in &mut out {
        *slot = parse_octet(parts.next()?)?;
    }
    match parts.next() {
        None => Some(out),
        Some(_) => None,
    }
}

fn parse_octet(part: &[u8]) -> Option<u8> {
    if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
        return None;
    }
    let value = crate::master::number::parse_decimal(part, 255)?;
    u8::try_from(value).ok()
}

/// Parses an IPv6 address the way glibc's `inet_pton(AF_INET6)` does:
/// `::` once, groups of up to four hex digits, an optional dotted quad at
/// the end (RFC 4291 §2.2).
pub fn parse_ipv6(text: &[u8]) -> Option<[u8; 16]> {
    let mut words = Ipv6Words::default();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix(b":") {
        if !after.starts_with(b":") {
            return None;
        }
        rest = after;
    }
    let mut token_start = rest;
    let mut value: u32 = 0;
    let mut digits = 0;
    while let Some((&ch, after)) = rest.split_first() {
        if let Some(nibble) = (ch as char).to_digit(16) {
            if digits == 4 {
                return None;
            }
            value = value << 4 | nibble;
            digits += 1;
        } else if ch == b':' {
            token_start = after;
            if digits == 0 {
                words.mark_gap()?;
            } else {
                if after.is_empty() {
                    return None;
                }
                words.push(value as u16)?;
                (value, digits) = (0, 0);
            }
        } else if ch == b'.' {
            let quad = parse_ipv4(token_start)?;
            words.push(u16::from_be_bytes([quad[0], quad[1]]))?;
            words.push(u16::from_be_bytes([quad[2], quad[3]]))?;
            return words.finish();
        } else {
            return None;
        }
        rest = after;
    }
    if digits > 0 {
        words.push(value as u16)?;
    }
    words.finish()
}

/// The 16-bit groups read so far and where `::` stood.
#[derive(Default)]
struct Ipv6Words {
    words: [u16; 8],
    len: usize,
    gap: Option<usize>,
}

impl Ipv6Words {
    fn push(&mut self, word: u16) -> Option<()> {
        *self.words.get_mut(self.len)? = word;
        self.len += 1;
        Some(())
    }

    fn mark_gap(&mut self) -> Option<()> {
        if self.gap.is_some() {
            return None;
        }
        self.gap = Some(self.len);
        Some(())
    }

    fn finish(self) -> Option<[u8; 16]> {
        let mut full = [0u16; 8];
        match self.gap {
            None if self.len == 8 => full = self.words,
            None => return None,
            // `::` must stand for at least one group.
            Some(_) if self.len == 8 => return None,
            Some(gap) => {
                let tail = self.len - gap;
                full[..gap].copy_from_slice(&self.words[..gap]);
                full[8 - tail..].copy_from_slice(&self.words[gap..self.len]);
            }
        }
        let mut out = [0u8; 16];
        for (chunk, word) in out.chunks_exact_mut(2).zip(full) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        Some(out)
    }
}

/// Formats an IPv6 address as `inet_ntop` does (BIND's copy): lower-case
/// hex, the first longest run of two or more zero groups as `::`, and the
/// last 32 bits as a dotted quad for `::a.b.c.d` and `::ffff:a.b.c.d`.
pub fn format_ipv6(addr: &[u8; 16]) -> String {
    let words: Vec<u16> = addr
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let (best_base, best_len) = longest_zero_run(&words);
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if best_len >= 2 && i == best_base {
            out.push(':');
            i += best_len;
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        let embedded_v4 =
            best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff));
        if i == 6 && best_len >= 2 && embedded_v4 {
            let _ = write!(out, "{}.{}.{}.{}", addr[12], addr[13], addr[14], addr[15]);
            return out;
        }
        let _ = write!(out, "{:x}", words[i]);
        i += 1;
    }
    if best_len >= 2 && best_base + best_len == 8 {
        out.push(':');
    }
    out
}

/// Start and length of the first longest run of zero words.
fn longest_zero_run(words: &[u16]) -> (usize, usize) {
    let (mut best, mut cur) = ((0, 0), (0, 0));
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            cur = if cur.1 == 0 {
                (i, 1)
            } else {
                (cur.0, cur.1 + 1)
            };
            if cur.1 > best.1 {
                best = cur;
            }
        } else {
            cur = (0, 0);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(text: &str) -> Option<String> {
        parse_ipv6(text.as_bytes()).map(|a| format_ipv6(&a))
    }

    #[test]
    fn ipv4_is_strict() {
        assert_eq!(parse_ipv4(b"192.0.2.1"), Some([192, 0, 2, 1]));
        assert_eq!(parse_ipv4(b"0.0.0.0"), Some([0; 4]));
        for bad in [
            "0192.0.2.1",
            "192.0.2.1 ",
            "192.0.2",
            "1.2.3.4.",
            "256.0.0.1",
            "01.2.3.4",
            "a.b.c.d",
            "",
        ] {
            assert_eq!(parse_ipv4(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn ipv6_accepts_what_inet_pton_accepts() {
        assert_eq!(v6("2001:DB8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(
            v6("2001:0db8:0000:0000:0000:0000:0000:0001").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(v6("::").as_deref(), Some("::"));
        assert_eq!(v6("::1").as_deref(), Some("::1"));
        assert_eq!(v6("1::").as_deref(), Some("1::"));
        assert_eq!(v6("::ffff:192.0.2.1").as_deref(), Some("::ffff:192.0.2.1"));
        assert_eq!(v6("::1.2.3.4").as_deref(), Some("::1.2.3.4"));
        assert_eq!(v6("0:0:0:0:0:1:0:0").as_deref(), Some("::1:0:0"));
        assert_eq!(v6("1:0:0:1:0:0:0:1").as_deref(), Some("1:0:0:1::1"));
        assert_eq!(v6("1:0:1:0:1:0:1:0").as_deref(), Some("1:0:1:0:1:0:1:0"));
        assert_eq!(v6("1:2:3:4:5:6:7::").as_deref(), Some("1:2:3:4:5:6:7:0"));
        assert_eq!(
            v6("1:2:3:4:5:6:1.2.3.4").as_deref(),
            Some("1:2:3:4:5:6:102:304")
        );
    }

    #[test]
    fn ipv6_refuses_what_inet_pton_refuses() {
        for bad in [
            "",
            ":",
            ":1",
            "1:",
            "1:::2",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1.02.3.4",
            "1.2.3.4",
            "::g",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3",
            "fe80::1%eth0",
            " ::1",
        ] {
            assert_eq!(parse_ipv6(bad.as_bytes()), None, "{bad}");
        }
    }
}
