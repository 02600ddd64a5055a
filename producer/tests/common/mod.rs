//! Real `delegate-producer` processes on loopback, each with its own config,
//! data directory and log, in a RabbitMQ vhost of their own; and the
//! producers' records ("task run" log lines, `/group/status`) read back.

#![allow(dead_code)]

pub mod proxy;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A started producer; SIGKILLed on drop if still running.
pub struct Producer {
    pub n: usize,
    /// Where its Raft HTTP service listens (behind the proxy, if any).
    pub listen: SocketAddr,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl Producer {
    pub fn log(&self) -> PathBuf {
        self.dir.join(format!("producer{}.log", self.n))
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join(format!("data{}", self.n))
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "KILL");
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for the clean stop (it leaves the group).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "TERM");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            signal(child.id(), "KILL");
            let _ = child.wait();
        }
    }

    pub fn status(&self) -> Option<Value> {
        http_get(self.listen, "/group/status").and_then(|t| serde_json::from_str(&t).ok())
    }

    /// The task runs this producer recorded in its log.
    pub fn runs(&self) -> Vec<Run> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        text.lines().filter_map(Run::parse).collect()
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status();
}

/// One "task run" line.
#[derive(Debug, Clone)]
pub struct Run {
    pub task: String,
    pub first: u16,
    pub last: u16,
    pub member: String,
    pub slot: u64,
    pub outcome: String,
}

impl Run {
    fn parse(line: &str) -> Option<Run> {
        if !line.contains(" task run ") {
            return None;
        }
        let field = |name: &str| {
            let start = line.find(&format!(" {name}="))? + name.len() + 2;
            let rest = &line[start..];
            let end = rest.find(' ').unwrap_or(rest.len());
            Some(rest[..end].trim_matches('"').to_owned())
        };
        let shards = field("shards")?;
        let (first, last) = shards.split_once('-')?;
        Some(Run {
            task: field("task")?,
            first: first.parse().ok()?,
            last: last.parse().ok()?,
            member: field("member")?,
            slot: field("slot")?.parse().ok()?,
            outcome: field("outcome")?,
        })
    }
}

/// A group of producers sharing a vhost and a peer list.
pub struct Group {
    pub id: String,
    pub dir: PathBuf,
    pub vhost: String,
    /// Where each producer listens, and where its peers dial it.
    pub listen: Vec<SocketAddr>,
    pub advertise: Vec<SocketAddr>,
    pub proxies: Option<proxy::Proxies>,
    pub producers: Vec<Producer>,
    pub interval_s: u32,
}

impl Group {
    /// Starts `n` producers listing each other as peers, running
    /// `worker_periodic_recovery` every `interval_s` seconds.
    pub fn start(n: usize, interval_s: u32) -> Group {
        Group::start_with(n, interval_s, false)
    }

    /// With `proxied`, producer `i` listens on 127.0.0.(11+i) behind a
    /// [`proxy::Proxies`] proxy on 127.0.0.1 that its peers dial.
    pub fn start_with(n: usize, interval_s: u32, proxied: bool) -> Group {
        let id = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        let dir = target_dir().join("producer-tests").join(&id);
        std::fs::create_dir_all(&dir).expect("test directory");
        let vhost = format!("delegate_producer_{id}");
        rabbitmqctl(&["add_vhost", &vhost]);
        rabbitmqctl(&["set_permissions", "-p", &vhost, "guest", ".*", ".*", ".*"]);
        let ip = |i: usize| -> IpAddr {
            if proxied {
                [127, 0, 0, 11 + i as u8].into()
            } else {
                [127, 0, 0, 1].into()
            }
        };
        let listen: Vec<SocketAddr> = (0..n)
            .map(|i| SocketAddr::new(ip(i), free_port_on(ip(i))))
            .collect();
        let (advertise, proxies) = if proxied {
            let proxies = proxy::Proxies::default();
            let advertise: Vec<SocketAddr> = (0..n)
                .map(|_| SocketAddr::new([127, 0, 0, 1].into(), free_port()))
                .collect();
            for i in 0..n {
                proxies.add(i, advertise[i], listen[i]);
            }
            (advertise, Some(proxies))
        } else {
            (listen.clone(), None)
        };
        let mut group = Group {
            id,
            dir,
            vhost,
            listen,
            advertise,
            proxies,
            producers: Vec::new(),
            interval_s,
        };
        for i in 0..n {
            let p = group.spawn(i);
            group.producers.push(p);
        }
        group
    }

    pub fn config(&self, i: usize) -> String {
        let peers: Vec<String> = self.advertise.iter().map(SocketAddr::to_string).collect();
        format!(
            "[DEFAULT]\nhost = p{i}-{id}\n\
             transport_url = rabbit://guest:guest@127.0.0.1:5672/{vhost}\n\
             control_exchange = {vhost}\n\
             [heartbeat_emitter]\nemitter_type = noop\n\
             [service:producer]\nenabled_tasks = worker_periodic_recovery\n\
             raft_listen = {listen}\nraft_advertise = {advertise}\nraft_peers = {peers}\n\
             raft_data_dir = {data}\nraft_lease_duration = 1\n\
             [producer_task:worker_periodic_recovery]\ninterval = {interval}\n",
            id = self.id,
            vhost = self.vhost,
            listen = self.listen[i],
            advertise = self.advertise[i],
            peers = peers.join(", "),
            data = self.dir.join(format!("data{i}")).display(),
            interval = self.interval_s,
        )
    }

    /// Starts producer `i` (again, with the same config and data directory).
    pub fn spawn(&self, i: usize) -> Producer {
        let conf = self.dir.join(format!("producer{i}.conf"));
        std::fs::write(&conf, self.config(i)).expect("write config");
        let child = spawn_producer(&conf, &self.dir.join(format!("producer{i}.log")));
        Producer {
            n: i,
            listen: self.listen[i],
            dir: self.dir.clone(),
            child: Some(child),
        }
    }

    pub fn restart(&mut self, i: usize) {
        self.producers[i] = self.spawn(i);
    }

    /// Waits until every running producer holds a settled lease on `members`
    /// members' split; panics after `timeout`.
    pub fn wait_owned(&self, members: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.owned_by_running() == Some(members) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the group did not settle on {members} members"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// How many running producers hold disjoint leases covering all 4096
    /// shards under one epoch, if they do.
    pub fn owned_by_running(&self) -> Option<usize> {
        let running: Vec<usize> = (0..self.producers.len())
            .filter(|i| self.producers[*i].pid().is_some())
            .collect();
        self.owned_by(&running)
    }

    /// Like [`Group::owned_by_running`], over the producers in `which`.
    pub fn owned_by(&self, which: &[usize]) -> Option<usize> {
        let mut ranges = Vec::new();
        let mut epochs = Vec::new();
        for p in which.iter().map(|i| &self.producers[*i]) {
            let status = p.status()?;
            let owned = status.get("owned")?.as_array()?;
            ranges.push((owned.first()?.as_u64()?, owned.get(1)?.as_u64()?));
            epochs.push(status.get("owned_epoch")?.as_u64()?);
        }
        epochs.dedup();
        if epochs.len() != 1 {
            return None;
        }
        ranges.sort();
        let mut next = 0;
        for (first, last) in &ranges {
            if *first != next {
                return None;
            }
            next = last + 1;
        }
        (next == 4096).then_some(ranges.len())
    }

    /// The leader's index, as the producers report it.
    pub fn leader(&self) -> Option<usize> {
        let statuses: Vec<Value> = self.producers.iter().filter_map(Producer::status).collect();
        let leader = statuses.first()?.get("leader")?.as_u64()?;
        self.producers.iter().position(|p| {
            p.status()
                .and_then(|s| s.get("node_id").and_then(Value::as_u64))
                == Some(leader)
        })
    }

    /// Every run recorded by every producer (also stopped ones).
    pub fn runs(&self) -> Vec<Run> {
        self.producers.iter().flat_map(Producer::runs).collect()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        for p in &mut self.producers {
            p.kill();
        }
        rabbitmqctl(&["delete_vhost", &self.vhost]);
    }
}

/// How many times each shard ran in each slot: `slot → [count; 4096]`.
pub fn coverage(runs: &[Run]) -> BTreeMap<u64, Vec<u32>> {
    let mut slots: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for run in runs {
        let counts = slots.entry(run.slot).or_insert_with(|| vec![0; 4096]);
        for shard in run.first..=run.last {
            counts[usize::from(shard)] += 1;
        }
    }
    slots
}

/// The current wall-clock slot of an `interval_s` task.
pub fn current_slot(interval_s: u32) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    now.as_secs() / u64::from(interval_s)
}

pub fn spawn_producer(conf: &Path, log: &Path) -> Child {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open log");
    let err = out.try_clone().expect("log handle");
    Command::new(env!("CARGO_BIN_EXE_delegate-producer"))
        .arg("--config-file")
        .arg(conf)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info,lapin=error,openraft=error")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start delegate-producer")
}

fn target_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_delegate-producer"));
    exe.parent()
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
}

pub fn rabbitmqctl(args: &[&str]) {
    let status = Command::new("rabbitmqctl")
        .arg("-q")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run rabbitmqctl");
    assert!(status.success(), "rabbitmqctl {args:?} failed");
}

pub fn free_port() -> u16 {
    free_port_on([127, 0, 0, 1].into())
}

pub fn free_port_on(ip: IpAddr) -> u16 {
    let listener = std::net::TcpListener::bind((ip, 0)).expect("bind");
    listener.local_addr().expect("address").port()
}

/// A plain HTTP/1.0 GET on loopback (no client library needed in tests).
pub fn http_get(addr: SocketAddr, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.")
        .then(|| body.to_owned())
        .filter(|_| head.contains(" 200 "))
}

/// A plain HTTP/1.0 POST of a JSON body; the response body on 200.
pub fn http_post(addr: SocketAddr, path: &str, body: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.contains(" 200 ").then(|| body.to_owned())
}
