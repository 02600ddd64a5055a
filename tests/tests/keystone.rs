//! The API behind a real Keystone (keystone==30.0.0 on loopback, started once
//! for this test binary): tokens, scoping, the cross-project matrix on the
//! zone and recordset endpoints (checked against the database too), Keystone
//! going away and coming back, and a broken policy file refusing start-up.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use delegate_tests::keystone::{ADMIN_PASSWORD, Keystone, PASSWORD};
use delegate_tests::platform::bin_dir;
use delegate_tests::process::free_port;
use delegate_tests::{Platform, PlatformOptions, cli};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-Auth-Token", token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn get(&self, token: &str, path: &str) -> Result<(StatusCode, Value)> {
        self.call(token, Method::GET, path, None).await
    }
}

fn expect(
    what: &str,
    got: (StatusCode, &Value),
    status: u16,
    error_type: Option<&str>,
) -> Result<()> {
    ensure!(
        got.0.as_u16() == status,
        "{what}: status {} (wanted {status}), body {}",
        got.0,
        got.1
    );
    if let Some(t) = error_type {
        ensure!(
            got.1["type"] == t,
            "{what}: type {} (wanted {t})",
            got.1["type"]
        );
    }
    Ok(())
}

/// The default platform with `extra` appended to its configuration, set
/// field by field so that it stays right whatever options the harness grows.
#[allow(clippy::field_reassign_with_default)]
fn options_with(extra: String) -> PlatformOptions {
    let mut options = PlatformOptions::default();
    options.extra_config = extra;
    options
}

#[tokio::test(flavor = "multi_thread")]
async fn keystone_tokens_policy_and_tenant_isolation() -> Result<()> {
    // Keystone and the platform start side by side: the API only needs
    // Keystone's URL until the first request.
    let port = free_port()?;
    let url = Keystone::url_of(port);
    // The last value of an option wins: this replaces the harness's noauth.
    // A generous timeout: a loaded CI machine must not turn slow answers
    // into 503s; a stopped Keystone refuses connections at once anyway.
    let config = format!(
        "[service:api]\nauth_strategy = keystone\n\
         [keystone_authtoken]\nauth_url = {url}\nwww_authenticate_uri = {url}\n\
         username = designate\npassword = {PASSWORD}\nproject_name = service\n\
         user_domain_name = Default\nproject_domain_name = Default\n\
         token_cache_time = 2\nhttp_connect_timeout = 30\n"
    );
    let platform = std::thread::spawn(move || Platform::start(options_with(config)));
    let keystone = Keystone::start_on(port);
    let p = platform
        .join()
        .map_err(|_| anyhow::anyhow!("platform start-up panicked"))??;
    let mut keystone = keystone?;
    let admin = keystone
        .project_token("admin", ADMIN_PASSWORD, "admin")
        .await?;
    let service = keystone.create_project(&admin, "service").await?;
    keystone
        .create_user(&admin, "designate", &service, "admin")
        .await?;
    let p1 = keystone.create_project(&admin, "dns-p1").await?;
    let p2 = keystone.create_project(&admin, "dns-p2").await?;
    keystone
        .create_user(&admin, "p1-member", &p1, "member")
        .await?;
    keystone
        .create_user(&admin, "p1-reader", &p1, "reader")
        .await?;
    keystone
        .create_user(&admin, "p2-member", &p2, "member")
        .await?;
    keystone
        .create_user(&admin, "p2-admin", &p2, "admin")
        .await?;

    let api = Api {
        http: reqwest::Client::new(),
        base: format!("{}/v2", p.api_url),
    };
    let member1 = keystone
        .project_token("p1-member", PASSWORD, "dns-p1")
        .await?;
    let reader1 = keystone
        .project_token("p1-reader", PASSWORD, "dns-p1")
        .await?;
    let member2 = keystone
        .project_token("p2-member", PASSWORD, "dns-p2")
        .await?;
    let admin2 = keystone
        .project_token("p2-admin", PASSWORD, "dns-p2")
        .await?;
    let system = keystone.system_token("admin", ADMIN_PASSWORD).await?;
    let domain = keystone.domain_token("admin", ADMIN_PASSWORD).await;

    // No token, a bad token: keystonemiddleware's 401 and where to authenticate.
    let resp = api.http.get(format!("{}/zones", api.base)).send().await?;
    ensure!(
        resp.status() == StatusCode::UNAUTHORIZED,
        "no token: {}",
        resp.status()
    );
    let www = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ensure!(
        www == Some(format!("Keystone uri=\"{}\"", keystone.url)),
        "header {www:?}"
    );
    let body: Value = resp.json().await?;
    ensure!(body["error"]["code"] == 401, "401 body {body}");
    let resp = api
        .http
        .get(format!("{}/zones", api.base))
        .header("X-Auth-Token", "gAAAAABnot-a-token")
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::UNAUTHORIZED
            && resp.headers().contains_key("www-authenticate"),
        "bad token: {} {:?}",
        resp.status(),
        resp.headers()
    );

    // A member creates a zone in its own project; the project comes from the token.
    let zone_name = format!(
        "ks-{}.test.",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let (status, zone) = api
        .call(
            &member1,
            Method::POST,
            "/zones",
            Some(json!({"name": zone_name, "email": "h@ks.test"})),
        )
        .await?;
    expect("member creates", (status, &zone), 202, None)?;
    ensure!(
        zone["project_id"] == p1.as_str(),
        "zone project {}",
        zone["project_id"]
    );
    let zone_id = zone["id"].as_str().unwrap_or_default().to_owned();
    let zpath = format!("/zones/{zone_id}");
    let (status, rs) = api
        .call(
            &member1,
            Method::POST,
            &format!("{zpath}/recordsets"),
            Some(
                json!({"name": format!("www.{zone_name}"), "type": "A", "records": ["192.0.2.1"]}),
            ),
        )
        .await?;
    expect("member creates recordset", (status, &rs), 202, None)?;
    let rs_path = format!(
        "{zpath}/recordsets/{}",
        rs["id"].as_str().unwrap_or_default()
    );

    // Owner's reader: reads, may not write.
    expect(
        "reader lists",
        (api.get(&reader1, "/zones").await?.0, &Value::Null),
        200,
        None,
    )?;
    let (s, v) = api.get(&reader1, "/zones").await?;
    ensure!(
        s == StatusCode::OK && v["zones"].as_array().is_some_and(|z| z.len() == 1),
        "reader sees own zone: {v}"
    );
    let (s, v) = api.get(&reader1, &zpath).await?;
    expect("reader shows", (s, &v), 200, None)?;
    let (s, v) = api.call(&reader1, Method::DELETE, &zpath, None).await?;
    expect("reader deletes zone", (s, &v), 403, Some("forbidden"))?;
    let (s, v) = api
        .call(
            &reader1,
            Method::POST,
            &format!("{zpath}/recordsets"),
            Some(json!({"name": format!("r.{zone_name}"), "type": "A", "records": ["192.0.2.2"]})),
        )
        .await?;
    expect("reader creates recordset", (s, &v), 403, Some("forbidden"))?;
    let (s, v) = api.call(&reader1, Method::DELETE, &rs_path, None).await?;
    expect("reader deletes recordset", (s, &v), 403, Some("forbidden"))?;

    // Another project's member: nothing of p1 is visible or changeable.
    let (s, v) = api.get(&member2, "/zones").await?;
    ensure!(
        s == StatusCode::OK && v["zones"] == json!([]),
        "p2 lists nothing of p1: {v}"
    );
    for (method, path) in [
        (Method::GET, zpath.clone()),
        (Method::DELETE, zpath.clone()),
        (Method::GET, format!("{zpath}/recordsets")),
        (Method::GET, rs_path.clone()),
        (Method::DELETE, rs_path.clone()),
        (Method::GET, format!("{zpath}/nameservers")),
    ] {
        let (s, v) = api.call(&member2, method.clone(), &path, None).await?;
        expect(
            &format!("p2 member {method} {path}"),
            (s, &v),
            404,
            Some("zone_not_found"),
        )?;
    }
    // …and the other project's admin without all-projects sees no more.
    let (s, v) = api.get(&admin2, &zpath).await?;
    expect("p2 admin shows", (s, &v), 404, Some("zone_not_found"))?;
    // A member may not ask for all projects (Designate's keystone variant: bare 403).
    let resp = api
        .http
        .get(format!("{}/zones?all_projects=true", api.base))
        .header("X-Auth-Token", &member2)
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::FORBIDDEN,
        "member all-projects: {}",
        resp.status()
    );
    ensure!(resp.text().await?.is_empty(), "bare 403 body");
    // The admin with all projects sees p1's zone and its recordsets.
    let (s, v) = api.get(&admin2, "/zones?all_projects=true").await?;
    ensure!(
        s == StatusCode::OK
            && v["zones"]
                .as_array()
                .is_some_and(|z| z.iter().any(|z| z["id"] == zone_id.as_str())),
        "admin all-projects: {v}"
    );
    let resp = api
        .http
        .get(format!("{}{zpath}/recordsets", api.base))
        .header("X-Auth-Token", &admin2)
        .header("X-Auth-All-Projects", "true")
        .send()
        .await?;
    ensure!(
        resp.status() == StatusCode::OK,
        "admin all-projects recordsets: {}",
        resp.status()
    );

    // Flags on the existing endpoints, each checked against its rule.
    let flagged = |token: &str, path: &str, header: &'static str, value: &str| {
        api.http
            .get(format!("{}{path}", api.base))
            .header("X-Auth-Token", token)
            .header(header, value)
            .send()
    };
    let resp = flagged(&admin2, "/zones", "X-Auth-Sudo-Project-ID", &p1).await?;
    let v: Value = resp.json().await?;
    ensure!(
        v["zones"]
            .as_array()
            .is_some_and(|z| z.len() == 1 && z[0]["id"] == zone_id.as_str()),
        "admin with sudo to p1 sees p1's zone: {v}"
    );
    for (header, value) in [
        ("X-Auth-Sudo-Project-ID", p2.as_str()),
        ("X-Designate-Edit-Managed-Records", "true"),
        ("X-Designate-Hard-Delete", "true"),
    ] {
        let resp = flagged(&member1, "/zones", header, value).await?;
        ensure!(
            resp.status() == StatusCode::FORBIDDEN,
            "member with {header}: {}",
            resp.status()
        );
    }
    let resp = flagged(
        &reader1,
        &format!("{zpath}/recordsets"),
        "OpenStack-DNS-Hide-Counts",
        "true",
    )
    .await?;
    let v: Value = resp.json().await?;
    ensure!(v["metadata"] == json!({}), "hide counts: {}", v["metadata"]);

    // System- and domain-scoped tokens fail project rules by scope.
    let (s, v) = api.get(&system, "/zones").await?;
    expect("system lists", (s, &v), 403, Some("invalid_token_scope"))?;
    let (s, v) = api
        .call(
            &system,
            Method::POST,
            "/zones",
            Some(json!({"name": "sys.test.", "email": "h@ks.test"})),
        )
        .await?;
    expect("system creates", (s, &v), 403, Some("invalid_token_scope"))?;
    if let Ok(domain) = domain {
        let (s, v) = api.get(&domain, "/zones").await?;
        expect("domain lists", (s, &v), 403, Some("invalid_token_scope"))?;
    }

    // Nothing was changed by the refused requests: the database agrees.
    let rows = p.sql(&format!(
        "SELECT tenant_id, action FROM zones WHERE id = '{}' AND deleted = '0'",
        zone_id.replace('-', "")
    ))?;
    ensure!(
        rows.trim() == format!("{p1}\tCREATE") || rows.trim() == format!("{p1}\tNONE"),
        "zone row: {rows}"
    );
    let n = p.sql(&format!(
        "SELECT COUNT(*) FROM recordsets WHERE zone_id = '{}' AND type = 'A'",
        zone_id.replace('-', "")
    ))?;
    ensure!(n.trim() == "1", "recordsets: {n}");
    let sys = p.sql("SELECT COUNT(*) FROM zones WHERE name = 'sys.test.'")?;
    ensure!(sys.trim() == "0", "system-scoped create stored nothing");

    // A revoked token stops working once its cache entry (2 s here) expires.
    let short = keystone
        .project_token("p1-reader", PASSWORD, "dns-p1")
        .await?;
    expect(
        "fresh token",
        (api.get(&short, "/zones").await?.0, &Value::Null),
        200,
        None,
    )?;
    keystone.revoke(&admin, &short).await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    expect(
        "revoked token",
        (api.get(&short, "/zones").await?.0, &Value::Null),
        401,
        None,
    )?;

    // Keystone stopped: a token not in the cache is a quick 503; back up, it works again.
    keystone.pause();
    let started = Instant::now();
    let (s, _) = api.get(&member2, "/zones").await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (s2, _) = api.get(&member2, "/zones").await?;
    ensure!(
        s2 == StatusCode::SERVICE_UNAVAILABLE,
        "keystone down: {s} then {s2}"
    );
    ensure!(
        started.elapsed() < Duration::from_secs(15),
        "bounded: {:?}",
        started.elapsed()
    );
    keystone.resume()?;
    let (s, _) = api.get(&member2, "/zones").await?;
    ensure!(s == StatusCode::OK, "after keystone came back: {s}");

    // The owner deletes its zone.
    let (s, v) = api.call(&member1, Method::DELETE, &rs_path, None).await?;
    expect("member deletes recordset", (s, &v), 202, None)?;
    let (s, v) = api.call(&member1, Method::DELETE, &zpath, None).await?;
    expect("member deletes zone", (s, &v), 202, None)?;

    openstack_cli_through_the_catalog(&keystone, &admin, &p).await
}

/// The `openstack` CLI, authenticated by Keystone, finds the API through the
/// catalog's `dns` endpoint and drives zones and recordsets.
async fn openstack_cli_through_the_catalog(
    keystone: &Keystone,
    admin: &str,
    p: &Platform,
) -> Result<()> {
    let svc = keystone
        .admin_call(
            admin,
            Method::POST,
            "/services",
            Some(json!({"service": {"name": "designate", "type": "dns"}})),
        )
        .await?;
    let svc_id = svc["service"]["id"].as_str().unwrap_or_default().to_owned();
    for interface in ["public", "internal", "admin"] {
        keystone
            .admin_call(
                admin,
                Method::POST,
                "/endpoints",
                Some(
                    json!({"endpoint": {"service_id": svc_id, "interface": interface,
                    "region_id": "RegionOne", "url": format!("{}/", p.api_url)}}),
                ),
            )
            .await?;
    }
    let dir = keystone.dir.clone();
    let url = keystone.url.clone();
    let cli = move |user: &str, project: &str, args: &[&str]| {
        cli::run_openstack_keystone(&dir, &url, user, PASSWORD, project, args)
    };
    let name = format!(
        "cli-{}.test.",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let created: Value = serde_json::from_str(&cli(
        "p1-member",
        "dns-p1",
        &[
            "zone",
            "create",
            "--email",
            "h@cli.test",
            &name,
            "-f",
            "json",
        ],
    )?)?;
    let zone_id = created["id"].as_str().unwrap_or_default().to_owned();
    ensure!(
        created["project_id"] == keystone_project(keystone, admin, "dns-p1").await?.as_str(),
        "CLI zone project: {created}"
    );
    let listed = cli(
        "p1-reader",
        "dns-p1",
        &["zone", "list", "-f", "value", "-c", "name"],
    )?;
    ensure!(
        listed.lines().any(|l| l == name),
        "reader lists the CLI zone: {listed}"
    );
    let shown = cli(
        "p1-reader",
        "dns-p1",
        &["zone", "show", &zone_id, "-f", "value", "-c", "name"],
    )?;
    ensure!(shown.trim() == name, "zone show: {shown}");
    let other = cli(
        "p2-member",
        "dns-p2",
        &["zone", "list", "-f", "value", "-c", "name"],
    )?;
    ensure!(
        !other.contains(&name),
        "another project's member lists it: {other}"
    );
    cli(
        "p1-member",
        "dns-p1",
        &[
            "recordset",
            "create",
            &zone_id,
            "www",
            "--type",
            "A",
            "--record",
            "192.0.2.7",
        ],
    )?;
    let rs = cli(
        "p1-reader",
        "dns-p1",
        &[
            "recordset",
            "list",
            &zone_id,
            "-f",
            "value",
            "-c",
            "name",
            "-c",
            "type",
        ],
    )?;
    ensure!(
        rs.contains(&format!("www.{name} A")),
        "recordset list: {rs}"
    );
    let refused = cli(
        "p1-reader",
        "dns-p1",
        &["recordset", "delete", &zone_id, &format!("www.{name}")],
    );
    ensure!(refused.is_err(), "a reader deleted a recordset");
    cli(
        "p1-member",
        "dns-p1",
        &["recordset", "delete", &zone_id, &format!("www.{name}")],
    )?;
    cli("p1-member", "dns-p1", &["zone", "delete", &zone_id])?;
    // Marked for deletion, or already deleted by the worker.
    let gone = p.sql(&format!(
        "SELECT action = 'DELETE' OR deleted <> '0' FROM zones WHERE id = '{}'",
        zone_id.replace('-', "")
    ))?;
    ensure!(gone.trim() == "1", "zone after CLI delete: {gone}");
    Ok(())
}

async fn keystone_project(keystone: &Keystone, admin: &str, name: &str) -> Result<String> {
    let v = keystone
        .admin_call(admin, Method::GET, &format!("/projects?name={name}"), None)
        .await?;
    Ok(v["projects"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// A policy file that does not parse stops the API at start-up, naming the
/// file, the rule and the position.
#[test]
fn a_broken_policy_file_refuses_start_up() -> Result<()> {
    let dir = bin_dir()?
        .join("policy-test")
        .join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&dir)?;
    let policy = dir.join("policy.yaml");
    std::fs::write(
        &policy,
        "find_zones: \"role:reader and (project_id:%(project_id)s\"\n",
    )?;
    let conf = dir.join("delegate.conf");
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\ntransport_url = rabbit://guest:guest@127.0.0.1:5672/\n\
             [service:api]\nauth_strategy = noauth\nlisten = 127.0.0.1:0\n\
             [oslo_policy]\npolicy_file = {}\n",
            policy.display()
        ),
    )?;
    let out = Command::new(bin_dir()?.join("delegate-api"))
        .arg("--config-file")
        .arg(&conf)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success(),
        "the API started with a broken policy"
    );
    ensure!(
        stderr.contains("policy.yaml")
            && stderr.contains("find_zones")
            && stderr.contains("position 16"),
        "message: {stderr}"
    );
    // Central reads the same policy and refuses as well, before connecting.
    let out = Command::new(bin_dir()?.join("delegate-central"))
        .arg("--config-file")
        .arg(&conf)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success(),
        "central started with a broken policy"
    );
    ensure!(
        stderr.contains("find_zones") && stderr.contains("position 16"),
        "central's message: {stderr}"
    );
    Ok(())
}
