//! AXFR throughput against the real MariaDB: a zone of 100,000 A records
//! (`AXFR_BENCH_RECORDS` to change), transferred with `dig` (what a user
//! measures) and with a bare TCP reader that only counts records (what mdns
//! itself delivers). Prints records/s; asserts nothing.
//!
//! `cargo bench -p delegate-mdns --bench axfr`

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{DEFAULT_POOL, Rows, answer_lines, dig, start};
use delegate_storage::testing::TestDatabase;
use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ZONE: &str = "bench.example.";
const ROUNDS: usize = 3;

#[tokio::main]
async fn main() {
    let records: usize = std::env::var("AXFR_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let db = TestDatabase::create().await.unwrap();
    let started = Instant::now();
    let rows = Rows {
        pool: db.storage().pool(),
    };
    let zone = rows.zone(ZONE, DEFAULT_POOL, false).await;
    rows.hosts(zone, ZONE, records / 2).await;
    // Two A records per name, plus NS and the SOA twice.
    let expected = records / 2 * 2 + 3;
    println!(
        "zone of {expected} transferred records written in {:.1?}",
        started.elapsed()
    );

    let (server, addr) = start(&db).await;
    for round in 1..=ROUNDS {
        let t = Instant::now();
        let out = dig(addr, &["+noall", "+answer", ZONE, "AXFR"]).await;
        let got = answer_lines(&out).len();
        report(&format!("dig  round {round}"), got, expected, t.elapsed());
    }
    for round in 1..=ROUNDS {
        let t = Instant::now();
        let (got, messages, bytes) = raw_axfr(addr, expected).await;
        report(&format!("raw  round {round}"), got, expected, t.elapsed());
        println!("     {messages} messages, {bytes} bytes");
    }
    server.shutdown().await;
}

fn report(label: &str, got: usize, expected: usize, elapsed: Duration) {
    let rate = got as f64 / elapsed.as_secs_f64();
    let note = if got == expected {
        String::new()
    } else {
        format!(" (expected {expected}!)")
    };
    println!("{label}: {got} records in {elapsed:.2?} = {rate:.0} records/s{note}");
}

/// Sends an AXFR and reads length-prefixed messages, summing their answer
/// counts, until `expected` records arrived. Returns (records, messages, bytes).
async fn raw_axfr(addr: SocketAddr, expected: usize) -> (usize, usize, usize) {
    let mut query = Message::query();
    query.add_query(Query::query(
        Name::from_ascii(ZONE).unwrap(),
        RecordType::AXFR,
    ));
    let bytes = query.to_vec().unwrap();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut frame = u16::try_from(bytes.len()).unwrap().to_be_bytes().to_vec();
    frame.extend_from_slice(&bytes);
    stream.write_all(&frame).await.unwrap();
    let (mut records, mut messages, mut total) = (0, 0, 0);
    let mut buf = vec![0u8; 65535];
    while records < expected {
        let len = usize::from(stream.read_u16().await.unwrap());
        stream.read_exact(&mut buf[..len]).await.unwrap();
        records += usize::from(u16::from_be_bytes([buf[6], buf[7]]));
        messages += 1;
        total += len + 2;
    }
    (records, messages, total)
}
