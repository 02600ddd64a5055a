//! Sustained rate: zone + A recordset creates per second that the platform
//! keeps *served* — answered by BIND — within 1 s, not just accepted by the
//! API (issue "nothing accepted is ever stuck", deliverable 6).
//!
//! For each worker count (1, then 2; one central), and each offered rate R
//! (pairs of writes per second), an open-loop load for `BENCH_SECONDS`
//! (default 60): every 1/R s a new client task creates a zone, then an A
//! recordset in it, and asks BIND (raw UDP) every 10 ms until it answers the
//! zone's SOA and the record. Printed per rate: writes acknowledged per
//! second, the share of writes served within 1 s of their acknowledgement,
//! and p50/p99 of that delay. The sustained rate is the highest R whose p99
//! stays ≤ 1 s.
//!
//!     cargo build --release --workspace && target/release/delegate-sustained
//!     BENCH_SECONDS=20 BENCH_RATES=20,40 target/release/delegate-sustained

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use delegate_tests::burst::post;
use delegate_tests::dns::answers;
use delegate_tests::{Platform, PlatformOptions};
use serde_json::json;
use tokio::sync::Mutex;

/// Give up on a write not served after this long (counted as not served).
const GIVE_UP: Duration = Duration::from_secs(30);
const A: u16 = 1;
const SOA: u16 = 6;

#[tokio::main]
async fn main() -> Result<()> {
    let seconds: u64 = env_or("BENCH_SECONDS", "60").parse()?;
    let rates: Vec<u32> = env_or("BENCH_RATES", "10,20,40,60")
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    for workers in [1, 2] {
        let platform = Platform::start(PlatformOptions {
            extra_config: "[DEFAULT]\nquota_zones = 1000000\n".into(),
            workers,
            ..PlatformOptions::default()
        })?;
        println!(
            "delegate-sustained: {workers} worker(s), logs in {}",
            platform.dir.display()
        );
        let mut sustained = None;
        for &rate in &rates {
            let run = offer(&platform, rate, Duration::from_secs(seconds)).await?;
            run.print(rate);
            if run.p99() <= Duration::from_secs(1) && run.unserved == 0 {
                sustained = Some(rate);
            }
        }
        match sustained {
            Some(r) => println!(
                "  sustained with {workers} worker(s): {r} zone+record pairs/s ({} writes/s) served within 1 s (p99)",
                r * 2
            ),
            None => println!("  sustained with {workers} worker(s): below the lowest rate offered"),
        }
    }
    Ok(())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[derive(Default)]
struct Run {
    /// Acknowledgement → served, per write.
    served: Vec<Duration>,
    unserved: usize,
    refused: usize,
    elapsed: Duration,
}

impl Run {
    fn p99(&self) -> Duration {
        pick(&self.served, 0.99)
    }

    fn print(&self, rate: u32) {
        let within = self
            .served
            .iter()
            .filter(|d| **d <= Duration::from_secs(1))
            .count();
        let total = self.served.len() + self.unserved;
        println!(
            "  offered {rate:4}/s: {:6.1} writes/s acked, {:5.1} % served within 1 s, p50 {:6.0} ms, p99 {:6.0} ms, {} unserved, {} refused",
            total as f64 / self.elapsed.as_secs_f64(),
            100.0 * within as f64 / total.max(1) as f64,
            pick(&self.served, 0.5).as_secs_f64() * 1e3,
            self.p99().as_secs_f64() * 1e3,
            self.unserved,
            self.refused,
        );
    }
}

fn pick(samples: &[Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::MAX;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// Offers `rate` pairs per second for `length`; waits for every write.
async fn offer(p: &Platform, rate: u32, length: Duration) -> Result<Run> {
    let http = reqwest::Client::new();
    let run = Arc::new(Mutex::new(Run::default()));
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    let mut tasks = Vec::new();
    let mut n = 0u32;
    while started.elapsed() < length {
        tick.tick().await;
        n += 1;
        let zone = format!("r{rate}-{n}-{}.sustained.test.", p.id);
        let (http, api, port, run) = (http.clone(), p.api_url.clone(), p.bind_port, run.clone());
        tasks.push(tokio::spawn(async move {
            let outcome = pair(&http, &api, port, &zone).await;
            let mut run = run.lock().await;
            match outcome {
                Ok(delays) => {
                    for d in delays {
                        match d {
                            Some(d) => run.served.push(d),
                            None => run.unserved += 1,
                        }
                    }
                }
                Err(_) => run.refused += 1,
            }
        }));
    }
    let offered_for = started.elapsed();
    for t in tasks {
        t.await?;
    }
    let mut run = Arc::try_unwrap(run)
        .map_err(|_| anyhow::anyhow!("tasks still running"))?
        .into_inner();
    run.elapsed = offered_for;
    Ok(run)
}

/// Creates a zone and a recordset; the delay from each acknowledgement to
/// BIND answering it (None: not within [`GIVE_UP`]).
async fn pair(
    http: &reqwest::Client,
    api: &str,
    port: u16,
    zone: &str,
) -> Result<[Option<Duration>; 2]> {
    let created = post(
        http,
        &format!("{api}/v2/zones"),
        json!({"name": zone, "email": "b@delegate.test"}),
    )
    .await?;
    let zone_acked = Instant::now();
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let www = format!("www.{zone}");
    post(
        http,
        &format!("{api}/v2/zones/{id}/recordsets"),
        json!({"name": www, "type": "A", "records": ["192.0.2.1"]}),
    )
    .await?;
    let record_acked = Instant::now();
    let zone_served = served(port, zone, SOA, zone_acked).await;
    let record_served = served(port, &www, A, record_acked).await;
    Ok([zone_served, record_served])
}

async fn served(port: u16, name: &str, qtype: u16, since: Instant) -> Option<Duration> {
    while since.elapsed() < GIVE_UP {
        if answers(port, name, qtype, Duration::from_millis(500)).await {
            return Some(since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}
