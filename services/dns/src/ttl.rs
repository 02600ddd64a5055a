//! TTLs: the API's range check (domain-rules §1) and the zone-file TTL
//! syntax with units (`1h30m`, `1w`), as dnspython reads it for imports.

use crate::name::FieldValueError;

/// Largest TTL the API accepts (`ttl` integer 0–2147483647).
pub const MAX_API_TTL: i64 = 2_147_483_647;

/// Designate's TTL field check (`IntegerFields(minimum=0,
/// maximum=2147483647)`), with its `ValueError` texts.
///
/// Callers holding a JSON number outside `i128` may pass `i128::MAX` /
/// `i128::MIN`; the message is the same.
pub fn check_ttl(value: i128, attr: &str) -> Result<(), FieldValueError> {
    if value < 0 {
        return Err(FieldValueError(format!(
            "Value must be >= 0 for field {attr}"
        )));
    }
    if value > i128::from(MAX_API_TTL) {
        return Err(FieldValueError(format!("Value too high for {attr}")));
    }
    Ok(())
}

/// Reads a zone-file TTL: plain seconds, or numbers with units `w`, `d`,
/// `h`, `m`, `s` in either case (`1h30m`, `2W`), at most 2³²−1 in total
/// (dnspython's `dns.ttl.from_text`, which BIND agrees with). A trailing
/// number without a unit is refused, except that a trailing zero is
/// ignored as dnspython does.
pub fn parse_zone_ttl(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    if bytes.first().is_none_or(|b| !b.is_ascii_digit()) {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return crate::master::number::parse_decimal(bytes, u64::from(u32::MAX)).map(|v| v as u32);
    }
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut need_digit = true;
    for &b in bytes {
        if b.is_ascii_digit() {
            current = current.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            need_digit = false;
            continue;
        }
        if need_digit {
            return None;
        }
        total = total.checked_add(current.checked_mul(unit_seconds(b)?)?)?;
        current = 0;
        need_digit = true;
    }
    if current != 0 {
        return None;
    }
    u32::try_from(total).ok()
}

fn unit_seconds(unit: u8) -> Option<u64> {
    match unit.to_ascii_lowercase() {
        b'w' => Some(604_800),
        b'd' => Some(86_400),
        b'h' => Some(3_600),
        b'm' => Some(60),
        b's' => Some(1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_range_and_messages() {
        assert!(check_ttl(0, "ttl").is_ok());
        assert!(check_ttl(2_147_483_647, "ttl").is_ok());
        assert_eq!(
            check_ttl(-1, "ttl").unwrap_err().0,
            "Value must be >= 0 for field ttl"
        );
        assert_eq!(
            check_ttl(2_147_483_648, "ttl").unwrap_err().0,
            "Value too high for ttl"
        );
    }

    #[test]
    fn zone_ttl_units() {
        assert_eq!(parse_zone_ttl("3600"), Some(3600));
        assert_eq!(parse_zone_ttl("1h"), Some(3600));
        assert_eq!(parse_zone_ttl("1H30m"), Some(5400));
        assert_eq!(parse_zone_ttl("1w"), Some(604_800));
        assert_eq!(parse_zone_ttl("1d2h3m4s"), Some(93_784));
        assert_eq!(parse_zone_ttl("4294967295"), Some(u32::MAX));
        assert_eq!(parse_zone_ttl("1h0"), Some(3600));
        for bad in [
            "",
            "h",
            "1x",
            "1h5",
            "4294967296",
            "1hh",
            "IN",
            "-1",
            "99999999999999w",
        ] {
            assert_eq!(parse_zone_ttl(bad), None, "{bad}");
        }
    }
}
