//! A write burst as a new user would make it: clients creating a zone, then
//! an A recordset in it, as fast as the API answers; then the wait until
//! every acknowledged write is served by BIND.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::Platform;
use crate::process::run;

/// One acknowledged zone + recordset pair.
#[derive(Debug, Clone)]
pub struct Written {
    pub zone: String,
    pub address: String,
}

/// What the clients got acknowledged, and how many requests failed.
#[derive(Debug, Default)]
pub struct Load {
    pub written: Vec<Written>,
    /// Zones acknowledged whose recordset was not (counted as zone writes).
    pub zones_only: Vec<String>,
    pub refused: usize,
}

impl Load {
    /// Acknowledged writes (zones and recordsets).
    pub fn writes(&self) -> usize {
        self.written.len() * 2 + self.zones_only.len()
    }
}

/// Runs `clients` clients for `duration` against the API.
pub async fn load(api: &str, clients: usize, duration: Duration, tag: &str) -> Load {
    let http = reqwest::Client::new();
    let until = Instant::now() + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (http, api, tag) = (http.clone(), api.to_owned(), tag.to_owned());
            tokio::spawn(async move { client(&http, &api, &tag, c, until).await })
        })
        .collect();
    let mut all = Load::default();
    for task in tasks {
        if let Ok(part) = task.await {
            all.written.extend(part.written);
            all.zones_only.extend(part.zones_only);
            all.refused += part.refused;
        }
    }
    all
}

async fn client(http: &reqwest::Client, api: &str, tag: &str, c: usize, until: Instant) -> Load {
    let mut load = Load::default();
    let mut n = 0u32;
    while Instant::now() < until {
        n += 1;
        let zone = format!("{tag}-{c}-{n}.burst.test.");
        let address = format!("192.0.{}.{}", (n / 250) % 250, n % 250 + 1);
        let Ok(id) = post(
            http,
            &format!("{api}/v2/zones"),
            json!({"name": zone, "email": "burst@delegate.test"}),
        )
        .await
        else {
            load.refused += 1;
            continue;
        };
        let id = id["id"].as_str().unwrap_or_default().to_owned();
        let recordset = json!({"name": format!("www.{zone}"), "type": "A", "records": [address]});
        match post(http, &format!("{api}/v2/zones/{id}/recordsets"), recordset).await {
            Ok(_) => load.written.push(Written { zone, address }),
            Err(_) => {
                load.refused += 1;
                load.zones_only.push(zone);
            }
        }
    }
    load
}

/// POSTs `body` as JSON; the answer's JSON, or an error with the status and body.
pub async fn post(http: &reqwest::Client, url: &str, body: Value) -> Result<Value> {
    let resp = http
        .post(url)
        .json(&body)
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!(
            "{} {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(resp.json().await?)
}

/// Zones of the platform not yet ACTIVE, by status.
pub fn unsettled(p: &Platform) -> Result<HashMap<String, usize>> {
    let out = p.sql("SELECT status, COUNT(*) FROM zones WHERE deleted = '0' AND status <> 'ACTIVE' GROUP BY status")?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let (status, n) = l.split_once('\t')?;
            Some((status.to_owned(), n.trim().parse().ok()?))
        })
        .collect())
}

/// Waits until no zone is PENDING or ERROR; the time it took, or an error
/// with what was left after `limit`.
pub fn wait_settled(p: &Platform, limit: Duration) -> Result<Duration> {
    let started = Instant::now();
    loop {
        let left = unsettled(p)?;
        if left.is_empty() {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            bail!("not settled after {limit:?}: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The acknowledged writes BIND does not serve as written: asks BIND for
/// every `www.<zone>` A in one `dig -f` batch.
pub fn not_served(p: &Platform, load: &Load) -> Result<Vec<String>> {
    let batch = p.dir.join(format!("dig-batch-{}", load.written.len()));
    let lines: Vec<String> = load
        .written
        .iter()
        .map(|w| format!("www.{} A", w.zone))
        .chain(load.zones_only.iter().map(|z| format!("{z} SOA")))
        .collect();
    std::fs::write(&batch, lines.join("\n")).context("write the dig batch")?;
    let out = run(Command::new("dig")
        .args(["@127.0.0.1", "-p", &p.bind_port.to_string()])
        .args(["+noall", "+answer", "+time=2", "+tries=2", "-f"])
        .arg(&batch))?;
    let mut answers: HashMap<String, String> = HashMap::new();
    for line in out.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [name, _ttl, _class, rtype, data, ..] = fields[..] {
            let key = if rtype == "SOA" {
                name.to_owned()
            } else {
                name.trim_start_matches("www.").to_owned()
            };
            answers.insert(key, data.to_owned());
        }
    }
    let mut missing: Vec<String> = load
        .written
        .iter()
        .filter(|w| answers.get(&w.zone) != Some(&w.address))
        .map(|w| format!("www.{} A {}", w.zone, w.address))
        .collect();
    missing.extend(
        load.zones_only
            .iter()
            .filter(|z| !answers.contains_key(*z))
            .cloned(),
    );
    Ok(missing)
}
