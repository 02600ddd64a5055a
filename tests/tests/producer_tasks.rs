//! The producer's tasks on a whole platform (spec/services.md §6.2, §9): a
//! silent service is marked DOWN, STOPPED rows and long-DOWN rows are
//! deleted, live services stay UP; a zone deleted long ago is purged; a zone
//! flagged `increment_serial` gets a new serial that reaches BIND; the
//! `exists` notifications are published.

use std::time::Duration;

use anyhow::{Result, ensure};
use delegate_tests::dns::{dig_short, wait_until};
use delegate_tests::{Platform, PlatformOptions};

#[test]
fn the_producer_ages_statuses_and_purges_zones() -> Result<()> {
    // A short RPC timeout: the producer's first calls may go out before
    // central declared its queue, and are lost (they time out).
    let extra = "[DEFAULT]\nrpc_response_timeout = 3\n\
                 [producer_task:periodic_check_service_status]\ninterval = 1\ntime_threshold = 600\n\
                 [producer_task:periodic_cleanup_stopped_service_status]\ninterval = 1\n\
                 time_threshold = 7200\n[producer_task:zone_purge]\ninterval = 1\n\
                 [producer_task:increment_serial]\ninterval = 1\n\
                 [producer_task:periodic_exists]\ninterval = 1\nper_page = 1\n\
                 [oslo_messaging_notifications]\ndriver = messagingv2\n";
    let p = Platform::start(PlatformOptions {
        extra_config: extra.into(),
        ..PlatformOptions::default()
    })?;
    let row = |host: &str, status: &str, age_s: u32| {
        format!(
            "INSERT INTO service_statuses (id, created_at, service_name, hostname, heartbeated_at, \
             status, stats, capabilities) VALUES (REPLACE(UUID(), '-', ''), NOW(), 'worker', '{host}', \
             UTC_TIMESTAMP() - INTERVAL {age_s} SECOND, '{status}', '{{}}', '{{}}');"
        )
    };
    p.sql(
        &[
            row("silent", "UP", 3600),
            row("quitter", "STOPPED", 10),
            row("long-dead", "DOWN", 3 * 3600),
            row("just-down", "DOWN", 60),
        ]
        .concat(),
    )?;
    let statuses = || {
        p.sql("SELECT hostname, status FROM service_statuses WHERE service_name = 'worker' ORDER BY hostname")
            .unwrap_or_default()
    };
    let aged = wait_until(Duration::from_secs(45), || {
        let s = statuses();
        s.contains("silent\tDOWN") && !s.contains("quitter") && !s.contains("long-dead")
    });
    ensure!(
        aged.is_some(),
        "statuses not aged:\n{}\nproducer log:\n{}",
        statuses(),
        p.log_tail("producer", 20)
    );
    let s = statuses();
    ensure!(
        s.contains("just-down\tDOWN"),
        "a recent DOWN row stays: {s}"
    );
    let live = p.sql("SELECT DISTINCT status FROM service_statuses WHERE hostname LIKE 'e2e-%'")?;
    ensure!(live.trim() == "UP", "live services stay UP: {live}");

    // zone_purge: zones deleted more than time_threshold (7 days) ago go.
    let create = |name: &str| -> Result<()> {
        let runtime = tokio::runtime::Runtime::new()?;
        let status = runtime.block_on(async {
            reqwest::Client::new()
                .post(format!("{}/v2/zones", p.api_url))
                .json(&serde_json::json!({"name": name, "email": "hostmaster@delegate.test"}))
                .send()
                .await
                .map(|r| r.status())
        })?;
        ensure!(status.as_u16() == 202, "zone create: {status}");
        Ok(())
    };
    create("bump.test.")?;
    create("purge-old.test.")?;
    create("purge-new.test.")?;
    let soft_delete = |name: &str, days: u32| {
        p.sql(&format!(
            "UPDATE zones SET deleted = id, status = 'DELETED', action = 'NONE', \
             deleted_at = UTC_TIMESTAMP() - INTERVAL {days} DAY WHERE name = '{name}'"
        ))
    };
    soft_delete("purge-old.test.", 8)?;
    soft_delete("purge-new.test.", 1)?;
    let zones = || {
        p.sql("SELECT name FROM zones WHERE name LIKE 'purge-%' ORDER BY name")
            .unwrap_or_default()
    };
    let purged = wait_until(Duration::from_secs(30), || !zones().contains("purge-old"));
    ensure!(purged.is_some(), "not purged: {}", zones());
    ensure!(
        zones().contains("purge-new"),
        "a recent deletion stays: {}",
        zones()
    );

    // increment_serial: a flagged zone gets a new serial, pushed to BIND.
    let zone = |column: &str| {
        p.sql(&format!(
            "SELECT {column} FROM zones WHERE name = 'bump.test.'"
        ))
        .unwrap_or_default()
        .trim()
        .to_owned()
    };
    let active = wait_until(Duration::from_secs(20), || zone("status") == "ACTIVE");
    ensure!(
        active.is_some(),
        "bump.test. not ACTIVE: {}",
        zone("status")
    );
    let before: i64 = zone("serial").parse()?;
    p.sql("UPDATE zones SET increment_serial = 1 WHERE name = 'bump.test.'")?;
    let bumped = wait_until(Duration::from_secs(20), || {
        zone("increment_serial") == "0" && zone("serial").parse::<i64>().is_ok_and(|s| s > before)
    });
    ensure!(
        bumped.is_some(),
        "serial not incremented: {} {}",
        zone("serial"),
        zone("increment_serial")
    );
    let serial = zone("serial");
    let soa = || dig_short(p.bind_port, "bump.test.", "SOA").unwrap_or_default();
    let served = wait_until(Duration::from_secs(20), || {
        soa()
            .first()
            .is_some_and(|s| s.contains(&format!(" {serial} ")))
    });
    ensure!(
        served.is_some(),
        "BIND does not serve serial {serial}: {:?}",
        soa()
    );

    // periodic_exists: dns.domain.exists + dns.zone.exists for each live
    // zone, on notifications.info (central emits nothing there).
    let queued = || -> u64 {
        let out = std::process::Command::new("rabbitmqctl")
            .args(["-q", "list_queues", "-p", &p.vhost, "name", "messages"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        out.lines()
            .filter_map(|l| l.strip_prefix("notifications.info"))
            .filter_map(|n| n.trim().parse().ok())
            .next()
            .unwrap_or(0)
    };
    let notified = wait_until(Duration::from_secs(10), || queued() >= 2);
    ensure!(notified.is_some(), "no exists notifications: {}", queued());
    // per_page = 1: the run pages on past the zone with a marker.
    let log = std::fs::read_to_string(p.dir.join("producer.log"))?;
    let paged = log
        .lines()
        .any(|l| l.contains("task run") && l.contains("periodic_exists") && l.contains("success"));
    ensure!(
        paged,
        "no successful periodic_exists run:\n{}",
        p.log_tail("producer", 10)
    );
    Ok(())
}
