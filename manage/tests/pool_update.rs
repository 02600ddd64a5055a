//! `delegate-manage pool update` / `pool show` against a throw-away database
//! on the local MariaDB, run as an operator runs them.

use std::path::PathBuf;
use std::process::Output;

use delegate_storage::testing::TestDatabase;
use sqlx::Row;

const POOLS: &str = r#"
- name: default
  description: Default BIND9 pool
  attributes:
    service_tier: gold
  ns_records:
    - hostname: ns2.example.org.
      priority: 2
    - hostname: ns1.example.org.
      priority: 1
  nameservers:
    - host: 192.0.2.2
      port: 53
  targets:
    - type: bind9
      description: BIND9 server 1
      masters:
        - host: 192.0.2.1
          port: 5354
        - host: 192.0.2.5
          port: 5354
      options:
        host: 192.0.2.2
        port: 53
        rndc_port: 953
        clean_zonefile: false
  also_notifies:
    - host: 192.0.2.4
      port: 53
- name: second
  id: 5b0a8f2c-7f1d-4c8e-9a52-3f0e7d8c1a11
  ns_records:
    - hostname: ns.second.example.
      priority: 1
  nameservers:
    - host: 192.0.2.9
      port: 5353
  targets:
    - type: fake
"#;

struct Env {
    db: TestDatabase,
    dir: PathBuf,
}

impl Env {
    async fn new() -> Env {
        let db = TestDatabase::create()
            .await
            .expect("test database (is MariaDB running on 127.0.0.1:3306?)");
        let dir = std::env::temp_dir().join(format!(
            "delegate-manage-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Env { db, dir }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    fn manage(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_delegate-manage"))
            .args([
                "--config-file",
                self.write("delegate.conf", "[DEFAULT]\n")
                    .to_str()
                    .unwrap_or_default(),
            ])
            .args(args)
            .env("DELEGATE_STORAGE_SQLALCHEMY__CONNECTION", self.db.url())
            .output()
            .expect("run delegate-manage")
    }

    /// Every pool row and child row, as text, in a stable order.
    async fn rows(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (table, cols) in [
            ("pools", "id, name, COALESCE(description, '-'), version"),
            ("pool_ns_records", "id, pool_id, hostname, priority"),
            ("pool_attributes", "id, pool_id, `key`, value"),
            ("pool_nameservers", "id, pool_id, host, port"),
            (
                "pool_targets",
                "id, pool_id, type, COALESCE(description, '-')",
            ),
            ("pool_target_masters", "id, pool_target_id, host, port"),
            ("pool_target_options", "id, pool_target_id, `key`, value"),
            ("pool_also_notifies", "id, pool_id, host, port"),
        ] {
            let sql = format!("SELECT CONCAT_WS('|', {cols}) FROM {table} ORDER BY id");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.db.storage().pool())
                .await
                .expect("query");
            out.extend(
                rows.iter()
                    .map(|r| format!("{table}: {}", r.get::<String, _>(0))),
            );
        }
        out
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn pool_update_is_idempotent_and_show_prints_the_pool() {
    let env = Env::new().await;
    let file = env.write("pools.yaml", POOLS);
    let first = env.manage(&[
        "pool",
        "update",
        "--file",
        file.to_str().unwrap_or_default(),
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Update Pool: default (794ccc2c-d751-44fe-b57f-8894c9f5c842)"),
        "{}",
        stdout(&first)
    );
    assert!(
        stdout(&first).contains("Create Pool: second (5b0a8f2c-7f1d-4c8e-9a52-3f0e7d8c1a11)"),
        "{}",
        stdout(&first)
    );
    let rows = env.rows().await;
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("pools:")).count(),
        2,
        "the seeded default pool was updated in place"
    );

    let second = env.manage(&[
        "pool",
        "update",
        "--file",
        file.to_str().unwrap_or_default(),
    ]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("Unchanged Pool: default"),
        "{}",
        stdout(&second)
    );
    assert_eq!(
        env.rows().await,
        rows,
        "applying the same file again changes no row"
    );

    let show = env.manage(&["pool", "show"]);
    assert!(show.status.success(), "{}", stderr(&show));
    let expected = "Pool Configuration:\n-------------------\n\
        also_notifies:\n- host: 192.0.2.4\n  port: 53\n\
        attributes:\n  service_tier: gold\n\
        description: Default BIND9 pool\n\
        id: 794ccc2c-d751-44fe-b57f-8894c9f5c842\n\
        name: default\n\
        nameservers:\n- host: 192.0.2.2\n  port: 53\n\
        ns_records:\n- hostname: ns2.example.org.\n  priority: 2\n- hostname: ns1.example.org.\n  priority: 1\n\
        targets:\n- description: BIND9 server 1\n  masters:\n  - host: 192.0.2.1\n    port: 5354\n  - host: 192.0.2.5\n    port: 5354\n  \
        options:\n    clean_zonefile: 'false'\n    host: 192.0.2.2\n    port: '53'\n    rndc_port: '953'\n  type: bind9\n\n";
    assert_eq!(stdout(&show), expected);

    let other = env.manage(&[
        "pool",
        "show_config",
        "--pool_id",
        "5b0a8f2c7f1d4c8e9a523f0e7d8c1a11",
    ]);
    assert!(
        stdout(&other).contains("name: second\n"),
        "{}",
        stdout(&other)
    );
}

#[tokio::test]
async fn a_changed_file_replaces_the_children() {
    let env = Env::new().await;
    let file = env.write("pools.yaml", POOLS);
    assert!(
        env.manage(&[
            "pool",
            "update",
            "--file",
            file.to_str().unwrap_or_default()
        ])
        .status
        .success()
    );
    let changed = POOLS
        .replace("rndc_port: 953", "rndc_port: 1953")
        .replace("192.0.2.5", "192.0.2.6");
    let file = env.write("pools.yaml", &changed);
    let dry = env.manage(&[
        "pool",
        "update",
        "--dry-run",
        "--file",
        file.to_str().unwrap_or_default(),
    ]);
    assert!(
        stdout(&dry).contains("Update Pool: default"),
        "{}",
        stdout(&dry)
    );
    let before = env.rows().await;
    assert!(
        before.iter().any(|r| r.ends_with("|rndc_port|953")),
        "dry run wrote nothing"
    );
    let run = env.manage(&[
        "pool",
        "update",
        "--file",
        file.to_str().unwrap_or_default(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let after = env.rows().await;
    assert!(
        after.iter().any(|r| r.ends_with("|rndc_port|1953")),
        "{after:#?}"
    );
    assert!(
        after.iter().any(|r| r.ends_with("|192.0.2.6|5354")),
        "{after:#?}"
    );
    assert!(
        !after.iter().any(|r| r.contains("192.0.2.5")),
        "old master removed: {after:#?}"
    );
    assert_eq!(
        after
            .iter()
            .filter(|r| r.starts_with("pool_ns_records:"))
            .collect::<Vec<_>>(),
        before
            .iter()
            .filter(|r| r.starts_with("pool_ns_records:"))
            .collect::<Vec<_>>(),
        "unchanged lists keep their rows"
    );
}

#[tokio::test]
async fn bad_files_are_refused_and_nothing_is_written() {
    let env = Env::new().await;
    let before = env.rows().await;
    let broken = env.write("broken.yaml", "- name: default\n  targets: [\n");
    let out = env.manage(&[
        "pool",
        "update",
        "--file",
        broken.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("broken.yaml is not valid pools.yaml"),
        "{}",
        stderr(&out)
    );

    // The first entry is fine, the second is not: neither is written.
    let half = POOLS.replace(
        "hostname: ns.second.example.",
        "hostname: ns.second.example",
    );
    let half = env.write("half.yaml", &half);
    let out = env.manage(&[
        "pool",
        "update",
        "--file",
        half.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("ns_records[0].hostname: \"ns.second.example\" is not a fully qualified"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.rows().await, before);

    // An id that is new while the name is taken.
    let conflict = env.write(
        "conflict.yaml",
        "- name: default\n  id: 11111111-2222-3333-4444-555555555555\n  targets: [{type: fake}]\n",
    );
    let out = env.manage(&[
        "pool",
        "update",
        "--file",
        conflict.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("Pool default already exist with id 794ccc2c-d751-44fe-b57f-8894c9f5c842"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.rows().await, before);

    let missing = env.manage(&[
        "pool",
        "show",
        "--pool-id",
        "11111111-2222-3333-4444-555555555555",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("Pool not found"),
        "{}",
        stderr(&missing)
    );
}
