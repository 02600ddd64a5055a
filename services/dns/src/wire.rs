//! Stored record text ↔ wire form and hickory-proto types, for mdns's
//! transfers and the worker's queries.
//!
//! Stored text is read with master-file syntax and *no origin*, as
//! Designate's mdns reads it (`dns.rdata.from_text` without an origin):
//! names must be absolute, and a `;` starts a comment. The grammar is the
//! RFC/BIND one, stricter than the API's §4 grammar in places (a CERT
//! mnemonic only Designate knows, an SSHFP SHA-1 fingerprint of the wrong
//! length): such a record fails here, and mdns skips it instead of sending
//! data a BIND secondary would reject together with the whole zone.

use hickory_proto::rr::{Name as HickoryName, RData, Record};
use hickory_proto::serialize::binary::{
    BinDecodable, BinDecoder, BinEncodable, BinEncoder, NameEncoding, Restrict,
};

use crate::master::dname::Name;
use crate::master::lexer::{Lexeme, Lexer};
use crate::master::{Syntax, SyntaxResult};
use crate::rdata::{self, Reader};
use crate::rtype::RecordType;
use crate::validate::RdataError;

/// The wire form (RDATA) of one stored record.
pub fn rdata_to_wire(rtype: RecordType, data: &str) -> Result<Vec<u8>, RdataError> {
    parse_stored(rtype, data).map_err(|e| RdataError::new(rtype, data, e.0))
}

/// The canonical presentation form of stored record text: what BIND's
/// `named-compilezone` prints for it (hex and base64 unsplit; SVCB key 7
/// named `dohpath`, as RFC 9461 and BIND 9.19+ do).
pub fn presentation(rtype: RecordType, data: &str) -> Result<String, RdataError> {
    let wire = rdata_to_wire(rtype, data)?;
    wire_to_presentation(rtype, &wire).map_err(|e| RdataError::new(rtype, data, e.0))
}

/// The hickory-proto record data for stored record text.
pub fn to_hickory_rdata(rtype: RecordType, data: &str) -> Result<RData, RdataError> {
    let wire = rdata_to_wire(rtype, data)?;
    let fail = |reason: String| RdataError::new(rtype, data, reason);
    let length = u16::try_from(wire.len()).map_err(|_| fail("record data too long".into()))?;
    let mut decoder = BinDecoder::new(&wire);
    let rdata = RData::read(&mut decoder, rtype.to_hickory(), Restrict::new(length))
        .map_err(|e| fail(format!("hickory-proto refused the data: {e}")))?;
    if !decoder.is_empty() {
        return Err(fail("hickory-proto left data unread".into()));
    }
    Ok(rdata)
}

/// A hickory-proto record (class IN) for mdns's zone transfers: `owner` is
/// the recordset's FQDN, `data` the stored text.
pub fn to_hickory_record(
    owner: &str,
    ttl: u32,
    rtype: RecordType,
    data: &str,
) -> Result<Record, RdataError> {
    let name = hickory_name(owner)
        .map_err(|e| RdataError::new(rtype, data, format!("owner name {owner}: {e}")))?;
    Ok(Record::from_rdata(
        name,
        ttl,
        to_hickory_rdata(rtype, data)?,
    ))
}

/// A hickory-proto name for an absolute presentation-form name (escapes
/// allowed, case kept).
pub fn hickory_name(fqdn: &str) -> Result<HickoryName, String> {
    let wire = Name::parse(fqdn.as_bytes(), None).map_err(|e| e.0.into_owned())?;
    HickoryName::read(&mut BinDecoder::new(wire.as_wire())).map_err(|e| e.to_string())
}

/// The presentation form of hickory-proto record data — the canonical text
/// for the 17 types (as [`presentation`] prints it), RFC 3597 `\# <len>
/// <hex>` for any other type or for data that does not parse as its type.
pub fn from_hickory_rdata(rdata: &RData) -> String {
    let mut wire = Vec::new();
    let mut encoder = BinEncoder::new(&mut wire);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    if rdata.emit(&mut encoder).is_err() {
        return rdata::format_generic(&[]);
    }
    let code = u16::from(rdata.record_type());
    RecordType::from_code(code)
        .and_then(|rtype| wire_to_presentation(rtype, &wire).ok())
        .unwrap_or_else(|| rdata::format_generic(&wire))
}

/// The presentation form of a hickory-proto name (BIND escaping, trailing
/// dot).
pub fn name_text(name: &HickoryName) -> String {
    let mut wire = Vec::new();
    let mut encoder = BinEncoder::new(&mut wire);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    let mut fqdn = name.clone();
    fqdn.set_fqdn(true);
    match fqdn.emit(&mut encoder).map(|()| Name::from_wire(&wire)) {
        Ok(Ok(name)) => name.to_text(),
        _ => fqdn.to_string(),
    }
}

fn wire_to_presentation(rtype: RecordType, wire: &[u8]) -> SyntaxResult<String> {
    let mut out = String::with_capacity(wire.len() * 2);
    rdata::format(rtype, wire, &mut out)?;
    Ok(out)
}

/// Reads stored text as one record's data: one logical line, no origin.
fn parse_stored(rtype: RecordType, data: &str) -> SyntaxResult<Vec<u8>> {
    let mut lexer = Lexer::new(data);
    let mut out = Vec::with_capacity(data.len());
    let mut reader = Reader::new(&mut lexer, None);
    rdata::parse(rtype, &mut reader, &mut out)?;
    reader.finish()?;
    match lexer.next_lexeme()? {
        Lexeme::Eof => Ok(out),
        _ => Err(Syntax::new("record data spans several lines")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(rtype: RecordType, data: &str) -> String {
        presentation(rtype, data).unwrap_or_else(|e| panic!("{data}: {e}"))
    }

    #[test]
    fn stored_text_reads_without_an_origin() {
        assert!(rdata_to_wire(RecordType::CNAME, "www").is_err());
        assert!(rdata_to_wire(RecordType::MX, "10 @").is_err());
        assert_eq!(
            canon(RecordType::MX, "10  mail.example.org."),
            "10 mail.example.org."
        );
        assert!(rdata_to_wire(RecordType::A, "192.0.2.1\n192.0.2.2").is_err());
    }

    #[test]
    fn a_semicolon_starts_a_comment_as_in_designate() {
        assert_eq!(canon(RecordType::TXT, "v=spf1;x"), "\"v=spf1\"");
        assert_eq!(
            canon(RecordType::CAA, "0 issue ca.example.net; account=1"),
            "0 issue \"ca.example.net\""
        );
    }

    #[test]
    fn hickory_round_trip_preserves_the_wire_form() {
        let samples = [
            (RecordType::A, "192.0.2.1"),
            (RecordType::SPF, "\"v=spf1 -all\""),
            (RecordType::CAA, "0 issue letsencrypt.org"),
            (RecordType::SVCB, "1 . alpn=h2,h3 port=8443 mandatory=alpn"),
            (RecordType::CERT, "PKIX 1 RSASHA256 AAAA"),
            (RecordType::NS, "Ns1.Example.ORG."),
        ];
        for (rtype, data) in samples {
            let rdata = to_hickory_rdata(rtype, data).unwrap();
            assert_eq!(
                rdata.to_bytes().unwrap(),
                rdata_to_wire(rtype, data).unwrap(),
                "{data}"
            );
            assert_eq!(from_hickory_rdata(&rdata), canon(rtype, data));
        }
    }

    #[test]
    fn records_keep_owner_case_and_ttl() {
        let record =
            to_hickory_record("WWW.Example.test.", 300, RecordType::A, "192.0.2.1").unwrap();
        assert_eq!(record.ttl, 300);
        assert_eq!(name_text(&record.name), "WWW.Example.test.");
        assert!(to_hickory_record("www", 300, RecordType::A, "192.0.2.1").is_err());
    }

    #[test]
    fn wire_rules_hickory_needs_are_enforced() {
        // hickory-proto refuses these on the wire, so mdns could not serve them.
        assert!(rdata_to_wire(RecordType::NAPTR, "1 2 \"S`\" \"\" \"\" .").is_err());
        assert!(rdata_to_wire(RecordType::CAA, "0 abcdefghijklmnop x").is_err());
        assert!(rdata_to_wire(RecordType::CAA, "0 abcdefghijklmno x").is_ok());
        assert!(rdata_to_wire(RecordType::SVCB, "1 . alpn=\\200").is_err());
        // BIND refuses SHA-1/SHA-256 fingerprints of the wrong length.
        assert!(rdata_to_wire(RecordType::SSHFP, "1 1 0123456789").is_err());
    }

    #[test]
    fn svcb_keys_print_as_bind_reads_them() {
        assert_eq!(canon(RecordType::SVCB, "1 . ohttp"), "1 . key8");
        assert_eq!(
            canon(
                RecordType::SVCB,
                "1 . port=53 alpn=h2 mandatory=port,alpn key7=/q{?dns}"
            ),
            "1 . mandatory=alpn,port alpn=\"h2\" port=53 dohpath=\"/q{?dns}\""
        );
        assert!(rdata_to_wire(RecordType::SVCB, "1 . port=1 port=2").is_err());
        assert!(rdata_to_wire(RecordType::SVCB, "1 . mandatory=port").is_err());
        assert!(rdata_to_wire(RecordType::SVCB, "1 . no-default-alpn").is_err());
        assert!(rdata_to_wire(RecordType::SVCB, "1 . dohpath=/x").is_err());
        assert!(rdata_to_wire(RecordType::SVCB, "1 . key1=h2").is_err());
    }

    #[test]
    fn generic_rdata_reads_as_its_type() {
        assert_eq!(canon(RecordType::A, "\\# 4 C0000201"), "192.0.2.1");
        assert!(rdata_to_wire(RecordType::A, "\\# 3 C00002").is_err());
        assert!(rdata_to_wire(RecordType::A, "\\# 5 C000020101").is_err());
        // Generic data obeys the typed rules too (found by fuzzing).
        assert!(rdata_to_wire(RecordType::SSHFP, "\\# 3 0102DF").is_err());
        assert!(rdata_to_wire(RecordType::SSHFP, "\\# 3 0909DF").is_ok());
    }

    #[test]
    fn other_types_print_generically() {
        let rdata = RData::Unknown {
            code: hickory_proto::rr::RecordType::Unknown(65280),
            rdata: hickory_proto::rr::rdata::NULL::with(vec![1, 2]),
        };
        assert_eq!(from_hickory_rdata(&rdata), "\\# 2 0102");
    }
}
