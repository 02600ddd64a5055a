//! End-to-end: the real binaries, MariaDB, RabbitMQ and BIND 9, driven as a
//! user drives them (HTTP, the `openstack` CLI) and checked with `dig`.

use std::time::Duration;

use anyhow::{Result, ensure};
use delegate_tests::dns::{dig_short, dig_status, wait_until};
use delegate_tests::{Platform, PlatformOptions, cli};
use reqwest::StatusCode;
use serde_json::{Value, json};

const LIVE: Duration = Duration::from_secs(15);

fn zone_name(tag: &str) -> String {
    format!(
        "{tag}-{}.test.",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<(StatusCode, Value)> {
    let resp = http.get(url).send().await?;
    Ok((resp.status(), resp.json().await.unwrap_or(Value::Null)))
}

async fn wait_active(http: &reqwest::Client, p: &Platform, zone_id: &str) -> Result<()> {
    let url = format!("{}/v2/zones/{zone_id}", p.api_url);
    for _ in 0..(LIVE.as_millis() / 50) {
        let (_, zone) = get_json(http, &url).await?;
        if zone["status"] == "ACTIVE" {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!(
        "zone {zone_id} not ACTIVE within {LIVE:?}; worker log:\n{}",
        p.log_tail("worker", 30)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn zone_and_recordset_lifecycle_reaches_bind() -> Result<()> {
    let mut p = Platform::start(PlatformOptions::default())?;
    let http = reqwest::Client::new();
    let zone = zone_name("life");

    let resp = http
        .post(format!("{}/v2/zones", p.api_url))
        .json(&json!({"name": zone, "email": "hostmaster@delegate.test", "ttl": 600}))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::ACCEPTED,
        "zone create: {}",
        resp.status()
    );
    ensure!(
        resp.headers().contains_key("location"),
        "zone create sets Location"
    );
    let created: Value = resp.json().await?;
    ensure!(
        created["status"] == "PENDING" && created["action"] == "CREATE",
        "{created}"
    );
    let zone_id = created["id"].as_str().unwrap_or_default().to_owned();

    wait_active(&http, &p, &zone_id).await?;
    let soa = dig_short(p.bind_port, &zone, "SOA")?;
    ensure!(
        soa.len() == 1 && soa[0].starts_with("ns1.delegate.test. hostmaster.delegate.test."),
        "BIND SOA: {soa:?}"
    );
    let ns = dig_short(p.bind_port, &zone, "NS")?;
    ensure!(
        ns == vec!["ns1.delegate.test.".to_owned()],
        "BIND NS: {ns:?}"
    );

    let www = format!("www.{zone}");
    let resp = http
        .post(format!("{}/v2/zones/{zone_id}/recordsets", p.api_url))
        .json(&json!({"name": www, "type": "A", "records": ["192.0.2.10"], "ttl": 300}))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::ACCEPTED,
        "recordset create: {}",
        resp.status()
    );
    let rs: Value = resp.json().await?;
    let rs_id = rs["id"].as_str().unwrap_or_default().to_owned();
    let answered = wait_until(LIVE, || {
        dig_short(p.bind_port, &www, "A")
            .map(|a| a == ["192.0.2.10"])
            .unwrap_or(false)
    });
    ensure!(
        answered.is_some(),
        "BIND never answered {www} A; worker log:\n{}",
        p.log_tail("worker", 30)
    );
    wait_active(&http, &p, &zone_id).await?;

    let (status, listed) = get_json(
        &http,
        &format!("{}/v2/zones/{zone_id}/recordsets?type=A", p.api_url),
    )
    .await?;
    ensure!(
        status == StatusCode::OK && listed["metadata"]["total_count"] == 1,
        "{listed}"
    );

    let resp = http
        .delete(format!(
            "{}/v2/zones/{zone_id}/recordsets/{rs_id}",
            p.api_url
        ))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::ACCEPTED,
        "recordset delete: {}",
        resp.status()
    );
    let gone = wait_until(LIVE, || {
        dig_short(p.bind_port, &www, "A")
            .map(|a| a.is_empty())
            .unwrap_or(false)
    });
    ensure!(gone.is_some(), "BIND still answers {www} A after delete");

    let resp = http
        .delete(format!("{}/v2/zones/{zone_id}", p.api_url))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::ACCEPTED,
        "zone delete: {}",
        resp.status()
    );
    let unserved = wait_until(LIVE, || {
        dig_status(p.bind_port, &zone, "SOA")
            .map(|s| s == "REFUSED")
            .unwrap_or(false)
    });
    ensure!(unserved.is_some(), "BIND still serves {zone} after delete");
    let list_url = format!("{}/v2/zones", p.api_url);
    let mut left = false;
    for _ in 0..(LIVE.as_millis() / 50) {
        let (_, listed) = get_json(&http, &list_url).await?;
        if !listed.to_string().contains(&zone) {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ensure!(left, "deleted zone still listed");

    let unclean = p.stop_services();
    ensure!(
        unclean.is_empty(),
        "services that did not stop cleanly on SIGTERM: {unclean:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn openstack_cli_creates_lists_and_deletes() -> Result<()> {
    let p = Platform::start(PlatformOptions::default())?;
    let zone = zone_name("cli");
    let os = |args: &[&str]| cli::run_openstack(&p.api_url, args);

    let created: Value = serde_json::from_str(&os(&[
        "zone",
        "create",
        "--email",
        "ops@delegate.test",
        &zone,
        "-f",
        "json",
    ])?)?;
    ensure!(
        created["name"] == zone.as_str() && created["status"] == "PENDING",
        "{created}"
    );
    let zone_id = created["id"].as_str().unwrap_or_default().to_owned();

    let serves = wait_until(LIVE, || {
        dig_short(p.bind_port, &zone, "SOA")
            .map(|a| a.len() == 1)
            .unwrap_or(false)
    });
    ensure!(serves.is_some(), "BIND never served {zone}");

    let rs: Value = serde_json::from_str(&os(&[
        "recordset",
        "create",
        "--type",
        "A",
        "--record",
        "192.0.2.20",
        &zone,
        "www",
        "-f",
        "json",
    ])?)?;
    ensure!(rs["name"] == format!("www.{zone}"), "{rs}");
    let answered = wait_until(LIVE, || {
        dig_short(p.bind_port, &format!("www.{zone}"), "A")
            .map(|a| a == ["192.0.2.20"])
            .unwrap_or(false)
    });
    ensure!(answered.is_some(), "BIND never answered www.{zone}");

    // `recordset set` (PUT): the records are replaced and BIND serves the new set.
    let www = format!("www.{zone}");
    let set: Value = serde_json::from_str(&os(&[
        "recordset",
        "set",
        "--record",
        "192.0.2.21",
        "--record",
        "192.0.2.22",
        &zone_id,
        &www,
        "-f",
        "json",
    ])?)?;
    ensure!(set["action"] == "UPDATE", "recordset set: {set}");
    let replaced = wait_until(LIVE, || {
        dig_short(p.bind_port, &www, "A")
            .map(|mut a| {
                a.sort();
                a == ["192.0.2.21", "192.0.2.22"]
            })
            .unwrap_or(false)
    });
    ensure!(
        replaced.is_some(),
        "BIND never served the records set on {www}"
    );

    // `zone set` (PATCH): the new email reaches BIND's SOA with a higher serial.
    let before = dig_short(p.bind_port, &zone, "SOA")?;
    let old_serial: i64 = before
        .first()
        .and_then(|soa| soa.split(' ').nth(2))
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let zset: Value = serde_json::from_str(&os(&[
        "zone",
        "set",
        "--ttl",
        "600",
        "--email",
        "dns-admin@delegate.test",
        "--description",
        "set by the CLI",
        &zone_id,
        "-f",
        "json",
    ])?)?;
    ensure!(
        zset["ttl"] == 600
            && zset["email"] == "dns-admin@delegate.test"
            && zset["description"] == "set by the CLI",
        "zone set: {zset}"
    );
    let soa = wait_until(LIVE, || {
        dig_short(p.bind_port, &zone, "SOA")
            .ok()
            .and_then(|a| a.first().cloned())
            .filter(|soa| {
                let fields: Vec<&str> = soa.split(' ').collect();
                fields.get(1) == Some(&"dns-admin.delegate.test.")
                    && fields
                        .get(2)
                        .and_then(|s| s.parse::<i64>().ok())
                        .is_some_and(|serial| serial > old_serial)
            })
            .is_some()
    });
    ensure!(
        soa.is_some(),
        "BIND never served the SOA after zone set: {before:?}"
    );

    // `dns quota list/set/reset` (noauth: the project is `noauth-project`).
    let project = ["--project-id", "noauth-project", "-f", "json"];
    let quota = |args: &[&str]| -> Result<Value> {
        let mut all = vec!["dns", "quota"];
        all.extend_from_slice(args);
        all.extend_from_slice(&project);
        Ok(serde_json::from_str(&os(&all)?)?)
    };
    let defaults = quota(&["list"])?;
    let set = quota(&["set", "--zones", "3", "--recordset-records", "7"])?;
    ensure!(
        set["zones"] == 3 && set["recordset_records"] == 7,
        "quota set: {set}"
    );
    ensure!(quota(&["list"])?["zones"] == 3, "quota list after set");
    let mut reset = vec!["dns", "quota", "reset"];
    reset.extend_from_slice(&project[..2]);
    os(&reset)?;
    ensure!(quota(&["list"])? == defaults, "quota list after reset");

    // `recordset list all`: the global `GET /v2/recordsets`.
    let global: Value = serde_json::from_str(&os(&[
        "recordset",
        "list",
        "all",
        "--name",
        &www,
        "-f",
        "json",
    ])?)?;
    ensure!(
        global
            .as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["name"] == www.as_str()),
        "recordset list all: {global}"
    );
    let limits: Value = serde_json::from_str(&os(&["dns", "limit", "list", "-f", "json"])?)?;
    ensure!(
        limits.to_string().contains("max_zones"),
        "dns limit list: {limits}"
    );
    let services: Value = serde_json::from_str(&os(&["dns", "service", "list", "-f", "json"])?)?;
    let names: Vec<&str> = services
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["service_name"].as_str())
        .collect();
    ensure!(names.contains(&"central"), "dns service list: {services}");

    let listed: Value = serde_json::from_str(&os(&["zone", "list", "-f", "json"])?)?;
    let names: Vec<&str> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|z| z["name"].as_str())
        .collect();
    ensure!(names.contains(&zone.as_str()), "zone list: {names:?}");
    let rsets: Value = serde_json::from_str(&os(&["recordset", "list", &zone_id, "-f", "json"])?)?;
    let types: Vec<&str> = rsets
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["type"].as_str())
        .collect();
    ensure!(
        types.contains(&"SOA") && types.contains(&"NS") && types.contains(&"A"),
        "recordset list: {types:?}"
    );

    // `zone abandon`: the zone leaves the API at once (BIND is not touched).
    let left = zone_name("abandon");
    let doomed: Value = serde_json::from_str(&os(&[
        "zone",
        "create",
        "--email",
        "ops@delegate.test",
        &left,
        "-f",
        "json",
    ])?)?;
    let doomed_id = doomed["id"].as_str().unwrap_or_default().to_owned();
    os(&["zone", "abandon", &doomed_id])?;
    ensure!(
        os(&["zone", "show", &doomed_id]).is_err(),
        "zone show after zone abandon"
    );

    os(&["recordset", "delete", &zone_id, &format!("www.{zone}")])?;
    os(&["zone", "delete", &zone_id])?;
    let unserved = wait_until(LIVE, || {
        dig_status(p.bind_port, &zone, "SOA")
            .map(|s| s == "REFUSED")
            .unwrap_or(false)
    });
    ensure!(
        unserved.is_some(),
        "BIND still serves {zone} after openstack zone delete"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_and_changes_nothing() -> Result<()> {
    let p = Platform::start(PlatformOptions::default())?;
    let http = reqwest::Client::new();
    let zones_before = p.sql("SELECT COUNT(*) FROM zones")?;

    let resp = http
        .post(format!("{}/v2/zones", p.api_url))
        .json(&json!({"name": "not a zone name", "email": "a@delegate.test"}))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::BAD_REQUEST,
        "bad zone name: {}",
        resp.status()
    );
    let body: Value = resp.json().await?;
    ensure!(
        body["code"] == 400 && body["type"] == "invalid_object",
        "{body}"
    );
    ensure!(
        body["request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("req-")),
        "{body}"
    );
    ensure!(
        p.sql("SELECT COUNT(*) FROM zones")? == zones_before,
        "a bad zone was stored"
    );

    let zone = zone_name("bad");
    let resp = http
        .post(format!("{}/v2/zones", p.api_url))
        .json(&json!({"name": zone, "email": "a@delegate.test"}))
        .send()
        .await?;
    let zone_id = resp.json::<Value>().await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    wait_active(&http, &p, &zone_id).await?;
    let serial_before = dig_short(p.bind_port, &zone, "SOA")?;

    let resp = http
        .post(format!("{}/v2/zones/{zone_id}/recordsets", p.api_url))
        .json(&json!({"name": format!("www.{zone}"), "type": "A", "records": ["192.0.2.300"]}))
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::BAD_REQUEST,
        "bad A: {}",
        resp.status()
    );
    let body: Value = resp.json().await?;
    ensure!(body["type"] == "invalid_object", "{body}");
    let err = &body["errors"]["errors"][0];
    ensure!(
        err["message"] == "'192.0.2.300' is not a 'A' Record"
            && err["path"] == json!(["records", 0]),
        "{body}"
    );

    let stored = p.sql(&format!(
        "SELECT COUNT(*) FROM recordsets WHERE name = 'www.{zone}'"
    ))?;
    ensure!(stored.trim() == "0", "a bad recordset was stored");
    std::thread::sleep(Duration::from_millis(500));
    ensure!(
        dig_short(p.bind_port, &zone, "SOA")? == serial_before,
        "BIND's zone changed after refused input"
    );
    ensure!(
        dig_short(p.bind_port, &format!("www.{zone}"), "A")?.is_empty(),
        "BIND answers the refused record"
    );
    Ok(())
}
