//! Presentation of wire data received from elsewhere (secondary zones,
//! worker queries): never panics, and whenever the printed text reads back,
//! it gives the same wire data.
#![no_main]

use delegate_dns::{RecordType, from_hickory_rdata, rdata_to_wire};
use hickory_proto::rr::RData;
use hickory_proto::serialize::binary::{
    BinDecoder, BinEncodable, BinEncoder, NameEncoding, Restrict,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, wire)) = bytes.split_first() else {
        return;
    };
    let Ok(length) = u16::try_from(wire.len()) else {
        return;
    };
    let rtype = RecordType::ALL[usize::from(selector) % RecordType::ALL.len()];
    let mut decoder = BinDecoder::new(wire);
    let Ok(rdata) = RData::read(&mut decoder, rtype.to_hickory(), Restrict::new(length)) else {
        return;
    };
    let text = from_hickory_rdata(&rdata);
    let mut emitted = Vec::new();
    let mut encoder = BinEncoder::new(&mut emitted);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    if rdata.emit(&mut encoder).is_err() {
        return;
    }
    if text.starts_with("\\#") {
        return;
    }
    if let Ok(again) = rdata_to_wire(rtype, &text) {
        assert_eq!(again, emitted, "{rtype} {text}");
    }
});
