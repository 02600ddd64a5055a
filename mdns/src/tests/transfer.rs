//! Zone transfers as written on the TCP stream (spec/services.md §4.4).

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Record, RecordType};

use super::*;
use crate::axfr::{self, TransferError, TransferStats};

/// Runs the transfer of `zone` and splits what was written into messages.
async fn transfer(
    h: &Handler<MemorySource>,
    zone: &str,
    max_size: u16,
) -> Result<(Vec<Message>, TransferStats), TransferError> {
    let bytes = request(zone, RecordType::AXFR).to_vec().unwrap();
    let Outcome::Transfer(t) = h.handle(&bytes, Transport::Tcp).await else {
        panic!("no transfer")
    };
    let mut wire = Vec::new();
    let stats = axfr::send(&t, h.source(), &mut wire, max_size).await?;
    Ok((split(&wire, max_size), stats))
}

fn split(mut wire: &[u8], max_size: u16) -> Vec<Message> {
    let mut messages = Vec::new();
    while !wire.is_empty() {
        let len = usize::from(u16::from_be_bytes([wire[0], wire[1]]));
        assert!(
            len <= usize::from(max_size),
            "message of {len} bytes over the {max_size} limit"
        );
        messages.push(Message::from_vec(&wire[2..2 + len]).unwrap());
        wire = &wire[2 + len..];
    }
    messages
}

fn answers(messages: &[Message]) -> Vec<&Record> {
    messages.iter().flat_map(|m| &m.answers).collect()
}

fn many_records(n: usize) -> MemoryZone {
    let mut z = golden();
    for i in 0..n {
        let name = format!("host-{i:05}.golden-dns.test.");
        z.records.push(record(
            &name,
            "A",
            None,
            &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
        ));
    }
    z
}

#[tokio::test]
async fn a_small_zone_is_one_message_between_two_soas() {
    let h = handler(source(vec![golden()]));
    let (messages, stats) = transfer(&h, "golden-dns.test.", 65535).await.unwrap();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        (m.id, m.response_code, m.authoritative),
        (0x1234, ResponseCode::NoError, true)
    );
    assert_eq!(m.queries[0].name().to_ascii(), "golden-dns.test.");
    assert!(m.edns.is_some());
    let records = answers(&messages);
    assert_eq!(records.len(), 15, "SOA, 13 records, SOA");
    assert_eq!(records[0].record_type(), RecordType::SOA);
    assert_eq!(records[14], records[0]);
    assert_eq!(
        records
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
            .count(),
        2
    );
    let www: Vec<u32> = records
        .iter()
        .filter(|r| r.name.to_ascii() == "www.golden-dns.test.")
        .map(|r| r.ttl)
        .collect();
    assert_eq!(www, [300, 300, 3600], "recordset TTL, else the zone's");
    assert_eq!(
        stats,
        TransferStats {
            messages: 1,
            records: 15,
            skipped: 0
        }
    );
}

#[tokio::test]
async fn a_large_zone_spans_messages_each_with_the_question() {
    let h = handler(source(vec![many_records(5000)]));
    for max_size in [512u16, 4096, 65535] {
        let (messages, stats) = transfer(&h, "golden-dns.test.", max_size).await.unwrap();
        let records = answers(&messages);
        assert_eq!(records.len(), 5015, "max {max_size}");
        assert_eq!(stats.records, 5015);
        assert_eq!(stats.messages, messages.len());
        assert!(
            messages.len() > 1 || max_size == 65535,
            "max {max_size}: {} messages",
            messages.len()
        );
        assert!(
            messages
                .iter()
                .all(|m| m.queries.len() == 1 && m.authoritative && !m.answers.is_empty())
        );
        assert!(
            messages[1..].iter().all(|m| m.edns.is_none()),
            "OPT in the first message only"
        );
        assert_eq!(records[0].record_type(), RecordType::SOA);
        assert_eq!(records[5014].record_type(), RecordType::SOA);
        // In order: the generated hosts come after the golden records.
        assert_eq!(records[14].name.to_ascii(), "host-00000.golden-dns.test.");
        assert_eq!(records[5013].name.to_ascii(), "host-04999.golden-dns.test.");
    }
    // 5,000 A records need only a few full-size messages.
    let (messages, _) = transfer(&h, "golden-dns.test.", 65535).await.unwrap();
    assert_eq!(messages.len(), 3);
}

#[tokio::test]
async fn bad_records_are_skipped_and_the_transfer_goes_on() {
    let mut z = golden();
    z.records
        .push(record("bad.golden-dns.test.", "A", None, "999.0.0.1"));
    z.records.push(record(
        "bad-ttl.golden-dns.test.",
        "A",
        Some(-5),
        "192.0.2.1",
    ));
    z.records
        .push(record("bad name..golden-dns.test.", "A", None, "192.0.2.1"));
    z.records
        .push(record("odd.golden-dns.test.", "BOGUS", None, "x"));
    // A TXT record larger than a 512-byte message.
    let big = format!("\"{}\" \"{}\"", "x".repeat(250), "y".repeat(250));
    z.records
        .push(record("big.golden-dns.test.", "TXT", None, &big));
    z.records
        .push(record("last.golden-dns.test.", "A", None, "192.0.2.200"));
    let h = handler(source(vec![z]));
    let (messages, stats) = transfer(&h, "golden-dns.test.", 512).await.unwrap();
    let records = answers(&messages);
    assert_eq!(stats.skipped, 5);
    assert_eq!(records.len(), 16);
    assert_eq!(records[14].name.to_ascii(), "last.golden-dns.test.");
    // The big record fits a full-size message.
    let (messages, stats) = transfer(&h, "golden-dns.test.", 65535).await.unwrap();
    assert_eq!((stats.skipped, answers(&messages).len()), (4, 17));
}

#[tokio::test]
async fn a_failing_database_aborts_the_transfer() {
    let h = handler(source(vec![many_records(10)]));
    let bytes = request("golden-dns.test.", RecordType::AXFR)
        .to_vec()
        .unwrap();
    let Outcome::Transfer(t) = h.handle(&bytes, Transport::Tcp).await else {
        panic!("no transfer")
    };
    let mut broken = source(vec![many_records(10)]);
    broken.zones[0].zone = t.zone().clone();
    broken.broken = true;
    let mut wire = Vec::new();
    let result = axfr::send(&t, &broken, &mut wire, 65535).await;
    assert!(
        matches!(result, Err(TransferError::Source(_))),
        "{result:?}"
    );
}
