//! Stored records (presentation text) to wire records, and the record types
//! the database knows.

use hickory_proto::rr::{Name, RData, Record, RecordType};

/// A stored record that cannot be served; the caller logs and skips it.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("unknown record type {0:?}")]
    UnknownType(String),
    #[error("bad owner name {name:?}: {reason}")]
    BadOwner { name: String, reason: String },
    #[error("bad {rtype} data {data:?}: {reason}")]
    BadData {
        rtype: String,
        data: String,
        reason: String,
    },
    #[error("TTL {0} out of range")]
    BadTtl(i32),
}

/// The TTL a record is served with: its recordset's, else the zone's.
pub fn effective_ttl(recordset_ttl: Option<i32>, zone_ttl: i32) -> Result<u32, ConvertError> {
    let ttl = recordset_ttl.unwrap_or(zone_ttl);
    u32::try_from(ttl).map_err(|_| ConvertError::BadTtl(ttl))
}

/// An owner name as stored (FQDN with the trailing dot).
pub fn owner_name(name: &str) -> Result<Name, ConvertError> {
    Name::from_ascii(name).map_err(|e| ConvertError::BadOwner {
        name: name.to_owned(),
        reason: e.to_string(),
    })
}

/// One record on the wire.
// TODO(dns): use delegate_dns::to_hickory_record once services/dns has it (it
// knows Designate's grammars, SPF included); hickory's zone-file parser stands
// in until then.
pub fn to_record(owner: Name, ttl: u32, rtype: &str, data: &str) -> Result<Record, ConvertError> {
    let record_type: RecordType = rtype
        .parse()
        .map_err(|_| ConvertError::UnknownType(rtype.to_owned()))?;
    let rdata = RData::try_from_str(record_type, data).map_err(|e| ConvertError::BadData {
        rtype: rtype.to_owned(),
        data: data.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Record::from_rdata(owner, ttl, rdata))
}

/// The `recordsets.type` value for a query type, if the database can hold
/// recordsets of that type (spec/storage.md §2.5). Other types (ANY, DS, …)
/// cannot match a recordset.
pub fn stored_type(rtype: RecordType) -> Option<&'static str> {
    Some(match rtype {
        RecordType::A => "A",
        RecordType::AAAA => "AAAA",
        RecordType::CNAME => "CNAME",
        RecordType::MX => "MX",
        RecordType::SRV => "SRV",
        RecordType::TXT => "TXT",
        RecordType::Unknown(SPF_CODE) => "SPF",
        RecordType::NS => "NS",
        RecordType::PTR => "PTR",
        RecordType::SSHFP => "SSHFP",
        RecordType::SOA => "SOA",
        RecordType::NAPTR => "NAPTR",
        RecordType::CAA => "CAA",
        RecordType::CERT => "CERT",
        RecordType::HTTPS => "HTTPS",
        RecordType::SVCB => "SVCB",
        RecordType::TLSA => "TLSA",
        _ => return None,
    })
}

/// SPF (RFC 7208 §3.1), type 99, which hickory-proto has no name for.
const SPF_CODE: u16 = 99;

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        owner_name(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn converts_common_types() {
        let cases = [
            ("A", "192.0.2.10"),
            ("AAAA", "2001:db8::10"),
            ("CNAME", "www.example.org."),
            ("MX", "10 mail.example.org."),
            ("TXT", "\"v=spf1 mx -all\""),
            ("NS", "ns1.example.org."),
            ("PTR", "host.example.org."),
            (
                "SOA",
                "ns1.example.org. hostmaster.example.org. 1795299297 3592 600 86400 3600",
            ),
        ];
        for (rtype, data) in cases {
            let record = to_record(name("example.org."), 300, rtype, data)
                .unwrap_or_else(|e| panic!("{rtype} {data}: {e}"));
            assert_eq!(record.record_type().to_string(), rtype);
            assert_eq!(record.ttl, 300);
        }
    }

    #[test]
    fn bad_data_is_an_error_not_a_panic() {
        assert!(matches!(
            to_record(name("a.example."), 1, "A", "300.1.1.1"),
            Err(ConvertError::BadData { .. })
        ));
        assert!(matches!(
            to_record(name("a.example."), 1, "A", ""),
            Err(ConvertError::BadData { .. })
        ));
        assert!(matches!(
            to_record(name("a.example."), 1, "BOGUS", "x"),
            Err(ConvertError::UnknownType(_))
        ));
        assert!(matches!(
            effective_ttl(Some(-1), 3600),
            Err(ConvertError::BadTtl(-1))
        ));
        assert_eq!(effective_ttl(None, 3600).ok(), Some(3600));
        assert_eq!(effective_ttl(Some(300), 3600).ok(), Some(300));
    }

    #[test]
    fn stored_types_match_the_schema() {
        assert_eq!(stored_type(RecordType::Unknown(99)), Some("SPF"));
        assert_eq!(stored_type(RecordType::SOA), Some("SOA"));
        assert_eq!(stored_type(RecordType::ANY), None);
        assert_eq!(stored_type(RecordType::AXFR), None);
    }
}
