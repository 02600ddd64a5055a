//! The few Python built-ins whose exact behaviour Designate's validators
//! depend on (`int()`, `str.isspace()`, `str.split()`, `base64.b64decode`).
//! Reproducing them here keeps Delegate's accept/refuse decisions equal to
//! Designate's on odd input such as `" 1"`, `"1_0"` or `"+5"`.

/// `str.isspace()` for one character: Unicode white space plus the
/// information separators U+001C..U+001F, which Python also counts.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `str.split()` with no argument: fields separated by runs of white space.
pub fn split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|f| !f.is_empty())
}

/// `int(s)` for a string, base 10: surrounding white space, an optional
/// sign, and single underscores between digits are allowed. Values beyond
/// `i128` saturate (every range Designate checks is far smaller).
///
/// Python also accepts non-ASCII decimal digits here; Delegate refuses them
/// (no client sends them, and their values are not in Rust's std).
pub fn int(s: &str) -> Option<i128> {
    let body = s.trim_matches(is_space);
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty() || bytes[0] == b'_' || bytes[bytes.len() - 1] == b'_' {
        return None;
    }
    let mut value: i128 = 0;
    let mut previous_underscore = false;
    for &b in bytes {
        if b == b'_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        if !b.is_ascii_digit() {
            return None;
        }
        previous_underscore = false;
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(b - b'0'));
    }
    Some(if negative { -value } else { value })
}

/// `int(s)` that must also be written canonically, i.e. `repr(int(s)) == s`
/// (no sign, blanks, underscores or leading zeros), as Designate requires
/// for MX priorities and SSHFP numbers.
pub fn canonical_int(s: &str) -> Option<i128> {
    let value = int(s)?;
    (value.to_string() == s).then_some(value)
}

/// Would `base64.b64decode(data)` succeed? Python's default decoder skips
/// characters outside the alphabet, stops at a complete padding sequence,
/// and fails only on a bad final quantum.
pub fn b64decode_ok(data: &[u8]) -> bool {
    let mut quad_pos = 0u8;
    let mut pads = 0u8;
    for &b in data {
        if b == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return true;
                }
            }
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
            continue;
        }
        pads = 0;
        quad_pos = (quad_pos + 1) % 4;
    }
    quad_pos == 0
}

/// `base64.b64decode(s)` for a `str`: it must be ASCII first.
pub fn b64decode_str_ok(s: &str) -> bool {
    s.is_ascii() && b64decode_ok(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_like_python() {
        assert_eq!(int("10"), Some(10));
        assert_eq!(int(" 10\t"), Some(10));
        assert_eq!(int("+5"), Some(5));
        assert_eq!(int("-5"), Some(-5));
        assert_eq!(int("007"), Some(7));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("\u{1c}1"), Some(1));
        for bad in [
            "", " ", "1__0", "_1", "1_", "0x10", "1.0", "1 0", "--1", "+",
        ] {
            assert_eq!(int(bad), None, "{bad:?}");
        }
        assert_eq!(int(&"9".repeat(60)), Some(i128::MAX));
    }

    #[test]
    fn canonical_int_is_repr_round_trip() {
        assert_eq!(canonical_int("10"), Some(10));
        assert_eq!(canonical_int("0"), Some(0));
        assert_eq!(canonical_int("-1"), Some(-1));
        for bad in ["010", "+1", " 1", "1_0", "-0"] {
            assert_eq!(canonical_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn b64decode_is_lenient_like_python() {
        assert!(b64decode_ok(b"AAAA"));
        assert!(b64decode_ok(b""));
        assert!(b64decode_ok(b"AA=="));
        assert!(b64decode_ok(b"AAA="));
        assert!(b64decode_ok(b"A!A!A!A"));
        assert!(b64decode_ok(b"AA==garbage after padding"));
        assert!(!b64decode_ok(b"AAA"));
        assert!(!b64decode_ok(b"A"));
        assert!(!b64decode_ok(b"AA="));
        assert!(b64decode_ok(b"=AAAA"));
        assert!(!b64decode_str_ok("AAA\u{e9}"));
    }

    #[test]
    fn split_on_any_white_space() {
        let fields: Vec<_> = split_whitespace(" a\tb \u{a0} c\n").collect();
        assert_eq!(fields, ["a", "b", "c"]);
    }
}
