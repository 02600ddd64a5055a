//! Hostile packets never panic the handler (random bytes, and valid requests
//! with random bytes changed), over both transports, transfers included.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::axfr;

/// How many packets got each kind of outcome.
#[derive(Debug, Default)]
struct Tally {
    silent: usize,
    replies: usize,
    transfers: usize,
}

async fn handle_fully(h: &Handler<MemorySource>, packet: &[u8], tally: &mut Tally) {
    for transport in [Transport::Udp, Transport::Tcp] {
        match h.handle(packet, transport).await {
            Outcome::Silent => tally.silent += 1,
            Outcome::Reply(bytes) => {
                // Whatever mdns sends must itself be a well-formed message.
                Message::from_vec(&bytes).unwrap();
                tally.replies += 1;
            }
            Outcome::Transfer(t) => {
                let mut wire = Vec::new();
                axfr::send(&t, h.source(), &mut wire, 65535).await.unwrap();
                tally.transfers += 1;
            }
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (name, rtype) in [
        ("golden-dns.test.", RecordType::SOA),
        ("golden-dns.test.", RecordType::AXFR),
        ("golden-dns.test.", RecordType::IXFR),
        ("www.golden-dns.test.", RecordType::A),
    ] {
        seeds.push(request(name, rtype).to_vec().unwrap());
        let mut plain = request(name, rtype);
        plain.edns = None;
        seeds.push(plain.to_vec().unwrap());
    }
    seeds
}

#[tokio::test]
async fn random_bytes_never_panic() {
    let h = handler(source(vec![golden()]));
    let mut rng = StdRng::seed_from_u64(0x6d646e73);
    let mut tally = Tally::default();
    for _ in 0..20_000 {
        let len = rng.random_range(0..600);
        let mut packet = vec![0u8; len];
        rng.fill(&mut packet[..]);
        // Mostly queries, so that the parser gets past the header.
        if len > 2 && rng.random_bool(0.7) {
            packet[2] &= 0x7f;
        }
        handle_fully(&h, &packet, &mut tally).await;
    }
    assert!(tally.silent > 0, "{tally:?}");
}

#[tokio::test]
async fn mutated_requests_never_panic() {
    let h = handler(source(vec![golden()]));
    let mut rng = StdRng::seed_from_u64(0x61786672);
    let seeds = seeds();
    let mut tally = Tally::default();
    for _ in 0..20_000 {
        let mut packet = seeds[rng.random_range(0..seeds.len())].clone();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..packet.len());
            packet[at] = rng.random();
        }
        if rng.random_bool(0.2) {
            packet.truncate(rng.random_range(0..packet.len()));
        }
        handle_fully(&h, &packet, &mut tally).await;
    }
    // The mutations reach every path, not only the parser's errors.
    assert!(
        tally.silent > 1000 && tally.replies > 1000 && tally.transfers > 100,
        "{tally:?}"
    );
}
