//! Bad group configuration: a clear error naming the option, never a
//! producer that runs shards on its own. Needs RabbitMQ and rabbitmqctl.

mod common;

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{free_port, rabbitmqctl, spawn_producer};

struct Scratch {
    dir: std::path::PathBuf,
    vhost: String,
}

impl Scratch {
    fn new() -> Scratch {
        let id = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        let exe = Path::new(env!("CARGO_BIN_EXE_delegate-producer"));
        let dir = exe
            .parent()
            .map_or_else(std::env::temp_dir, Path::to_path_buf);
        let dir = dir.join("producer-tests").join(&id);
        std::fs::create_dir_all(&dir).expect("test directory");
        let vhost = format!("delegate_producer_{id}");
        rabbitmqctl(&["add_vhost", &vhost]);
        rabbitmqctl(&["set_permissions", "-p", &vhost, "guest", ".*", ".*", ".*"]);
        Scratch { dir, vhost }
    }

    /// Starts a producer with `producer` as its `[service:producer]` lines.
    fn start(&self, name: &str, producer: &str) -> (Child, std::path::PathBuf) {
        let conf = self.dir.join(format!("{name}.conf"));
        let text = format!(
            "[DEFAULT]\ntransport_url = rabbit://guest:guest@127.0.0.1:5672/{vhost}\n\
             control_exchange = {vhost}\n[heartbeat_emitter]\nemitter_type = noop\n\
             [service:producer]\nenabled_tasks = worker_periodic_recovery\n{producer}\n\
             [producer_task:worker_periodic_recovery]\ninterval = 1\n",
            vhost = self.vhost
        );
        std::fs::write(&conf, text).expect("write config");
        let log = self.dir.join(format!("{name}.log"));
        (spawn_producer(&conf, &log), log)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        rabbitmqctl(&["delete_vhost", &self.vhost]);
    }
}

/// Waits for the process to exit; its log.
fn exits_with(mut child: Child, log: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(!status.success(), "a bad configuration must not start");
            return std::fs::read_to_string(log).unwrap_or_default();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running with a bad configuration");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_group_settings_name_the_option() {
    let s = Scratch::new();
    let me = format!("127.0.0.1:{}", free_port());
    let other = format!("127.0.0.1:{}", free_port());

    let file = s.dir.join("a-file");
    std::fs::write(&file, "").expect("file");
    let (child, log) = s.start(
        "unwritable",
        &format!(
            "raft_listen = {me}\nraft_peers = {me}, {other}\nraft_data_dir = {}/data",
            file.display()
        ),
    );
    let text = exits_with(child, &log);
    assert!(text.contains("raft_data_dir"), "{text}");

    let (child, log) = s.start("no-listen", &format!("raft_peers = {me}, {other}"));
    let text = exits_with(child, &log);
    assert!(text.contains("raft_listen is required"), "{text}");

    let (child, log) = s.start(
        "not-in-peers",
        &format!("raft_listen = {me}\nraft_peers = {other}"),
    );
    let text = exits_with(child, &log);
    assert!(text.contains("raft_peers must list"), "{text}");
}

#[test]
fn unreachable_peers_are_reported_and_nothing_runs() {
    let s = Scratch::new();
    let me = format!("127.0.0.1:{}", free_port());
    let peers = format!("{me}, 127.0.0.1:{}, 127.0.0.1:{}", free_port(), free_port());
    let data = s.dir.join("data");
    let (mut child, log) = s.start(
        "alone",
        &format!(
            "raft_listen = {me}\nraft_peers = {peers}\nraft_data_dir = {}",
            data.display()
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut text = String::new();
    while Instant::now() < deadline && !text.contains("raft_peers: no group to join") {
        std::thread::sleep(Duration::from_millis(100));
        text = std::fs::read_to_string(&log).unwrap_or_default();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("raft_peers: no group to join"), "{text}");
    assert!(
        !text.contains("task run"),
        "a producer without a quorum ran tasks:\n{text}"
    );
}

#[test]
fn without_peers_a_producer_owns_every_shard_and_counts_its_runs() {
    let s = Scratch::new();
    let port = free_port();
    let (mut child, log) = s.start("alone", &format!("raft_listen = 127.0.0.1:{port}"));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(10);
    let counted =
        "delegate_producer_task_runs_total{task=\"worker_periodic_recovery\",outcome=\"success\"}";
    let mut metrics = String::new();
    while Instant::now() < deadline && !metrics.contains(counted) {
        std::thread::sleep(Duration::from_millis(100));
        metrics = common::http_get(addr, "/metrics").unwrap_or_default();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(metrics.contains(counted), "{metrics}");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.lines()
            .any(|l| l.contains("task run") && l.contains("shards=0-4095")),
        "{text}"
    );
}
