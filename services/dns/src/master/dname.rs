//! Domain names: presentation text to wire form and back (RFC 1035 §3.1,
//! §5.1), with BIND's escaping rules for output.

use super::{Syntax, SyntaxResult};

/// Longest name on the wire, root label included (RFC 1035 §2.3.4).
const MAX_WIRE: usize = 255;
/// Longest label (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;

/// An absolute domain name in uncompressed wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name(Vec<u8>);

impl Name {
    /// The root name, `.`.
    #[cfg(test)]
    pub(crate) fn root() -> Self {
        Name(vec![0])
    }

    /// Reads a name written in a master file. Relative names are completed
    /// with `origin`; without one they are refused, as is `@`.
    pub(crate) fn parse(raw: &[u8], origin: Option<&Name>) -> SyntaxResult<Name> {
        let mut out = Vec::with_capacity(raw.len() + 2);
        parse_into(raw, origin, &mut out)?;
        Ok(Name(out))
    }

    /// Wraps wire bytes known to hold one uncompressed absolute name.
    pub(crate) fn from_wire(wire: &[u8]) -> SyntaxResult<Name> {
        let (name, rest) = split_name(wire)?;
        if !rest.is_empty() {
            return Err(Syntax::new("trailing bytes after a name"));
        }
        Ok(Name(name.to_vec()))
    }

    pub(crate) fn as_wire(&self) -> &[u8] {
        &self.0
    }

    /// Is this name equal to or below `parent`? Comparison ignores ASCII
    /// case, as DNS does (RFC 4343).
    pub(crate) fn is_subdomain_of(&self, parent: &Name) -> bool {
        let (mine, theirs) = (label_starts(&self.0), label_starts(&parent.0));
        if theirs.len() > mine.len() {
            return false;
        }
        let offset = mine[mine.len() - theirs.len()];
        self.0[offset..].eq_ignore_ascii_case(&parent.0)
    }

    /// The name in presentation form, always absolute (trailing dot).
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 1);
        write_text(&self.0, &mut out);
        out
    }
}

/// Offsets of every label's length byte, the root label excluded.
fn label_starts(wire: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut pos = 0;
    while let Some(&len) = wire.get(pos) {
        if len == 0 {
            break;
        }
        starts.push(pos);
        pos += 1 + usize::from(len);
    }
    starts.push(pos);
    starts
}

/// Appends the wire form of a master-file name to `out`.
pub(crate) fn parse_into(raw: &[u8], origin: Option<&Name>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let start = out.len();
    if raw == b"@" {
        let origin = origin.ok_or_else(|| Syntax::new("'@' used without an origin"))?;
        out.extend_from_slice(&origin.0);
        return Ok(());
    }
    if raw == b"." {
        out.push(0);
        return Ok(());
    }
    let absolute = parse_labels(raw, out, start)?;
    if absolute {
        out.push(0);
    } else {
        let origin = origin.ok_or_else(|| Syntax::new("relative name without an origin"))?;
        out.extend_from_slice(&origin.0);
    }
    if out.len() - start > MAX_WIRE {
        return Err(Syntax::new("name longer than 255 octets"));
    }
    Ok(())
}

/// Appends the labels of `raw` (no root label); returns whether the text
/// ended with an unescaped dot, i.e. was absolute.
fn parse_labels(raw: &[u8], out: &mut Vec<u8>, start: usize) -> SyntaxResult<bool> {
    let mut label_at = out.len();
    out.push(0);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'.' => {
                close_label(out, label_at)?;
                if i + 1 == raw.len() {
                    return Ok(true);
                }
                label_at = out.len();
                out.push(0);
                i += 1;
            }
            b'\\' => {
                let (byte, used) = unescape_at(raw, i)?;
                out.push(byte);
                i += used;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
        if out.len() - start > MAX_WIRE {
            return Err(Syntax::new("name longer than 255 octets"));
        }
    }
    close_label(out, label_at)?;
    Ok(false)
}

/// Writes the length byte of the label that starts at `label_at`.
fn close_label(out: &mut [u8], label_at: usize) -> SyntaxResult<()> {
    let len = out.len() - label_at - 1;
    if len == 0 {
        return Err(Syntax::new("empty label"));
    }
    if len > MAX_LABEL {
        return Err(Syntax::new("label longer than 63 octets"));
    }
    out[label_at] = len as u8;
    Ok(())
}

/// Decodes the escape at `raw[at]` (a backslash): `\DDD` (exactly three
/// digits, at most 255) or `\X`. Returns the byte and the bytes consumed.
pub(crate) fn unescape_at(raw: &[u8], at: usize) -> SyntaxResult<(u8, usize)> {
    let Some(&next) = raw.get(at + 1) else {
        return Err(Syntax::new("escape at end of text"));
    };
    if !next.is_ascii_digit() {
        return Ok((next, 2));
    }
    let digits = raw
        .get(at + 1..at + 4)
        .filter(|d| d.iter().all(u8::is_ascii_digit))
        .ok_or_else(|| Syntax::new("\\DDD escape needs three digits"))?;
    let value = digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    let byte = u8::try_from(value).map_err(|_| Syntax::new("\\DDD escape over 255"))?;
    Ok((byte, 4))
}

/// Splits one uncompressed name off the front of `wire`.
pub(crate) fn split_name(wire: &[u8]) -> SyntaxResult<(&[u8], &[u8])> {
    let mut pos = 0;
    loop {
        let len = usize::from(*wire.get(pos).ok_or_else(|| Syntax::new("truncated name"))?);
        if len == 0 {
            pos += 1;
            break;
        }
        if len > MAX_LABEL {
            return Err(Syntax::new("compressed or invalid label"));
        }
        pos += 1 + len;
        if pos > MAX_WIRE {
            return Err(Syntax::new("name longer than 255 octets"));
        }
    }
    if pos > MAX_WIRE {
        return Err(Syntax::new("name longer than 255 octets"));
    }
    if pos > wire.len() {
        return Err(Syntax::new("truncated name"));
    }
    Ok(wire.split_at(pos))
}

/// Appends the presentation form of a wire name (BIND's `dns_name_totext`
/// escaping: `"().;\@$` get a backslash, other bytes outside `!`..`~`
/// become `\DDD`).
pub(crate) fn write_text(wire: &[u8], out: &mut String) {
    let mut pos = 0;
    while let Some(&len) = wire.get(pos) {
        if len == 0 {
            break;
        }
        let end = (pos + 1 + usize::from(len)).min(wire.len());
        for &byte in &wire[pos + 1..end] {
            push_name_byte(byte, out);
        }
        out.push('.');
        pos = end;
    }
    if pos == 0 {
        out.push('.');
    }
}

fn push_name_byte(byte: u8, out: &mut String) {
    match byte {
        b'"' | b'(' | b')' | b'.' | b';' | b'\\' | b'@' | b'$' => {
            out.push('\\');
            out.push(char::from(byte));
        }
        0x21..=0x7e => out.push(char::from(byte)),
        _ => push_decimal_escape(byte, out),
    }
}

/// Appends `\DDD` for `byte`.
pub(crate) fn push_decimal_escape(byte: u8, out: &mut String) {
    out.push('\\');
    out.push(char::from(b'0' + byte / 100));
    out.push(char::from(b'0' + byte / 10 % 10));
    out.push(char::from(b'0' + byte % 10));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(raw: &str, origin: Option<&str>) -> Result<String, Syntax> {
        let origin = origin.map(|o| Name::parse(o.as_bytes(), None).unwrap());
        Name::parse(raw.as_bytes(), origin.as_ref()).map(|n| n.to_text())
    }

    #[test]
    fn absolute_relative_and_origin() {
        assert_eq!(text("Www.Example.ORG.", None).unwrap(), "Www.Example.ORG.");
        assert_eq!(
            text("www", Some("example.test.")).unwrap(),
            "www.example.test."
        );
        assert_eq!(text("@", Some("example.test.")).unwrap(), "example.test.");
        assert_eq!(text(".", None).unwrap(), ".");
        assert!(text("www", None).is_err());
        assert!(text("@", None).is_err());
    }

    #[test]
    fn escapes_follow_bind() {
        assert_eq!(text(r"x\065y.", None).unwrap(), "xAy.");
        assert_eq!(
            text(r"a\.b\032c.example.", None).unwrap(),
            r"a\.b\032c.example."
        );
        assert_eq!(text(r"x\@y\$z.", None).unwrap(), r"x\@y\$z.");
        assert_eq!(text("\u{e9}.", None).unwrap(), r"\195\169.");
        assert!(text(r"a\1.", None).is_err());
        assert!(text(r"a\256.", None).is_err());
    }

    #[test]
    fn limits() {
        let label63 = "a".repeat(63);
        assert!(text(&format!("{label63}."), None).is_ok());
        assert!(text(&format!("a{label63}."), None).is_err());
        let long = format!("{}.", vec!["a".repeat(63); 4].join("."));
        assert!(text(&long, None).is_err(), "256 octets");
        let fits = format!("{}.", vec!["a".repeat(62); 4].join("."));
        assert!(text(&fits, None).is_ok(), "253 octets");
        assert!(text("a..b.", None).is_err());
        assert!(text(".a.", None).is_err());
    }

    #[test]
    fn subdomains_ignore_case() {
        let zone = Name::parse(b"Example.Test.", None).unwrap();
        let www = Name::parse(b"www.example.TEST.", None).unwrap();
        let other = Name::parse(b"www.example.org.", None).unwrap();
        assert!(www.is_subdomain_of(&zone));
        assert!(zone.is_subdomain_of(&zone));
        assert!(!other.is_subdomain_of(&zone));
        assert!(!zone.is_subdomain_of(&www));
        assert!(www.is_subdomain_of(&Name::root()));
    }
}
