//! The record types Delegate implements (domain-rules §4).

use std::fmt;
use std::str::FromStr;

/// One of the 17 record types a recordset may have.
///
/// Parsing with [`FromStr`] is case-sensitive, as in Designate: `"a"` is not
/// a record type (the API answers `'a' is not a valid record type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// IPv4 address (RFC 1035).
    A,
    /// IPv6 address (RFC 3596).
    AAAA,
    /// Canonical name (RFC 1035).
    CNAME,
    /// Mail exchange (RFC 1035).
    MX,
    /// Service location (RFC 2782).
    SRV,
    /// Text strings (RFC 1035).
    TXT,
    /// Sender Policy Framework, type 99 (RFC 4408, obsoleted but still served).
    SPF,
    /// Name server (RFC 1035).
    NS,
    /// Domain name pointer (RFC 1035).
    PTR,
    /// SSH key fingerprint (RFC 4255).
    SSHFP,
    /// Start of authority (RFC 1035).
    SOA,
    /// Naming authority pointer (RFC 3403).
    NAPTR,
    /// Certification authority authorization (RFC 8659).
    CAA,
    /// Certificate (RFC 4398).
    CERT,
    /// HTTPS service binding (RFC 9460).
    HTTPS,
    /// General service binding (RFC 9460).
    SVCB,
    /// TLS certificate association (RFC 6698).
    TLSA,
}

impl RecordType {
    /// All types, in the order of the database enum.
    pub const ALL: [RecordType; 17] = [
        Self::A,
        Self::AAAA,
        Self::CNAME,
        Self::MX,
        Self::SRV,
        Self::TXT,
        Self::SPF,
        Self::NS,
        Self::PTR,
        Self::SSHFP,
        Self::SOA,
        Self::NAPTR,
        Self::CAA,
        Self::CERT,
        Self::HTTPS,
        Self::SVCB,
        Self::TLSA,
    ];

    /// The upper-case mnemonic, as stored and shown by the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::AAAA => "AAAA",
            Self::CNAME => "CNAME",
            Self::MX => "MX",
            Self::SRV => "SRV",
            Self::TXT => "TXT",
            Self::SPF => "SPF",
            Self::NS => "NS",
            Self::PTR => "PTR",
            Self::SSHFP => "SSHFP",
            Self::SOA => "SOA",
            Self::NAPTR => "NAPTR",
            Self::CAA => "CAA",
            Self::CERT => "CERT",
            Self::HTTPS => "HTTPS",
            Self::SVCB => "SVCB",
            Self::TLSA => "TLSA",
        }
    }

    /// The RR type code on the wire (IANA registry).
    pub const fn code(self) -> u16 {
        match self {
            Self::A => 1,
            Self::NS => 2,
            Self::CNAME => 5,
            Self::SOA => 6,
            Self::PTR => 12,
            Self::MX => 15,
            Self::TXT => 16,
            Self::AAAA => 28,
            Self::SRV => 33,
            Self::NAPTR => 35,
            Self::CERT => 37,
            Self::SSHFP => 44,
            Self::TLSA => 52,
            Self::SVCB => 64,
            Self::HTTPS => 65,
            Self::SPF => 99,
            Self::CAA => 257,
        }
    }

    /// The type with this wire code, if it is one of the 17.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The type for a zone-file type token: the mnemonic in any case, or
    /// `TYPE<code>` (RFC 3597 §5), as BIND and dnspython accept them.
    pub fn from_zone_token(token: &str) -> Option<Self> {
        if let Some(t) = Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(token))
        {
            return Some(t);
        }
        let digits = strip_prefix_ignore_case(token, "TYPE")?;
        Self::from_code(crate::master::number::parse_decimal(digits.as_bytes(), 65535)? as u16)
    }

    /// The same type as hickory-proto's `RecordType`.
    pub fn to_hickory(self) -> hickory_proto::rr::RecordType {
        hickory_proto::rr::RecordType::from(self.code())
    }
}

/// `token` without `prefix` (ASCII case-insensitive), if it starts with it.
pub(crate) fn strip_prefix_ignore_case<'a>(token: &'a str, prefix: &str) -> Option<&'a str> {
    let head = token.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &token[prefix.len()..])
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the 17 type mnemonics (case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid record type")]
pub struct UnknownRecordType(pub String);

impl FromStr for RecordType {
    type Err = UnknownRecordType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownRecordType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_sensitive() {
        assert_eq!("TXT".parse::<RecordType>(), Ok(RecordType::TXT));
        let err = "a".parse::<RecordType>().unwrap_err();
        assert_eq!(err.to_string(), "'a' is not a valid record type");
        assert!("DS".parse::<RecordType>().is_err());
    }

    #[test]
    fn codes_round_trip_and_match_the_spec() {
        let expected = [
            ("A", 1),
            ("NS", 2),
            ("CNAME", 5),
            ("SOA", 6),
            ("PTR", 12),
            ("MX", 15),
            ("TXT", 16),
            ("AAAA", 28),
            ("SRV", 33),
            ("NAPTR", 35),
            ("CERT", 37),
            ("SSHFP", 44),
            ("TLSA", 52),
            ("SVCB", 64),
            ("HTTPS", 65),
            ("SPF", 99),
            ("CAA", 257),
        ];
        for (name, code) in expected {
            let t: RecordType = name.parse().unwrap();
            assert_eq!(t.code(), code, "{name}");
            assert_eq!(RecordType::from_code(code), Some(t));
            assert_eq!(t.as_str(), name);
        }
        assert_eq!(RecordType::ALL.len(), 17);
    }

    #[test]
    fn zone_tokens_accept_any_case_and_generic_names() {
        assert_eq!(RecordType::from_zone_token("aaaa"), Some(RecordType::AAAA));
        assert_eq!(
            RecordType::from_zone_token("TYPE257"),
            Some(RecordType::CAA)
        );
        assert_eq!(RecordType::from_zone_token("type1"), Some(RecordType::A));
        assert_eq!(RecordType::from_zone_token("TYPE43"), None);
        assert_eq!(RecordType::from_zone_token("DS"), None);
    }
}
