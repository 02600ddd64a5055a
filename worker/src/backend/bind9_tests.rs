use std::path::PathBuf;

use delegate_model::KeyValue;
use uuid::Uuid;

use super::*;

const ZONE_ID: &str = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";

fn zone() -> Zone {
    Zone {
        id: Uuid::try_parse(ZONE_ID).ok(),
        name: "example.com.".into(),
        ..Zone::default()
    }
}

fn target(options: &[(&str, &str)]) -> PoolTarget {
    PoolTarget {
        backend: "bind9".into(),
        masters: vec![HostPort {
            host: "192.0.2.1".into(),
            port: 5354,
        }],
        options: options
            .iter()
            .map(|(k, v)| KeyValue {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
        ..PoolTarget::default()
    }
}

fn masters() -> Vec<HostPort> {
    vec![
        HostPort {
            host: "192.0.2.1".into(),
            port: 5354,
        },
        HostPort {
            host: "192.0.2.2".into(),
            port: 5355,
        },
    ]
}

fn bind9(options: &[(&str, &str)]) -> Bind9 {
    Bind9::from_target(&target(options)).expect("valid options")
}

#[test]
fn addzone_argv_with_defaults() {
    let argv = bind9(&[]).addzone_argv(&zone(), &masters()).expect("argv");
    assert_eq!(
        argv,
        [
            "rndc",
            "-s",
            "127.0.0.1",
            "-p",
            "953",
            "addzone",
            // No view: Designate's double space is kept.
            "example.com  { type slave; masters { 192.0.2.1 port 5354; 192.0.2.2 port 5355;}; \
             file \"slave.example.com.a86dba58-0043-4cc6-a1bb-69d5e86f3ca3\"; };",
        ]
    );
}

#[test]
fn every_option_shapes_the_base_command_and_view() {
    let b = bind9(&[
        ("rndc_host", "192.0.2.9"),
        ("rndc_port", "1953"),
        ("rndc_config_file", "/etc/bind/rndc.conf"),
        ("rndc_key_file", "/etc/bind/rndc.key"),
        ("rndc_bin_path", "/usr/sbin/rndc"),
        ("view", "external"),
    ]);
    let argv = b.modzone_argv(&zone(), &masters()[..1]).expect("argv");
    assert_eq!(
        argv,
        [
            "/usr/sbin/rndc",
            "-s",
            "192.0.2.9",
            "-p",
            "1953",
            "-c",
            "/etc/bind/rndc.conf",
            "-k",
            "/etc/bind/rndc.key",
            "modzone",
            "example.com in external { type slave; masters { 192.0.2.1 port 5354;}; \
             file \"slave.example.com.a86dba58-0043-4cc6-a1bb-69d5e86f3ca3\"; };",
        ]
    );
    assert_eq!(
        b.showzone_argv(&zone()).expect("argv")[9..],
        ["showzone", "example.com in external"]
    );
}

#[test]
fn delzone_argv_cleans_on_hard_delete_or_option() {
    let plain = bind9(&[]);
    assert_eq!(
        plain.delzone_argv(&zone(), false).expect("argv")[5..],
        ["delzone", "example.com "]
    );
    assert_eq!(
        plain.delzone_argv(&zone(), true).expect("argv")[5..],
        ["delzone", "-clean", "example.com "]
    );
    let clean = bind9(&[("clean_zonefile", "True"), ("view", "v1")]);
    assert_eq!(
        clean.delzone_argv(&zone(), false).expect("argv")[5..],
        ["delzone", "-clean", "example.com in v1"]
    );
}

#[test]
fn bad_options_and_names_are_refused() {
    assert!(matches!(
        Bind9::from_target(&target(&[("rndc_port", "x")])),
        Err(BackendError::BadOption {
            option: "rndc_port",
            ..
        })
    ));
    assert!(matches!(
        Bind9::from_target(&target(&[("clean_zonefile", "maybe")])),
        Err(BackendError::BadOption {
            option: "clean_zonefile",
            ..
        })
    ));
    let evil = Zone {
        name: "x.com; }; zone y {".into(),
        ..zone()
    };
    assert!(matches!(
        bind9(&[]).addzone_argv(&evil, &masters()),
        Err(BackendError::BadZoneName(_))
    ));
}

#[test]
fn rndc_timeout_zero_means_none() {
    assert_eq!(bind9(&[("rndc_timeout", "0")]).timeout, None);
    assert_eq!(
        bind9(&[("rndc_timeout", "2.5")]).timeout,
        Some(Duration::from_millis(2500))
    );
}

/// A stand-in `rndc`: logs its arguments (one per line, then `--`) and, when
/// the operation is listed in `failures`, prints that message and exits 1.
struct FakeRndc {
    dir: PathBuf,
}

impl FakeRndc {
    fn new(failures: &[(&str, &str)]) -> FakeRndc {
        let dir =
            std::env::temp_dir().join(format!("delegate-fake-rndc-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut script = format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\" >> {}/log; done\necho -- >> {}/log\n",
            dir.display(),
            dir.display()
        );
        for (op, message) in failures {
            script.push_str(&format!(
                "if [ \"$5\" = \"{op}\" ]; then echo \"{message}\" >&2; exit 1; fi\n"
            ));
        }
        // Written under another name and installed by a child process: if this
        // process wrote the executable itself, a fork by another test thread
        // could inherit the write descriptor and exec would fail with ETXTBSY.
        let source = dir.join("rndc.src");
        std::fs::write(&source, script).expect("write script");
        let installed = std::process::Command::new("install")
            .arg("-m755")
            .arg(&source)
            .arg(dir.join("rndc"))
            .status()
            .expect("run install");
        assert!(installed.success(), "install the fake rndc");
        FakeRndc { dir }
    }

    fn backend(&self) -> Bind9 {
        bind9(&[(
            "rndc_bin_path",
            &self.dir.join("rndc").display().to_string(),
        )])
    }

    /// The operations run, in order.
    fn ops(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        log.split("--\n")
            .filter(|c| !c.is_empty())
            .filter_map(|c| c.lines().nth(4).map(str::to_owned))
            .collect()
    }
}

impl Drop for FakeRndc {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn create_ignores_already_exists_but_not_other_errors() {
    let rndc = FakeRndc::new(&[("addzone", "rndc: 'addzone' failed: already exists")]);
    rndc.backend()
        .create_zone(&zone())
        .await
        .expect("already exists is fine");
    let rndc = FakeRndc::new(&[("addzone", "rndc: 'addzone' failed: permission denied")]);
    let err = rndc
        .backend()
        .create_zone(&zone())
        .await
        .expect_err("must fail");
    assert!(err.to_string().contains("permission denied"), "{err}");
    assert!(!err.can_pass(), "named refused: a definite failure");
}

#[tokio::test]
async fn update_creates_a_missing_zone_and_modifies_an_existing_one() {
    let rndc = FakeRndc::new(&[("showzone", "rndc: 'showzone' failed: not found")]);
    rndc.backend().update_zone(&zone()).await.expect("created");
    assert_eq!(rndc.ops(), ["showzone", "addzone"]);
    let rndc = FakeRndc::new(&[("modzone", "rndc: 'modzone' failed: whatever")]);
    rndc.backend()
        .update_zone(&zone())
        .await
        .expect("modzone errors are ignored");
    assert_eq!(rndc.ops(), ["showzone", "modzone"]);
    let rndc = FakeRndc::new(&[("showzone", "rndc: connection refused")]);
    assert!(rndc.backend().update_zone(&zone()).await.is_err());
}

#[tokio::test]
async fn delete_ignores_not_found() {
    let rndc = FakeRndc::new(&[("delzone", "rndc: 'delzone' failed: not found")]);
    rndc.backend()
        .delete_zone(&zone(), false)
        .await
        .expect("not found is fine");
    let rndc = FakeRndc::new(&[(
        "delzone",
        "rndc: connect failed: 127.0.0.1#953: connection refused",
    )]);
    let err = rndc
        .backend()
        .delete_zone(&zone(), false)
        .await
        .expect_err("named is down");
    assert!(
        err.can_pass(),
        "an unreachable named is worth retrying: {err}"
    );
}

#[test]
fn modzone_is_skipped_only_when_bind_has_the_same_masters() {
    // What `rndc showzone` prints on BIND 9.18 (masters in another order).
    let shown = "zone \"example.com\" { type secondary; file \"slave.example.com.x\"; \
                 primaries { 192.0.2.2 port 5355; 192.0.2.1 port 5354; }; };";
    assert!(same_masters(shown, &masters()));
    let older = shown.replace("primaries", "masters");
    assert!(same_masters(&older, &masters()));
    assert!(!same_masters(shown, &masters()[..1]));
    assert!(!same_masters(
        "zone \"example.com\" { type secondary; };",
        &masters()
    ));
}

#[tokio::test]
async fn a_missing_rndc_binary_fails_the_action() {
    let b = bind9(&[("rndc_bin_path", "/nonexistent/rndc")]);
    let err = b.create_zone(&zone()).await.expect_err("no binary");
    assert!(
        err.to_string().contains("cannot run /nonexistent/rndc"),
        "{err}"
    );
}
