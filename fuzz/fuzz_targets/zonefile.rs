//! Zone-file parser: never panics, and every accepted zone is stable —
//! each record's data is already canonical, and rendering the zone with
//! the exporter then importing it again gives the same records.
#![no_main]

use delegate_dns::{ZoneFileWriter, parse_zone_file, presentation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(zone) = parse_zone_file(text) else {
        return;
    };
    let grouped: usize = zone.recordsets().iter().map(|s| s.records.len()).sum();
    assert!(grouped <= zone.records.len());
    assert!(zone.soa().is_some(), "accepted zone without SOA");
    for record in &zone.records {
        let canonical = presentation(record.rtype, &record.data)
            .unwrap_or_else(|e| panic!("parsed data does not read back: {e}"));
        assert_eq!(canonical, record.data, "data not canonical");
    }
    let mut writer = ZoneFileWriter::new(Vec::new(), &zone.origin, 3600).expect("vec write");
    for r in &zone.records {
        writer
            .write_record(&r.name, Some(r.ttl), r.rtype, &r.data)
            .expect("vec write");
    }
    let rendered = String::from_utf8(writer.finish().expect("vec write")).expect("utf-8");
    let again =
        parse_zone_file(&rendered).unwrap_or_else(|e| panic!("re-import failed: {e}\n{rendered}"));
    assert_eq!(again.origin, zone.origin);
    assert_eq!(again.records, zone.records);
});
