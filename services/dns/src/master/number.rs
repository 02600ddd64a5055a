//! Unsigned decimal fields of record data.

/// Parses ASCII decimal digits (leading zeros allowed, as BIND and
/// dnspython allow them; no sign, no blanks) up to `max`.
///
/// Returns `None` for an empty field, any other character, or a value over
/// `max`; never overflows however long the input is.
pub(crate) fn parse_decimal(bytes: &[u8], max: u64) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        if value > max {
            return None;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::parse_decimal;

    #[test]
    fn decimal_fields() {
        assert_eq!(parse_decimal(b"0", 255), Some(0));
        assert_eq!(parse_decimal(b"010", 255), Some(10));
        assert_eq!(parse_decimal(b"255", 255), Some(255));
        assert_eq!(parse_decimal(b"256", 255), None);
        assert_eq!(parse_decimal(b"", 255), None);
        assert_eq!(parse_decimal(b"+1", 255), None);
        assert_eq!(parse_decimal(b"1 ", 255), None);
        assert_eq!(parse_decimal(b"99999999999999999999999999", u64::MAX), None);
        assert_eq!(parse_decimal(b"4294967295", 4294967295), Some(4294967295));
    }
}
