//! Tests of the DNS logic against zones held in memory.

mod dispatch;
mod fuzz;
mod transfer;

use std::sync::Arc;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use uuid::Uuid;

use crate::handler::{Handler, Outcome, Policy};
use crate::response::Transport;
use crate::source::memory::{MemorySource, MemoryZone};
use crate::source::{ServedRecord, ServedZone};

use delegate_model::ZoneType;

pub const POOL: Uuid = Uuid::from_u128(0x794ccc2c_d751_44fe_b57f_8894c9f5c842);
pub const OTHER_POOL: Uuid = Uuid::from_u128(0x11111111_2222_3333_4444_555555555555);
pub const SOA_DATA: &str =
    "ns1.anchor.test. hostmaster.golden-dns.test. 1795299297 3592 600 86400 3600";

pub fn record(name: &str, rtype: &str, ttl: Option<i32>, data: &str) -> ServedRecord {
    ServedRecord {
        name: name.into(),
        rtype: rtype.into(),
        ttl,
        data: data.into(),
    }
}

pub fn zone(name: &str, pool_id: Uuid, records: Vec<ServedRecord>) -> MemoryZone {
    MemoryZone {
        zone: ServedZone {
            id: Uuid::new_v4(),
            name: name.into(),
            ttl: 3600,
            zone_type: ZoneType::Primary,
        },
        pool_id,
        records,
    }
}

/// The zone of spec/transcripts/dns.md.
pub fn golden() -> MemoryZone {
    let z = "golden-dns.test.";
    zone(
        z,
        POOL,
        vec![
            record(z, "SOA", None, SOA_DATA),
            record(z, "NS", None, "ns1.anchor.test."),
            record("www.golden-dns.test.", "A", Some(300), "192.0.2.10"),
            record("www.golden-dns.test.", "A", Some(300), "192.0.2.11"),
            record("www.golden-dns.test.", "AAAA", None, "2001:db8::10"),
            record(z, "MX", Some(600), "10 mail.golden-dns.test."),
            record(z, "MX", Some(600), "20 mx2.example.org."),
            record("mail.golden-dns.test.", "A", None, "192.0.2.25"),
            record(z, "TXT", None, "\"v=spf1 mx -all\""),
            record(
                "alias.golden-dns.test.",
                "CNAME",
                None,
                "www.golden-dns.test.",
            ),
            record(
                "_sip._tcp.golden-dns.test.",
                "SRV",
                None,
                "10 60 5060 sip.example.org.",
            ),
            record(z, "CAA", None, "0 issue letsencrypt.org"),
            record("sub.golden-dns.test.", "NS", None, "ns1.example.org."),
            record("*.wild.golden-dns.test.", "A", None, "192.0.2.99"),
        ],
    )
}

pub fn source(zones: Vec<MemoryZone>) -> MemorySource {
    MemorySource {
        zones,
        broken: false,
    }
}

pub fn handler(source: MemorySource) -> Handler<MemorySource> {
    Handler::new(
        Arc::new(source),
        Policy {
            default_pool_id: POOL,
            enforce_tsig: false,
        },
    )
}

/// A request as dig sends it: RD set, EDNS with a 1232-byte payload.
pub fn request(name: &str, rtype: RecordType) -> Message {
    let mut m = Message::new(0x1234, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    m.edns = Some(edns);
    m
}

/// The single reply to `request`.
pub async fn ask(
    handler: &Handler<MemorySource>,
    request: &Message,
    transport: Transport,
) -> Message {
    match handler.handle(&request.to_vec().unwrap(), transport).await {
        Outcome::Reply(bytes) => Message::from_vec(&bytes).unwrap(),
        other => panic!("expected a reply, got {other:?}"),
    }
}
