//! A zone whose target refused it long enough to be reported ERROR becomes
//! ACTIVE on its own once the target answers again: the producer's
//! `worker_periodic_recovery` casts `recover_shard`, and the worker pushes
//! the zone again — no API call involved.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use delegate_tests::burst::post;
use delegate_tests::dns::dig_short;
use delegate_tests::{Platform, PlatformOptions};
use serde_json::json;

/// A short `max_prop_time` (2 × 1 s + 2 × 0.2 s + 0.1 s = 2.5 s), the
/// worker's own recovery timer off, and the producer's recovery every 2 s.
const CONFIG: &str = "[service:worker]\npoll_timeout = 1\npoll_max_retries = 2\n\
                      poll_retry_interval = 0.2\npoll_retry_max_interval = 0.2\n\
                      recovery_interval = 0\n\
                      [producer_task:worker_periodic_recovery]\ninterval = 2\n";

fn status(p: &Platform, zone: &str) -> Result<String> {
    let out = p.sql(&format!(
        "SELECT status FROM zones WHERE name = '{zone}' AND deleted = '0'"
    ))?;
    Ok(out.trim().to_owned())
}

fn wait_status(p: &Platform, zone: &str, want: &str, limit: Duration) -> Result<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if status(p, zone)? == want {
            return Ok(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "{zone} not {want} after {limit:?} (is {}); worker log:\n{}\nproducer log:\n{}",
        status(p, zone)?,
        p.log_tail("worker", 20),
        p.log_tail("producer", 20)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_zone_is_served_once_its_target_answers_again() -> Result<()> {
    let mut p = Platform::start(PlatformOptions {
        extra_config: CONFIG.into(),
        ..PlatformOptions::default()
    })?;
    p.stop_bind()?;
    let zone = format!("recover-{}.test.", &p.id);
    let http = reqwest::Client::new();
    post(
        &http,
        &format!("{}/v2/zones", p.api_url),
        json!({"name": zone, "email": "r@delegate.test"}),
    )
    .await
    .context("create the zone")?;

    // BIND is down: the change is retried until max_prop_time passes, then ERROR.
    let to_error = wait_status(&p, &zone, "ERROR", Duration::from_secs(30))?;
    println!(
        "ERROR {:.1} s after the create (max_prop_time 2.5 s)",
        to_error.as_secs_f64()
    );

    p.restart_bind()?;
    let to_active = wait_status(&p, &zone, "ACTIVE", Duration::from_secs(30))?;
    println!(
        "ACTIVE {:.1} s after BIND came back",
        to_active.as_secs_f64()
    );
    let soa = dig_short(p.bind_port, &zone, "SOA")?;
    ensure!(!soa.is_empty(), "BIND serves {zone}");
    let producer = std::fs::read_to_string(p.dir.join("producer.log"))?;
    ensure!(
        producer.contains("worker_periodic_recovery"),
        "the producer ran the recovery task"
    );
    Ok(())
}
