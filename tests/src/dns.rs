//! Checks with `dig`, the judge of what a nameserver really answers.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::process::run;

/// `dig +short @127.0.0.1 -p PORT NAME TYPE` — the answer lines, or the
/// status when the answer is empty (`status: REFUSED`, …).
pub fn dig_short(port: u16, name: &str, rtype: &str) -> Result<Vec<String>> {
    let out = dig(port, &["+short", "+time=1", "+tries=1"], name, rtype)?;
    Ok(out
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect())
}

/// The rcode BIND answers for `name`/`rtype` (`NOERROR`, `REFUSED`, …).
pub fn dig_status(port: u16, name: &str, rtype: &str) -> Result<String> {
    let out = dig(port, &["+time=1", "+tries=1"], name, rtype)?;
    Ok(out
        .lines()
        .find_map(|l| l.split("status: ").nth(1))
        .and_then(|s| s.split(',').next())
        .unwrap_or("NO ANSWER")
        .to_owned())
}

/// Number of records in an AXFR (`dig AXFR`), SOA counted twice as sent.
pub fn axfr_count(port: u16, zone: &str) -> Result<usize> {
    let out = dig(port, &["+noall", "+answer"], zone, "AXFR")?;
    Ok(out
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .count())
}

/// `dig OPTIONS -p PORT @127.0.0.1 NAME TYPE`: its output.
fn dig(port: u16, options: &[&str], name: &str, rtype: &str) -> Result<String> {
    let port = port.to_string();
    run(Command::new("dig")
        .args(options)
        .args(["-p", &port, "@127.0.0.1", name, rtype]))
}

/// Polls `check` every 20 ms until it returns true or `limit` passes; returns
/// the time it took.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Whether the server on 127.0.0.1:`port` answers `name` (type `qtype`, e.g.
/// 1 = A, 6 = SOA) with at least one answer record: one UDP query (RFC 1035
/// §4.1) built by hand, for benchmarks that ask thousands of times (a `dig`
/// process per question would measure `dig`). False on a timeout.
pub async fn answers(port: u16, name: &str, qtype: u16, timeout: Duration) -> bool {
    let id: u16 = rand_id();
    let mut query = Vec::with_capacity(64);
    query.extend_from_slice(&id.to_be_bytes());
    query.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]); // no RD; 1 question
    for label in name.trim_end_matches('.').split('.') {
        let Ok(len) = u8::try_from(label.len()) else {
            return false;
        };
        query.push(len);
        query.extend_from_slice(label.as_bytes());
    }
    query.push(0);
    query.extend_from_slice(&qtype.to_be_bytes());
    query.extend_from_slice(&1u16.to_be_bytes()); // IN
    let ask = async {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.ok()?;
        socket.send_to(&query, ("127.0.0.1", port)).await.ok()?;
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.recv(&mut buf).await.ok()?;
            if n >= 12 && buf[..2] == id.to_be_bytes() {
                let rcode = buf[3] & 0x0f;
                let ancount = u16::from_be_bytes([buf[6], buf[7]]);
                return Some(rcode == 0 && ancount > 0);
            }
        }
    };
    tokio::time::timeout(timeout, ask)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// A query id that differs between calls (no RNG crate needed).
fn rand_id() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (nanos as u16) ^ NEXT.fetch_add(7919, Ordering::Relaxed)
}
