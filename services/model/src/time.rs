//! Timestamps. All times are naive UTC with second precision (MySQL `DATETIME`).

use chrono::{NaiveDateTime, Timelike, Utc};

/// Now, truncated to whole seconds as the database stores it.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(0).unwrap_or(t)
}

/// Now as UNIX seconds (zone serials are UNIX times).
pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// The API form: `2014-10-24T19:59:44.000000`, no zone suffix (spec/api-v2.md §4.2).
pub fn api_format(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// serde for timestamps on the bus: `YYYY-MM-DDTHH:MM:SSZ` (spec/services.md §2).
/// Reading also accepts a fraction and a missing `Z`, as Python peers may send either.
pub mod bus_format {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    const WRITE: &str = "%Y-%m-%dT%H:%M:%SZ";

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.format(WRITE).to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }

    pub fn parse(text: &str) -> Result<NaiveDateTime, String> {
        let trimmed = text.trim_end_matches('Z');
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(trimmed, f).ok())
            .ok_or_else(|| format!("invalid timestamp {text:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_format_has_microseconds_and_no_zone() {
        let t = bus_format::parse("2014-10-24T19:59:44Z").expect("parse");
        assert_eq!(api_format(&t), "2014-10-24T19:59:44.000000");
        assert!(bus_format::parse("yesterday").is_err());
    }
}
