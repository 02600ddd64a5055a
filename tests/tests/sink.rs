//! The sink end to end (issue 10): nova and neutron notifications published
//! on RabbitMQ as those services publish them give names BIND answers within
//! a second, and their delete events take the names away; unusable
//! notifications are dropped without stopping anything; two sinks on one
//! queue handle each notification once; a sink killed mid-stream loses none.
//!
//! One platform for the whole file (its phases run in order).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use delegate_tests::dns::answers;
use delegate_tests::notifier::{
    neutron_delete, neutron_update, notifier, nova_create, nova_delete, publish, resource_id,
};
use delegate_tests::{Platform, PlatformOptions};
use serde_json::{Value, json};

const A: u16 = 1;
const AAAA: u16 = 28;
/// The promise: served (or gone) within a second of the publish.
const WITHIN: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread")]
async fn nova_and_neutron_notifications_become_names_bind_answers() -> Result<()> {
    let mut p = Platform::start(PlatformOptions {
        extra_config: "[DEFAULT]\nquota_zone_recordsets = 100000\n".into(),
        ..PlatformOptions::default()
    })?;
    let zone = format!("cloud-{}.test.", &p.id[..8]);
    let zone_id = create_zone(&p, &zone).await?;
    p.add_config(&sink_config(&zone_id))?;
    let sinks = [p.start_instance("sink")?, p.start_instance("sink")?];
    wait_listening(&p, &sinks)?;
    let nova = notifier(&p, "nova").await?;
    let neutron = notifier(&p, "neutron").await?;

    // Create: IPv4 and IPv6 fixed IPs (two formats each), a floating IP.
    let vm = resource_id("a0000001", 1);
    let fip = resource_id("f0000001", 1);
    let published = Instant::now();
    publish(
        &nova,
        "compute.instance.create.end",
        nova_create(&vm, "web-1", &[("10.0.0.5", 4), ("2001:db8::5", 6)]),
    )
    .await?;
    publish(
        &neutron,
        "floatingip.update.end",
        neutron_update(&fip, "203.0.113.7", Some("10.0.0.5")),
    )
    .await?;
    let names = [
        (format!("web-1.{zone}"), A),
        (format!("10-0-0-5.{zone}"), A),
        (format!("web-1.{zone}"), AAAA),
        (format!("2001-db8--5.v6.{zone}"), AAAA),
        (format!("fip-203-0-113-7.{zone}"), A),
    ];
    for (name, qtype) in &names {
        let took = until(&p, published, || answers(p.bind_port, name, *qtype, WITHIN)).await?;
        println!(
            "{name} type {qtype} answered {:.0} ms after the publish",
            ms(took)
        );
        ensure!(took <= WITHIN, "{name} answered only after {took:?}");
    }

    // Delete events: nova's delete.start, neutron's disassociation and delete.
    let fip2 = resource_id("f0000001", 2);
    publish(
        &neutron,
        "floatingip.update.end",
        neutron_update(&fip2, "203.0.113.8", Some("10.0.0.6")),
    )
    .await?;
    let fip2_name = format!("fip-203-0-113-8.{zone}");
    until(&p, Instant::now(), || {
        answers(p.bind_port, &fip2_name, A, WITHIN)
    })
    .await?;
    let published = Instant::now();
    publish(
        &nova,
        "compute.instance.delete.start",
        nova_delete(&vm, "web-1"),
    )
    .await?;
    publish(&neutron, "floatingip.delete.start", neutron_delete(&fip)).await?;
    publish(
        &neutron,
        "floatingip.update.end",
        neutron_update(&fip2, "203.0.113.8", None),
    )
    .await?;
    for (name, qtype) in names.iter().chain([(fip2_name.clone(), A)].iter()) {
        let took = until(&p, published, || async {
            !answers(p.bind_port, name, *qtype, WITHIN).await
        })
        .await?;
        ensure!(
            took <= WITHIN,
            "{name} still answered {took:?} after the delete"
        );
    }
    ensure!(
        managed_records(&p, "")? == 0,
        "every managed record is gone"
    );
    let empty = p.sql(&format!(
        "SELECT COUNT(*) FROM recordsets WHERE type IN ('A','AAAA') AND zone_id = '{}'",
        zone_id.replace('-', "")
    ))?;
    ensure!(empty.trim() == "0", "empty recordsets are removed: {empty}");

    // Unusable notifications are logged and dropped; the listener goes on.
    let bad = resource_id("b0000001", 1);
    let mut no_hostname = nova_create(&bad, "x", &[("10.0.1.1", 4)]);
    no_hostname
        .as_object_mut()
        .context("payload")?
        .remove("hostname");
    publish(&nova, "compute.instance.create.end", no_hostname).await?;
    publish(
        &nova,
        "compute.instance.create.end",
        nova_create(&bad, "bad-ip", &[("10.0.1.1", 4), ("10.0.1.300", 4)]),
    )
    .await?;
    publish(
        &nova,
        "compute.instance.create.end",
        json!({"instance_id": bad}),
    )
    .await?;
    publish_raw(&p, "nova", b"{this is not json").await?;
    // A v1 (pre-envelope) message after them is still served.
    let v1 = resource_id("b0000001", 2);
    let body = json!({
        "message_id": "8b1c5f4e-2d3a-4b6c-9e8f-0a1b2c3d4e5f", "publisher_id": "compute.compute1",
        "event_type": "compute.instance.create.end", "priority": "INFO",
        "payload": nova_create(&v1, "legacy-1", &[("10.0.1.2", 4)]),
        "timestamp": "2026-12-02 06:00:00.000000", "_context_project_name": "demo",
    });
    publish_raw(&p, "nova", body.to_string().as_bytes()).await?;
    let legacy = format!("legacy-1.{zone}");
    until(&p, Instant::now(), || {
        answers(p.bind_port, &legacy, A, WITHIN)
    })
    .await?;
    ensure!(
        managed_records(&p, "b0000001-0000-4000-8000-000000000001")? == 0,
        "nothing half-written for unusable notifications"
    );
    ensure!(
        logs(&p, &sinks).contains("notification not usable; dropped"),
        "unusable notifications are logged"
    );

    // Two sinks on one queue: each notification handled once, both busy.
    const BATCH: usize = 60;
    for n in 0..BATCH {
        let id = resource_id("c0000001", n);
        publish(
            &nova,
            "compute.instance.create.end",
            nova_create(&id, &format!("batch-{n}"), &[(format!("10.0.2.{n}"), 4)]),
        )
        .await?;
    }
    wait_records(&p, "c0000001", BATCH * 2, Duration::from_secs(30))?;
    let (a, b) = (
        handled(&p, &sinks[0], "c0000001"),
        handled(&p, &sinks[1], "c0000001"),
    );
    ensure!(
        a + b == BATCH,
        "{a} + {b} notifications handled, {BATCH} sent"
    );
    ensure!(a > 0 && b > 0, "both sinks took work ({a}, {b})");

    // A sink killed mid-stream loses nothing: its unacknowledged
    // notifications go to the other one.
    const STREAM: usize = 150;
    for n in 0..STREAM {
        let id = resource_id("d0000001", n);
        publish(
            &nova,
            "compute.instance.create.end",
            nova_create(&id, &format!("stream-{n}"), &[(format!("10.0.3.{n}"), 4)]),
        )
        .await?;
        if n == STREAM / 3 {
            // Mid-stream: once the first sink is busy with this stream.
            let busy = Instant::now();
            while handled(&p, &sinks[0], "d0000001") < 3 && busy.elapsed() < Duration::from_secs(10)
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            p.kill_instance(&sinks[0])?;
        }
    }
    wait_records(&p, "d0000001", STREAM * 2, Duration::from_secs(30))?;
    let before_kill = handled(&p, &sinks[0], "d0000001");
    ensure!(
        before_kill >= 3,
        "the killed sink was working ({before_kill} handled)"
    );
    let last = format!("stream-{}.{zone}", STREAM - 1);
    until(&p, Instant::now(), || {
        answers(p.bind_port, &last, A, WITHIN)
    })
    .await?;
    nova.close().await;
    neutron.close().await;
    Ok(())
}

fn sink_config(zone_id: &str) -> String {
    format!(
        "[service:sink]\nenabled_notification_handlers = nova_fixed, neutron_floatingip\n\n\
         [handler:nova_fixed]\nzone_id = {zone_id}\n\
         formatv4 = %(hostname)s.%(zone)s\nformatv4 = %(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s\n\
         formatv6 = %(hostname)s.%(zone)s\nformatv6 = %(ip_address)s.v6.%(zone)s\n\n\
         [handler:neutron_floatingip]\nzone_id = {zone_id}\nformatv4 = fip-%(ip_address)s.%(zone)s\n"
    )
}

async fn create_zone(p: &Platform, zone: &str) -> Result<String> {
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{}/v2/zones", p.api_url))
        .json(&json!({"name": zone, "email": "hostmaster@cloud.test", "ttl": 300}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["id"].as_str().context("zone id")?.to_owned();
    let url = format!("{}/v2/zones/{id}", p.api_url);
    for _ in 0..300 {
        let zone: Value = http.get(&url).send().await?.json().await?;
        if zone["status"] == "ACTIVE" {
            return Ok(id);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "zone {zone} not ACTIVE; worker log:\n{}",
        p.log_tail("worker", 20)
    )
}

/// Waits until each sink logged that it listens.
fn wait_listening(p: &Platform, sinks: &[String]) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if sinks
            .iter()
            .all(|s| p.log_tail(s, 50).contains("listening for notifications"))
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("sinks not listening:\n{}", logs(p, sinks))
}

/// Polls `check` every 10 ms (up to 10 s); the time since `since` when it held.
async fn until<F, Fut>(p: &Platform, since: Instant, mut check: F) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    while since.elapsed() < Duration::from_secs(10) {
        if check().await {
            return Ok(since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!(
        "not reached within 10 s; sink logs:\n{}\ncentral:\n{}",
        logs(p, &["sink-2".into(), "sink-3".into()]),
        p.log_tail("central", 20)
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Managed records whose resource id starts with `prefix` (hyphenated).
fn managed_records(p: &Platform, prefix: &str) -> Result<usize> {
    let like = prefix.replace('-', "");
    let n = p.sql(&format!(
        "SELECT COUNT(*) FROM records WHERE managed = 1 AND managed_plugin_type = 'handler' \
         AND managed_resource_id LIKE '{like}%'"
    ))?;
    Ok(n.trim().parse()?)
}

fn wait_records(p: &Platform, prefix: &str, expected: usize, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let n = managed_records(p, prefix)?;
        if n == expected {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{n} of {expected} records for {prefix}; sink-3 log:\n{}",
                p.log_tail("sink-3", 30)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Notifications of resources `prefix…` a sink logged as handled.
fn handled(p: &Platform, sink: &str, prefix: &str) -> usize {
    let log = std::fs::read_to_string(p.dir.join(format!("{sink}.log"))).unwrap_or_default();
    log.lines()
        .filter(|l| l.contains("notification handled") && l.contains(prefix))
        .count()
}

fn logs(p: &Platform, sinks: &[String]) -> String {
    sinks
        .iter()
        .map(|s| format!("--- {s}\n{}", p.log_tail(s, 20)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Publishes a body as it is (v1 messages, garbage) to `exchange` with
/// routing key `notifications.info`.
async fn publish_raw(p: &Platform, exchange: &str, body: &[u8]) -> Result<()> {
    use lapin::options::BasicPublishOptions;
    let uri = format!("amqp://guest:guest@127.0.0.1:5672/{}", p.vhost);
    let conn = lapin::Connection::connect(&uri, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    ch.basic_publish(
        exchange.into(),
        "notifications.info".into(),
        BasicPublishOptions::default(),
        body,
        lapin::BasicProperties::default().with_delivery_mode(2),
    )
    .await?
    .await?;
    conn.close(200, "OK".into()).await?;
    Ok(())
}
