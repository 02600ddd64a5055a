//! Stored records (presentation text) to wire records, and the record types
//! the database knows. The grammars are delegate-dns's: stored text is read
//! as Designate's mdns reads it (master-file syntax, absolute names).

use delegate_dns::wire::{hickory_name, to_hickory_rdata};
use delegate_dns::{RdataError, UnknownRecordType};
use hickory_proto::rr::{Name, Record, RecordType};

/// A stored record that cannot be served; the caller logs and skips it.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    UnknownType(#[from] UnknownRecordType),
    #[error("bad owner name {name:?}: {reason}")]
    BadOwner { name: String, reason: String },
    #[error("{0}: {reason}", reason = .0.reason())]
    BadData(#[from] RdataError),
    #[error("TTL {0} out of range")]
    BadTtl(i32),
}

/// The TTL a record is served with: its recordset's, else the zone's.
pub fn effective_ttl(recordset_ttl: Option<i32>, zone_ttl: i32) -> Result<u32, ConvertError> {
    let ttl = recordset_ttl.unwrap_or(zone_ttl);
    u32::try_from(ttl).map_err(|_| ConvertError::BadTtl(ttl))
}

/// An owner name as stored (FQDN with the trailing dot, escapes allowed).
pub fn owner_name(name: &str) -> Result<Name, ConvertError> {
    hickory_name(name).map_err(|reason| ConvertError::BadOwner {
        name: name.to_owned(),
        reason,
    })
}

/// One record on the wire, class IN.
pub fn to_record(owner: Name, ttl: u32, rtype: &str, data: &str) -> Result<Record, ConvertError> {
    let rdata = to_hickory_rdata(rtype.parse()?, data)?;
    Ok(Record::from_rdata(owner, ttl, rdata))
}

/// The `recordsets.type` value for a query type, if the database can hold
/// recordsets of that type (spec/storage.md §2.5). Other types (ANY, DS, …)
/// cannot match a recordset.
pub fn stored_type(rtype: RecordType) -> Option<&'static str> {
    delegate_dns::RecordType::from_code(u16::from(rtype)).map(delegate_dns::RecordType::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        owner_name(text).unwrap()
    }

    #[test]
    fn converts_stored_text_of_every_kind() {
        let cases = [
            ("A", "192.0.2.10"),
            ("AAAA", "2001:db8::10"),
            ("CNAME", "www.example.org."),
            ("MX", "10 mail.example.org."),
            ("TXT", "\"v=spf1 mx -all\""),
            ("SPF", "\"v=spf1 -all\""),
            ("NS", "ns1.example.org."),
            ("PTR", "host.example.org."),
            ("SRV", "10 60 5060 sip.example.org."),
            ("CAA", "0 issue letsencrypt.org"),
            (
                "SOA",
                "ns1.example.org. hostmaster.example.org. 1795299297 3592 600 86400 3600",
            ),
        ];
        for (rtype, data) in cases {
            let record = to_record(name("example.org."), 300, rtype, data)
                .unwrap_or_else(|e| panic!("{rtype} {data}: {e}"));
            assert_eq!(stored_type(record.record_type()), Some(rtype));
            assert_eq!(record.ttl, 300);
        }
    }

    #[test]
    fn bad_data_is_an_error_not_a_panic() {
        let owner = name("a.example.");
        assert!(matches!(
            to_record(owner.clone(), 1, "A", "300.1.1.1"),
            Err(ConvertError::BadData(_))
        ));
        assert!(matches!(
            to_record(owner.clone(), 1, "A", ""),
            Err(ConvertError::BadData(_))
        ));
        assert!(matches!(
            to_record(owner, 1, "BOGUS", "x"),
            Err(ConvertError::UnknownType(_))
        ));
        assert!(matches!(
            owner_name("a..example."),
            Err(ConvertError::BadOwner { .. })
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
        assert_eq!(stored_type(RecordType::DS), None);
    }
}
