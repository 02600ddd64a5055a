//! Record-data parsers: the API grammar and the owner rules never panic;
//! text that converts to wire form prints canonically, the canonical text
//! converts to the same wire form, and hickory-proto reads that wire form
//! back to the same bytes and the same text.
#![no_main]

use delegate_dns::{
    RecordType, from_hickory_rdata, presentation, rdata_to_wire, to_hickory_rdata, validate_owner,
    validate_rdata, validate_record,
};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, NameEncoding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, rest)) = bytes.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let rtype = RecordType::ALL[usize::from(selector) % RecordType::ALL.len()];
    let _ = validate_rdata(rtype, text);
    let _ = validate_record(rtype, "_dns.resolver.example.", text);
    let _ = validate_owner(rtype, text);
    let Ok(wire) = rdata_to_wire(rtype, text) else {
        return;
    };
    let canonical = presentation(rtype, text).unwrap_or_else(|e| panic!("no presentation: {e}"));
    let again =
        rdata_to_wire(rtype, &canonical).unwrap_or_else(|e| panic!("canonical text refused: {e}"));
    assert_eq!(again, wire, "canonical text changes the data: {canonical}");
    let rdata = to_hickory_rdata(rtype, text).unwrap_or_else(|e| panic!("hickory refused: {e}"));
    // Compare uncompressed: hickory compresses names by default (SOA
    // RNAME pointing into MNAME), which is a different but equal encoding.
    let mut emitted = Vec::new();
    let mut encoder = BinEncoder::new(&mut emitted);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    rdata.emit(&mut encoder).expect("emit");
    assert_eq!(emitted, wire, "hickory changed the data");
    assert_eq!(from_hickory_rdata(&rdata), canonical);
});
