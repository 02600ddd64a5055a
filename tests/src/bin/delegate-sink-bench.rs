//! The sink's speed (issue 10, deliverable 6), with 1 and then 2 sink
//! instances on one queue (one central, one worker):
//!
//! 1. Throughput: `BENCH_NOTIFICATIONS` (default 2000) nova
//!    `compute.instance.create.end` notifications published at once (4
//!    publishers); notifications per second from the first publish until
//!    every record is committed in the database.
//! 2. Latency: an open-loop stream of `BENCH_RATE` notifications per second
//!    (default 50) for `BENCH_SECONDS` (default 20); for each, the time from
//!    its publish until BIND answers its name (raw UDP every 10 ms): p50,
//!    p99, max.
//!
//!     cargo build --release --workspace && target/release/delegate-sink-bench

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use delegate_tests::dns::answers;
use delegate_tests::notifier::{notifier, nova_create, publish, resource_id};
use delegate_tests::{Platform, PlatformOptions};
use serde_json::{Value, json};
use tokio::sync::Mutex;

const A: u16 = 1;
const PUBLISHERS: usize = 4;
/// A name not answered after this long counts as lost.
const GIVE_UP: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> Result<()> {
    let total: usize = env_or("BENCH_NOTIFICATIONS", "2000").parse()?;
    let rate: u32 = env_or("BENCH_RATE", "50").parse()?;
    let seconds: u64 = env_or("BENCH_SECONDS", "20").parse()?;
    for sinks in [1, 2] {
        let mut p = Platform::start(PlatformOptions {
            extra_config: "[DEFAULT]\nquota_zone_recordsets = 10000000\n".into(),
            ..PlatformOptions::default()
        })?;
        let zone = format!("bench-{}.test.", &p.id[..8]);
        let zone_id = create_zone(&p, &zone).await?;
        p.add_config(&format!(
            "[service:sink]\nenabled_notification_handlers = nova_fixed\n\
             [handler:nova_fixed]\nzone_id = {zone_id}\n"
        ))?;
        for _ in 0..sinks {
            p.start_instance("sink")?;
        }
        std::thread::sleep(Duration::from_secs(2));
        println!(
            "delegate-sink-bench: {sinks} sink(s), logs in {}",
            p.dir.display()
        );
        throughput(&p, total, sinks).await?;
        latency(&p, &zone, rate, Duration::from_secs(seconds), sinks).await?;
    }
    Ok(())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn throughput(p: &Platform, total: usize, sinks: usize) -> Result<()> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for publisher in 0..PUBLISHERS {
        let nova = notifier(p, "nova").await?;
        tasks.push(tokio::spawn(async move {
            for n in (publisher..total).step_by(PUBLISHERS) {
                let id = resource_id("e0000001", n);
                let payload = nova_create(&id, &format!("tp-{n}"), &[(ip(n), 4)]);
                publish(&nova, "compute.instance.create.end", payload).await?;
            }
            nova.close().await;
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let published = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let n: usize = p
            .sql("SELECT COUNT(*) FROM records WHERE managed_resource_id LIKE 'e0000001%'")?
            .trim()
            .parse()?;
        if n >= total {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {n} of {total} records after 10 min");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let committed = started.elapsed();
    println!(
        "  throughput, {sinks} sink(s): {total} notifications published in {:.1} s, all committed after {:.1} s: {:.0} notifications/s end to end",
        published.as_secs_f64(),
        committed.as_secs_f64(),
        total as f64 / committed.as_secs_f64()
    );
    Ok(())
}

async fn latency(
    p: &Platform,
    zone: &str,
    rate: u32,
    length: Duration,
    sinks: usize,
) -> Result<()> {
    let nova = notifier(p, "nova").await?;
    let delays = Arc::new(Mutex::new(Vec::new()));
    let lost = Arc::new(Mutex::new(0usize));
    let mut tasks = Vec::new();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut tick = tokio::time::interval(interval);
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed() < length {
        tick.tick().await;
        let id = resource_id("e0000002", n);
        let name = format!("lat-{n}.{zone}");
        let payload: Value = nova_create(&id, &format!("lat-{n}"), &[(ip(n + 1_000_000), 4)]);
        let sent = Instant::now();
        publish(&nova, "compute.instance.create.end", payload).await?;
        let (delays, lost, port) = (delays.clone(), lost.clone(), p.bind_port);
        tasks.push(tokio::spawn(async move {
            while sent.elapsed() < GIVE_UP {
                if answers(port, &name, A, Duration::from_millis(200)).await {
                    delays.lock().await.push(sent.elapsed());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            *lost.lock().await += 1;
        }));
        n += 1;
    }
    for t in tasks {
        t.await.context("poller")?;
    }
    nova.close().await;
    let mut d = delays.lock().await.clone();
    d.sort();
    let pct = |q: f64| {
        d.get(((d.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "  latency, {sinks} sink(s), {rate}/s for {:.0} s: {n} published, publish → BIND answers p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {} not answered within {GIVE_UP:?}",
        length.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(d.last().copied().unwrap_or_default()),
        lost.lock().await
    );
    Ok(())
}

/// A distinct address per instance.
fn ip(n: usize) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn create_zone(p: &Platform, zone: &str) -> Result<String> {
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{}/v2/zones", p.api_url))
        .json(&json!({"name": zone, "email": "hostmaster@bench.test"}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["id"].as_str().context("zone id")?.to_owned();
    for _ in 0..600 {
        let zone: Value = http
            .get(format!("{}/v2/zones/{id}", p.api_url))
            .send()
            .await?
            .json()
            .await?;
        if zone["status"] == "ACTIVE" {
            return Ok(id);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("zone {zone} not ACTIVE")
}
