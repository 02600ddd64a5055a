//! Throughput of the zone-file parser, the export renderer, the API grammar
//! and the stored-text → hickory conversion mdns uses, on a 100k-record
//! zone. Run with `cargo bench -p delegate-dns --bench zonefile`; prints
//! records per second (best of several runs).

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use delegate_dns::{
    RecordType, ZoneFileWriter, parse_zone_file, to_hickory_record, validate_rdata,
};

const RECORDS: usize = 100_000;
const RUNS: usize = 5;

/// A realistic mix of record types, stored-text form, absolute names.
fn record(i: usize) -> (String, Option<u32>, RecordType, String) {
    let name = format!("host{i}.example.test.");
    let (rtype, data) = match i % 10 {
        0..=3 => (
            RecordType::A,
            format!("192.0.{}.{}", (i / 256) % 256, i % 256),
        ),
        4 => (RecordType::AAAA, format!("2001:db8::{:x}", i % 65536)),
        5 => (
            RecordType::TXT,
            format!("\"v=spf1 include:_spf{i}.example.org -all\""),
        ),
        6 => (RecordType::MX, format!("10 mail{i}.example.org.")),
        7 => (RecordType::CNAME, format!("target{i}.example.org.")),
        8 => (RecordType::SRV, format!("10 60 5060 sip{i}.example.org.")),
        _ => (RecordType::CAA, "0 issue letsencrypt.org".to_owned()),
    };
    let ttl = i.is_multiple_of(3).then_some(300);
    (name, ttl, rtype, data)
}

fn zone_records() -> Vec<(String, Option<u32>, RecordType, String)> {
    let soa = (
        "example.test.".to_owned(),
        None,
        RecordType::SOA,
        "ns1.example.org. hostmaster.example.org. 1 3600 600 86400 3600".to_owned(),
    );
    std::iter::once(soa)
        .chain((1..RECORDS).map(record))
        .collect()
}

fn render(records: &[(String, Option<u32>, RecordType, String)], out: Vec<u8>) -> Vec<u8> {
    let mut writer = ZoneFileWriter::new(out, "example.test.", 3600).expect("header");
    for (name, ttl, rtype, data) in records {
        writer
            .write_record(name, *ttl, *rtype, data)
            .expect("write");
    }
    writer.finish().expect("finish")
}

/// Best wall time of `RUNS` runs of `f`.
fn best(mut f: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report(what: &str, count: usize, time: Duration) {
    let rate = count as f64 / time.as_secs_f64();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{what:<44} {count:>7} records in {time:>10.2?}  = {rate:>12.0} records/s"
    );
}

fn main() {
    let records = zone_records();
    let text = String::from_utf8(render(&records, Vec::new())).expect("utf-8");

    let time = best(|| {
        black_box(render(black_box(&records), Vec::with_capacity(text.len())));
    });
    report("render (ZoneFileWriter, in memory)", records.len(), time);

    let time = best(|| {
        let mut sink = std::io::BufWriter::new(std::io::sink());
        let mut writer = ZoneFileWriter::new(&mut sink, "example.test.", 3600).expect("header");
        for (name, ttl, rtype, data) in &records {
            writer
                .write_record(name, *ttl, *rtype, data)
                .expect("write");
        }
        black_box(writer.finish().expect("finish"));
    });
    report("render (ZoneFileWriter, streamed)", records.len(), time);

    let time = best(|| {
        let zone = parse_zone_file(black_box(&text)).expect("parse");
        assert_eq!(zone.records.len(), RECORDS);
    });
    report("parse + validate zone file (import)", RECORDS, time);

    let zone = parse_zone_file(&text).expect("parse");
    let time = best(|| {
        black_box(black_box(&zone).recordsets());
    });
    report(
        "group into recordsets (ParsedZone::recordsets)",
        RECORDS,
        time,
    );

    let time = best(|| {
        for (_, _, rtype, data) in &records[1..] {
            validate_rdata(*rtype, black_box(data)).expect("valid");
        }
    });
    report("API grammar (validate_rdata)", RECORDS - 1, time);

    let time = best(|| {
        for (name, ttl, rtype, data) in &records {
            black_box(to_hickory_record(name, ttl.unwrap_or(3600), *rtype, data).expect("wire"));
        }
    });
    report(
        "stored text -> hickory Record (mdns AXFR)",
        records.len(),
        time,
    );
}
