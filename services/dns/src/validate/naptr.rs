//! NAPTR grammar (domain-rules §4, RFC 3403 fields with Designate's
//! patterns).

use super::{Check, domain_field, ensure, int_in, split_exact};

/// `order preference flags service regexp replacement`.
pub(super) fn naptr(data: &str) -> Check {
    let [order, preference, flags, service, regexp, replacement] = split_exact(data)?;
    int_in(order, 0, 65535, "order")?;
    int_in(preference, 0, 65535, "preference")?;
    let (flags, service, regexp) = (unquote(flags), unquote(service), unquote(regexp));
    ensure(flags.chars().count() <= 255, "flags longer than 255")?;
    ensure(
        flags.bytes().all(|b| b"APSUapsu".contains(&b)),
        "flags may only be A, P, S, U",
    )?;
    ensure(service.chars().count() <= 255, "service longer than 255")?;
    ensure(is_service(service), "bad service")?;
    ensure(regexp.chars().count() <= 255, "regexp longer than 255")?;
    ensure(regexp.is_empty() || is_regexp(regexp), "bad regexp")?;
    domain_field(replacement)
}

/// Strips one pair of double quotes when the field starts *and* ends with
/// one (a lone `"` becomes empty, as in Designate).
fn unquote(field: &str) -> &str {
    if field.starts_with('"') && field.ends_with('"') {
        field
            .get(1..field.len().saturating_sub(1))
            .unwrap_or_default()
    } else {
        field
    }
}

/// `^([A-Za-z][A-Za-z0-9]*(\+[A-Za-z][A-Za-z0-9]{0,31})*)?\Z`
fn is_service(service: &str) -> bool {
    if service.is_empty() {
        return true;
    }
    let mut parts = service.split('+');
    let first_ok = parts.next().is_some_and(|p| is_alpha_alnum(p, usize::MAX));
    first_ok && parts.all(|p| is_alpha_alnum(p, 32))
}

/// A letter followed by letters/digits, `max_len` characters at most.
fn is_alpha_alnum(part: &str, max_len: usize) -> bool {
    let bytes = part.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max_len
        && bytes[0].is_ascii_alphabetic()
        && bytes.iter().all(u8::is_ascii_alphanumeric)
}

/// `^([^0-9i\\])(.*)\1((.+)|(\\[1-9]))?\1(i?)\Z` for a non-empty value:
/// delimiter, pattern, delimiter, replacement, delimiter, optional `i`,
/// where pattern and replacement hold no newline (Python's `.`).
fn is_regexp(regexp: &str) -> bool {
    let mut chars = regexp.chars();
    let Some(delim) = chars.next() else {
        return false;
    };
    if delim.is_ascii_digit() || delim == 'i' || delim == '\\' {
        return false;
    }
    let tail = chars.as_str();
    let body = tail.strip_suffix('i').unwrap_or(tail);
    let Some(middle) = body.strip_suffix(delim) else {
        return false;
    };
    if delim == '\n' {
        middle.matches('\n').count() == 1
    } else {
        middle.contains(delim) && !middle.contains('\n')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexp_shapes() {
        assert!(is_regexp("!^.*$!sip:info@example.org!"));
        assert!(is_regexp("!^.*$!\\1!i"));
        assert!(is_regexp("!!!"));
        assert!(is_regexp("/a/b/"));
        assert!(!is_regexp("!!"));
        assert!(!is_regexp("1a1b1"));
        assert!(!is_regexp("iaibi"));
        assert!(!is_regexp("!a!b!x"));
        assert!(!is_regexp("!a\n!b!"));
    }

    #[test]
    fn services() {
        assert!(is_service("SIP+D2U"));
        assert!(is_service("E2U+sip"));
        assert!(is_service("http"));
        assert!(!is_service("+sip"));
        assert!(!is_service("sip+"));
        assert!(!is_service("1sip"));
        assert!(!is_service(&format!("a+b{}", "c".repeat(32))));
    }
}
