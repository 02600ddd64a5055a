//! What mdns answers to each kind of request (spec/services.md §4.3, §4.6,
//! and spec/transcripts/dns.md).

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};

use super::*;
use crate::handler::Outcome;
use crate::response::Transport::{Tcp, Udp};

fn golden_handler() -> Handler<MemorySource> {
    handler(source(vec![golden()]))
}

fn assert_refused(m: &Message) {
    assert_eq!(m.response_code, ResponseCode::Refused);
    assert!(!m.authoritative, "REFUSED is not authoritative");
    assert!(m.answers.is_empty());
}

#[tokio::test]
async fn soa_of_a_zone_is_answered_over_udp_and_tcp() {
    let h = golden_handler();
    let req = request("golden-dns.test.", RecordType::SOA);
    for transport in [Udp, Tcp] {
        let m = ask(&h, &req, transport).await;
        assert_eq!(m.id, 0x1234);
        assert_eq!(m.message_type, MessageType::Response);
        assert_eq!(m.response_code, ResponseCode::NoError);
        assert!(m.authoritative && m.recursion_desired && !m.recursion_available);
        assert_eq!(m.queries, req.queries);
        assert_eq!(m.answers.len(), 1);
        let soa = &m.answers[0];
        assert_eq!(soa.ttl, 3600, "the zone TTL");
        let RData::SOA(data) = &soa.data else {
            panic!("not an SOA: {soa}")
        };
        assert_eq!(data.serial, 1795299297);
        assert!(m.edns.is_some(), "EDNS request, EDNS answer");
    }
}

#[tokio::test]
async fn an_rrset_is_answered_with_its_own_ttl() {
    let m = ask(
        &golden_handler(),
        &request("www.golden-dns.test.", RecordType::A),
        Udp,
    )
    .await;
    assert_eq!(m.response_code, ResponseCode::NoError);
    let mut data: Vec<String> = m.answers.iter().map(|r| r.data.to_string()).collect();
    data.sort();
    assert_eq!(data, ["192.0.2.10", "192.0.2.11"]);
    assert!(m.answers.iter().all(|r| r.ttl == 300));
}

#[tokio::test]
async fn the_qname_case_is_kept_in_the_answer() {
    let m = ask(
        &golden_handler(),
        &request("GOLDEN-DNS.TEST.", RecordType::SOA),
        Udp,
    )
    .await;
    assert_eq!(m.response_code, ResponseCode::NoError);
    assert_eq!(m.answers[0].name.to_ascii(), "GOLDEN-DNS.TEST.");
}

#[tokio::test]
async fn what_is_not_stored_is_refused() {
    let h = golden_handler();
    let cases = [
        ("golden-dns.test.", RecordType::A), // no apex A recordset
        ("nonexistent.golden-dns.test.", RecordType::SOA), // below the zone
        ("x.wild.golden-dns.test.", RecordType::A), // no wildcard expansion
        ("golden-unknown.test.", RecordType::SOA), // no such zone
        ("golden-dns.test.", RecordType::ANY),
        (".", RecordType::SOA),
    ];
    for (name, rtype) in cases {
        let m = ask(&h, &request(name, rtype), Udp).await;
        assert_refused(&m);
        assert_eq!(m.queries[0].name().to_ascii(), name, "question echoed");
    }
}

#[tokio::test]
async fn zones_of_other_pools_are_refused() {
    let mut other = golden();
    other.pool_id = OTHER_POOL;
    let h = handler(source(vec![other]));
    assert_refused(&ask(&h, &request("golden-dns.test.", RecordType::SOA), Udp).await);
    assert_refused(&ask(&h, &request("golden-dns.test.", RecordType::AXFR), Tcp).await);
}

#[tokio::test]
async fn the_closest_zone_holds_the_name() {
    let child = zone(
        "sub.golden-dns.test.",
        POOL,
        vec![record("www.sub.golden-dns.test.", "A", None, "192.0.2.77")],
    );
    let h = handler(source(vec![golden(), child]));
    let m = ask(&h, &request("www.sub.golden-dns.test.", RecordType::A), Udp).await;
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.answers[0].data.to_string(), "192.0.2.77");
}

#[tokio::test]
async fn malformed_questions_are_refused() {
    let h = golden_handler();
    let mut two = request("golden-dns.test.", RecordType::SOA);
    two.add_query(Query::query(
        Name::from_ascii("golden-dns.test.").unwrap(),
        RecordType::NS,
    ));
    assert_refused(&ask(&h, &two, Udp).await);

    let mut none = request("golden-dns.test.", RecordType::SOA);
    none.queries.clear();
    assert_refused(&ask(&h, &none, Udp).await);

    let mut chaos = request("golden-dns.test.", RecordType::SOA);
    chaos.queries[0].set_query_class(DNSClass::CH);
    assert_refused(&ask(&h, &chaos, Udp).await);
}

#[tokio::test]
async fn other_opcodes_are_refused_and_notify_is_not_authoritative() {
    let h = golden_handler();
    for op in [OpCode::Update, OpCode::Status, OpCode::Unknown(1)] {
        let mut req = request("golden-dns.test.", RecordType::SOA);
        req.metadata.op_code = op;
        let m = ask(&h, &req, Udp).await;
        assert_refused(&m);
        assert_eq!(m.op_code, op);
    }
    let mut notify = request("golden-dns.test.", RecordType::SOA);
    notify.metadata.op_code = OpCode::Notify;
    assert_eq!(
        ask(&h, &notify, Udp).await.response_code,
        ResponseCode::NotAuth
    );
    notify.queries.clear();
    assert_eq!(
        ask(&h, &notify, Udp).await.response_code,
        ResponseCode::FormErr
    );
}

#[tokio::test]
async fn unparsable_packets_and_responses_get_no_answer() {
    let h = golden_handler();
    let valid = request("golden-dns.test.", RecordType::SOA)
        .to_vec()
        .unwrap();
    for packet in [
        &b""[..],
        &b"\x12"[..],
        &valid[..valid.len() - 5],
        &[0xff; 40][..],
    ] {
        assert!(
            matches!(h.handle(packet, Udp).await, Outcome::Silent),
            "{packet:?}"
        );
        assert!(
            matches!(h.handle(packet, Tcp).await, Outcome::Silent),
            "{packet:?}"
        );
    }
    let mut response = request("golden-dns.test.", RecordType::SOA);
    response.metadata.message_type = MessageType::Response;
    assert!(matches!(
        h.handle(&response.to_vec().unwrap(), Udp).await,
        Outcome::Silent
    ));
}

#[tokio::test]
async fn a_database_failure_is_servfail() {
    let mut s = source(vec![golden()]);
    s.broken = true;
    let h = handler(s);
    for rtype in [RecordType::SOA, RecordType::AXFR] {
        let m = ask(&h, &request("golden-dns.test.", rtype), Tcp).await;
        assert_eq!(m.response_code, ResponseCode::ServFail);
    }
}

#[tokio::test]
async fn enforced_tsig_refuses_unsigned_requests() {
    let h = Handler::new(
        std::sync::Arc::new(source(vec![golden()])),
        Policy {
            default_pool_id: POOL,
            enforce_tsig: true,
        },
    );
    assert_refused(&ask(&h, &request("golden-dns.test.", RecordType::SOA), Udp).await);
}

#[tokio::test]
async fn records_that_do_not_convert_are_left_out() {
    let mut z = golden();
    z.records.push(record(
        "www.golden-dns.test.",
        "A",
        Some(300),
        "not-an-address",
    ));
    let m = ask(
        &handler(source(vec![z])),
        &request("www.golden-dns.test.", RecordType::A),
        Udp,
    )
    .await;
    assert_eq!(m.response_code, ResponseCode::NoError);
    assert_eq!(m.answers.len(), 2);
}

#[tokio::test]
async fn transfers_over_udp() {
    let h = golden_handler();
    let axfr = ask(&h, &request("golden-dns.test.", RecordType::AXFR), Udp).await;
    assert_eq!(axfr.response_code, ResponseCode::FormErr);
    let ixfr = ask(&h, &request("golden-dns.test.", RecordType::IXFR), Udp).await;
    assert_eq!(ixfr.response_code, ResponseCode::NoError);
    assert!(ixfr.authoritative);
    assert_eq!(ixfr.answers.len(), 1);
    assert_eq!(ixfr.answers[0].record_type(), RecordType::SOA);
    assert_refused(&ask(&h, &request("golden-unknown.test.", RecordType::IXFR), Udp).await);
}

#[tokio::test]
async fn transfers_over_tcp_are_streamed_or_refused() {
    let h = golden_handler();
    for rtype in [RecordType::AXFR, RecordType::IXFR] {
        let bytes = request("golden-dns.test.", rtype).to_vec().unwrap();
        match h.handle(&bytes, Tcp).await {
            Outcome::Transfer(t) => assert_eq!(t.zone().name, "golden-dns.test."),
            other => panic!("expected a transfer, got {other:?}"),
        }
    }
    assert_refused(&ask(&h, &request("golden-unknown.test.", RecordType::AXFR), Tcp).await);
    let mut no_soa = golden();
    no_soa.records.retain(|r| r.rtype != "SOA");
    let m = ask(
        &handler(source(vec![no_soa])),
        &request("golden-dns.test.", RecordType::AXFR),
        Tcp,
    )
    .await;
    assert_eq!(m.response_code, ResponseCode::ServFail);
}

#[tokio::test]
async fn unknown_edns_versions_get_badvers() {
    let mut req = request("golden-dns.test.", RecordType::SOA);
    if let Some(edns) = req.edns.as_mut() {
        edns.set_version(1);
    }
    let m = ask(&golden_handler(), &req, Udp).await;
    // BADVERS and BADSIG share the value 16 (RFC 6891 §9, RFC 8945 §6.2).
    assert_eq!(u16::from(m.response_code), u16::from(ResponseCode::BADVERS));
    assert_eq!(m.edns.map(|e| e.version()), Some(0));
}
