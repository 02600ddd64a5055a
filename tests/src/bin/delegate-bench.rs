//! Throughput and latency of the whole platform, printed as figures:
//!
//! - zone creates per second through the API, one client and 8 concurrent;
//! - create → ACTIVE and create → answered by BIND, p50 and p99 over 50 zones.
//!
//! Starts its own platform (as the end-to-end tests do) from the binaries next
//! to this one: `cargo build --release && target/release/delegate-bench`.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use delegate_tests::dns::{dig_short, wait_until};
use delegate_tests::{Platform, PlatformOptions};
use serde_json::{Value, json};

const SEQUENTIAL: usize = 200;
const CONCURRENT_CLIENTS: usize = 8;
const CONCURRENT_PER_CLIENT: usize = 50;
const LATENCY_ZONES: usize = 50;

#[tokio::main]
async fn main() -> Result<()> {
    let platform = Platform::start(PlatformOptions {
        extra_config: "[DEFAULT]\nquota_zones = 1000000\n".into(),
    })?;
    let http = reqwest::Client::new();
    println!(
        "delegate-bench: platform {} (logs in {})",
        platform.id,
        platform.dir.display()
    );

    let rate = creates(&http, &platform.api_url, 1, SEQUENTIAL, "seq").await?;
    println!("zone creates/s, 1 client:   {rate:8.1}  ({SEQUENTIAL} zones)");
    let total = CONCURRENT_CLIENTS * CONCURRENT_PER_CLIENT;
    let rate = creates(
        &http,
        &platform.api_url,
        CONCURRENT_CLIENTS,
        CONCURRENT_PER_CLIENT,
        "par",
    )
    .await?;
    println!("zone creates/s, {CONCURRENT_CLIENTS} clients:  {rate:8.1}  ({total} zones)");

    let (mut active, mut answered) = (Vec::new(), Vec::new());
    for i in 0..LATENCY_ZONES {
        let (a, b) = latency(&http, &platform, i).await?;
        active.push(a);
        answered.push(b);
    }
    report("create -> ACTIVE", &mut active);
    report("create -> answered by BIND", &mut answered);
    Ok(())
}

/// Creates `per_client` zones from each of `clients` concurrent clients; zones/s.
async fn creates(
    http: &reqwest::Client,
    api: &str,
    clients: usize,
    per_client: usize,
    tag: &str,
) -> Result<f64> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, api, tag) = (http.clone(), api.to_owned(), tag.to_owned());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_client {
                create_zone(&http, &api, &format!("{tag}{c}-{i}.bench.test.")).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok((clients * per_client) as f64 / start.elapsed().as_secs_f64())
}

async fn create_zone(http: &reqwest::Client, api: &str, name: &str) -> Result<String> {
    let resp = http
        .post(format!("{api}/v2/zones"))
        .json(&json!({"name": name, "email": "bench@delegate.test"}))
        .send()
        .await?;
    if resp.status() != reqwest::StatusCode::ACCEPTED {
        bail!(
            "create {name}: {} {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    let body: Value = resp.json().await?;
    body["id"]
        .as_str()
        .map(str::to_owned)
        .context("no id in the create answer")
}

/// Time from the create request to ACTIVE in the API, and to BIND answering SOA.
async fn latency(http: &reqwest::Client, p: &Platform, i: usize) -> Result<(Duration, Duration)> {
    let name = format!("lat{i}.bench.test.");
    let start = Instant::now();
    let id = create_zone(http, &p.api_url, &name).await?;
    let url = format!("{}/v2/zones/{id}", p.api_url);
    let (port, dig_name) = (p.bind_port, name.clone());
    let bind = tokio::task::spawn_blocking(move || {
        wait_until(Duration::from_secs(30), || {
            dig_short(port, &dig_name, "SOA")
                .map(|a| !a.is_empty())
                .unwrap_or(false)
        })
        .map(|_| start.elapsed())
    });
    let active = loop {
        let zone: Value = http.get(&url).send().await?.json().await?;
        if zone["status"] == "ACTIVE" {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("{name} not ACTIVE after 30 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let answered = bind.await?.context("BIND never answered")?;
    Ok((active, answered))
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{what:28} p50 {:7.1} ms   p99 {:7.1} ms   (n={})",
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}
