//! The bind9 backend against real BIND 9 servers: a primary serving
//! `example.test` from a file (standing in for mdns) and a secondary the
//! worker drives with rndc, both on 127.0.0.1 high ports. Run with
//! `cargo test -p delegate-worker --test bind9 -- --ignored`.

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use delegate_config::{Config, Worker};
use delegate_model::{
    Action, Error, HostPort, KeyValue, Pool, PoolNameserver, PoolTarget, ReportStatus, Zone,
};
use delegate_storage::zones::ZoneProgress;
use delegate_worker::dns_exchange::{
    Transport, exchange, polled_serial, soa_query_message, zone_name,
};
use delegate_worker::poll::Report;
use delegate_worker::queue::ZoneJob;
use delegate_worker::zone_action::{self, BoxFuture, CentralPort, LoadedPool};
use uuid::Uuid;

/// A port free on 127.0.0.1 for both TCP and UDP (at the time of asking).
fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = tcp.local_addr().expect("addr").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// One `named` process in a directory of its own; killed (by its pid) on drop.
struct Named {
    child: Child,
    dns_port: u16,
    control_port: u16,
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `named.conf` for a test server: the rndc key and control channel,
/// 127.0.0.1 only, no recursion; `extra` adds options, `zones` zone statements.
fn named_conf(
    dir: &Path,
    key_file: &Path,
    dns_port: u16,
    control_port: u16,
    extra: &str,
    zones: &str,
) -> String {
    let d = dir.display();
    format!(
        r#"include "{key}";
controls {{ inet 127.0.0.1 port {control_port} allow {{ 127.0.0.1; }} keys {{ "rndc-key"; }}; }};
options {{
    directory "{d}";
    listen-on port {dns_port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    allow-query {{ any; }};
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
{extra}
}};
{zones}
"#,
        key = key_file.display()
    )
}

fn start_named(dir: &Path, conf: &str, dns_port: u16, control_port: u16) -> Named {
    std::fs::create_dir_all(dir).expect("dir");
    let conf_path = dir.join("named.conf");
    std::fs::write(&conf_path, conf).expect("write named.conf");
    let log = std::fs::File::create(dir.join("named.log")).expect("log");
    let child = Command::new("named")
        .args(["-g", "-c"])
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start named (apt-get install bind9 bind9-utils)");
    Named {
        child,
        dns_port,
        control_port,
    }
}

const ZONE_FILE: &str = "$TTL 300
@ IN SOA ns1.example.test. admin.example.test. SERIAL 3600 600 86400 300
@ IN NS ns1.example.test.
ns1 IN A 192.0.2.1
";

struct Lab {
    dir: PathBuf,
    key_file: PathBuf,
    primary: Named,
    secondary: Named,
}

impl Lab {
    async fn start() -> Lab {
        let dir =
            std::env::temp_dir().join(format!("delegate-bind9-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let key_file = dir.join("rndc.key");
        // A fixed test-only secret (base64 of 32 bytes).
        let key = "key \"rndc-key\" { algorithm hmac-sha256; secret \"ZGVsZWdhdGUtdGVzdC1ybmRjLWtleS0zMi1ieXRlcyE=\"; };\n";
        std::fs::write(&key_file, key).expect("key");
        let (p_dns, p_ctl, s_dns, s_ctl) = (free_port(), free_port(), free_port(), free_port());
        let pdir = dir.join("primary");
        std::fs::create_dir_all(&pdir).expect("dir");
        std::fs::write(
            pdir.join("example.test.db"),
            ZONE_FILE.replace("SERIAL", "1"),
        )
        .expect("zone file");
        let zones = "zone \"example.test\" { type primary; file \"example.test.db\"; };";
        let pconf = named_conf(
            &pdir,
            &key_file,
            p_dns,
            p_ctl,
            "    allow-transfer { any; };\n    notify no;",
            zones,
        );
        let primary = start_named(&pdir, &pconf, p_dns, p_ctl);
        let sdir = dir.join("secondary");
        let extra = "    allow-new-zones yes;\n    allow-notify { 127.0.0.1; };";
        let sconf = named_conf(&sdir, &key_file, s_dns, s_ctl, extra, "");
        let secondary = start_named(&sdir, &sconf, s_dns, s_ctl);
        let lab = Lab {
            dir,
            key_file,
            primary,
            secondary,
        };
        lab.wait_until_answering(lab.primary.dns_port).await;
        lab.wait_until_answering(lab.secondary.dns_port).await;
        lab
    }

    async fn wait_until_answering(&self, port: u16) {
        let zone = zone_name("example.test.").expect("name");
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let q = soa_query_message(&zone);
            if exchange(
                &q,
                "127.0.0.1",
                port,
                Transport::Udp,
                Duration::from_millis(200),
            )
            .await
            .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "named on port {port} did not start; see {}",
            self.dir.display()
        );
    }

    async fn serial_on(&self, port: u16) -> Option<i64> {
        let q = soa_query_message(&zone_name("example.test.").expect("name"));
        let r = exchange(
            &q,
            "127.0.0.1",
            port,
            Transport::Udp,
            Duration::from_secs(1),
        )
        .await
        .ok()?;
        polled_serial(&r)
    }

    /// Changes the primary's zone to `serial` and reloads it.
    fn set_primary_serial(&self, serial: u32) {
        let file = self.dir.join("primary").join("example.test.db");
        std::fs::write(file, ZONE_FILE.replace("SERIAL", &serial.to_string())).expect("zone file");
        let status = Command::new("rndc")
            .args([
                "-s",
                "127.0.0.1",
                "-p",
                &self.primary.control_port.to_string(),
                "-k",
            ])
            .arg(&self.key_file)
            .args(["reload", "example.test"])
            .status()
            .expect("rndc reload");
        assert!(status.success());
    }

    fn pool(&self) -> LoadedPool {
        let opt = |k: &str, v: String| KeyValue {
            key: k.into(),
            value: v,
        };
        let target = PoolTarget {
            backend: "bind9".into(),
            masters: vec![HostPort {
                host: "127.0.0.1".into(),
                port: self.primary.dns_port,
            }],
            options: vec![
                opt("host", "127.0.0.1".into()),
                opt("port", self.secondary.dns_port.to_string()),
                opt("rndc_host", "127.0.0.1".into()),
                opt("rndc_port", self.secondary.control_port.to_string()),
                opt("rndc_key_file", self.key_file.display().to_string()),
                opt("rndc_timeout", "5".into()),
            ],
            ..PoolTarget::default()
        };
        let ns = PoolNameserver {
            host: "127.0.0.1".into(),
            port: self.secondary.dns_port,
            ..PoolNameserver::default()
        };
        LoadedPool::new(Pool {
            name: "default".into(),
            targets: vec![target],
            nameservers: vec![ns],
            ..Pool::default()
        })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // The named processes are killed by their own Drop, after this runs:
        // kill them first so the directory can go.
        let _ = self.primary.child.kill();
        let _ = self.secondary.child.kill();
        let _ = self.primary.child.wait();
        let _ = self.secondary.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Default)]
struct Reports(std::sync::Mutex<Vec<Report>>);

impl CentralPort for Reports {
    fn report(&self, _zone_id: Uuid, report: Report) -> BoxFuture<'_, Result<(), Error>> {
        if let Ok(mut r) = self.0.lock() {
            r.push(report);
        }
        Box::pin(async { Ok(()) })
    }

    fn progress(&self, _zone_id: Uuid) -> BoxFuture<'_, Result<Option<ZoneProgress>, Error>> {
        let pending = ZoneProgress {
            serial: 0,
            status: delegate_model::Status::Pending,
            action: Action::Update,
            deleted: false,
        };
        Box::pin(async move { Ok(Some(pending)) })
    }
}

impl Reports {
    fn take(&self) -> Vec<Report> {
        self.0
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default()
    }
}

fn cfg() -> Worker {
    Config::from_str_for_tests("[service:worker]\npoll_max_retries = 20\n")
        .expect("config")
        .worker
}

async fn act(lab: &Lab, central: &Reports, zone: &Zone, action: Action) -> Vec<Report> {
    let job = ZoneJob {
        zone: Zone {
            action,
            ..zone.clone()
        },
        action,
        hard_delete: false,
    };
    // Fresh changes that do not propagate come back as retries; the
    // assertions read the reports.
    let _ = zone_action::run(&job, &lab.pool(), &cfg(), central).await;
    central.take()
}

fn report(status: ReportStatus, serial: i64, action: Action) -> Vec<Report> {
    vec![Report {
        status,
        serial,
        action,
    }]
}

#[tokio::test]
#[ignore = "needs BIND 9 (apt-get install bind9 bind9-utils)"]
async fn bind9_backend_creates_updates_and_deletes_a_zone() {
    let lab = Lab::start().await;
    let central = Reports::default();
    let zone = Zone {
        id: Some(Uuid::new_v4()),
        name: "example.test.".into(),
        serial: 1,
        ..Zone::default()
    };

    let started = Instant::now();
    assert_eq!(
        act(&lab, &central, &zone, Action::Create).await,
        report(ReportStatus::Success, 1, Action::Create)
    );
    eprintln!("create: ACTIVE after {:?}", started.elapsed());
    assert_eq!(lab.serial_on(lab.secondary.dns_port).await, Some(1));
    // Creating again hits "already exists", which is fine.
    assert_eq!(
        act(&lab, &central, &zone, Action::Create).await,
        report(ReportStatus::Success, 1, Action::Create)
    );

    lab.set_primary_serial(2);
    let zone = Zone { serial: 2, ..zone };
    let started = Instant::now();
    assert_eq!(
        act(&lab, &central, &zone, Action::Update).await,
        report(ReportStatus::Success, 2, Action::Update)
    );
    eprintln!("update: ACTIVE after {:?}", started.elapsed());

    assert_eq!(
        act(&lab, &central, &zone, Action::Delete).await,
        report(ReportStatus::Success, 0, Action::Delete)
    );
    assert_eq!(
        lab.serial_on(lab.secondary.dns_port).await,
        Some(0),
        "the secondary no longer serves it"
    );
    // Deleting again hits "not found", which is fine.
    assert_eq!(
        act(&lab, &central, &zone, Action::Delete).await,
        report(ReportStatus::Success, 0, Action::Delete)
    );

    // An update of a zone the secondary lacks creates it (showzone → not found → addzone).
    assert_eq!(
        act(&lab, &central, &zone, Action::Update).await,
        report(ReportStatus::Success, 2, Action::Update)
    );
}
