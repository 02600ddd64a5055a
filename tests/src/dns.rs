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
