//! Test scaffolding: each test gets its own exchange (`delegate_test_<hex>`)
//! and topic names, and deletes every queue and exchange it declared.
#![allow(dead_code, clippy::unwrap_used)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use delegate_bus::{Bus, BusConfig, Handler, RemoteError, Request};
use futures::FutureExt;
use lapin::options::{ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

pub const BROKER: &str = "rabbit://guest:guest@127.0.0.1:5672/";
const RAW_BROKER: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
pub const VERSION: &str = "6.12";

#[derive(Clone)]
pub struct Env {
    pub exchange: String,
    suffix: String,
    queues: Arc<Mutex<Vec<String>>>,
    exchanges: Arc<Mutex<Vec<String>>>,
}

/// Runs a test body, then cleans up even when the body panicked.
pub async fn run<F, Fut>(test: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let env = Env::new();
    let outcome = AssertUnwindSafe(test(env.clone())).catch_unwind().await;
    env.cleanup().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

impl Env {
    fn new() -> Self {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let exchange = format!("delegate_test_{suffix}");
        Self {
            exchanges: Arc::new(Mutex::new(vec![exchange.clone()])),
            exchange,
            suffix,
            queues: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A topic unique to this test (queues are per vhost, not per exchange).
    pub fn topic(&self, name: &str) -> String {
        let topic = format!("{name}_{}", &self.suffix[..12]);
        self.forget_later_queue(&topic);
        topic
    }

    /// Registers the queues and fanout exchange a server of `topic` on `host` declares.
    pub fn served(&self, topic: &str, host: &str) {
        self.forget_later_queue(&format!("{topic}.{host}"));
        self.exchanges
            .lock()
            .unwrap()
            .push(format!("{topic}_fanout"));
    }

    pub fn forget_later_queue(&self, queue: &str) {
        self.queues.lock().unwrap().push(queue.to_owned());
    }

    pub fn config(&self, host: &str, timeout: Duration) -> BusConfig {
        self.config_for(BROKER, host, timeout)
    }

    pub fn config_for(&self, url: &str, host: &str, timeout: Duration) -> BusConfig {
        BusConfig::from_transport_url(url, &self.exchange, host, timeout).unwrap()
    }

    /// A bus whose reply queue is deleted at cleanup.
    pub async fn bus(&self, host: &str, timeout: Duration) -> Bus {
        self.bus_with(self.config(host, timeout)).await
    }

    pub async fn bus_with(&self, cfg: BusConfig) -> Bus {
        let bus = Bus::connect(cfg).await.unwrap();
        self.forget_later_queue(bus.reply_queue());
        bus
    }

    async fn cleanup(&self) {
        let conn = raw_connection().await;
        let queues = self.queues.lock().unwrap().clone();
        for queue in queues {
            let ch = conn.create_channel().await.unwrap();
            let _ = ch
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
            let _ = ch.close(200, "OK".into()).await;
        }
        let exchanges = self.exchanges.lock().unwrap().clone();
        for exchange in exchanges {
            let ch = conn.create_channel().await.unwrap();
            let _ = ch
                .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                .await;
            let _ = ch.close(200, "OK".into()).await;
        }
        let _ = conn.close(200, "OK".into()).await;
    }
}

pub async fn raw_connection() -> Connection {
    Connection::connect(RAW_BROKER, ConnectionProperties::default())
        .await
        .unwrap()
}

/// Waits until `queue` has `consumers` consumers (servers are consuming).
pub async fn wait_consumers(queue: &str, consumers: u32) {
    let conn = raw_connection().await;
    for _ in 0..100 {
        let ch = conn.create_channel().await.unwrap();
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let declared = ch
            .queue_declare(queue.into(), passive, FieldTable::default())
            .await;
        let _ = ch.close(200, "OK".into()).await;
        if declared.is_ok_and(|q| q.consumer_count() >= consumers) {
            let _ = conn.close(200, "OK".into()).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("queue {queue} never got {consumers} consumer(s)");
}

/// Messages waiting in `queue` (not delivered or not yet acknowledged… only ready ones).
pub async fn ready_messages(queue: &str) -> u32 {
    let conn = raw_connection().await;
    let ch = conn.create_channel().await.unwrap();
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let q = ch
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .unwrap();
    let _ = ch.close(200, "OK".into()).await;
    let _ = conn.close(200, "OK".into()).await;
    q.message_count()
}

pub fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

pub fn ctx() -> Map<String, Value> {
    map(json!({"project_id": "p1", "request_id": "req-1", "is_admin": false}))
}

/// Starts `serve` in a task; the returned sender stops it, the handle awaits it.
pub fn spawn_server<H: Handler>(
    bus: &Bus,
    topic: &str,
    handler: Arc<H>,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), delegate_bus::BusError>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let bus = bus.clone();
    let topic = topic.to_owned();
    let task = tokio::spawn(async move {
        bus.serve(&topic, VERSION, handler, async move {
            let _ = stopped.await;
        })
        .await
    });
    (stop, task)
}

/// Echoes the request back; `fail` raises a Designate error; `panic` panics;
/// `sleep` sleeps `args.ms` milliseconds; anything else is NoSuchMethod.
pub struct Echo {
    pub name: String,
    pub seen: Mutex<Vec<Value>>,
}

impl Echo {
    pub fn new(name: &str) -> Arc<Self> {
        Arc::new(Self {
            name: name.into(),
            seen: Mutex::new(Vec::new()),
        })
    }

    pub fn seen(&self) -> Vec<Value> {
        self.seen.lock().unwrap().clone()
    }
}

impl Handler for Echo {
    async fn handle(&self, req: Request) -> Result<Value, RemoteError> {
        self.seen
            .lock()
            .unwrap()
            .push(Value::Object(req.args.clone()));
        match req.method.as_str() {
            "echo" => Ok(json!({
                "server": self.name,
                "args": req.args,
                "context": req.context,
                "version": req.version,
            })),
            "sleep" => {
                let ms = req.args.get("ms").and_then(Value::as_u64).unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(json!({"server": self.name, "slept": ms}))
            }
            "fail" => Err(RemoteError::new(
                "ZoneNotFound",
                "designate.exceptions",
                "Could not find Zone",
            )),
            "panic" => panic!("boom"),
            other => Err(RemoteError::no_such_method(other)),
        }
    }
}

/// Broker-side pids (as `close_connection` takes them) of the connections
/// whose `connection_name` client property is `name`.
pub fn connection_pids(name: &str) -> Vec<String> {
    let out = std::process::Command::new("rabbitmqctl")
        .args([
            "-q",
            "--no-table-headers",
            "list_connections",
            "pid",
            "client_properties",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Lines read `<pid>\t[{...},{"connection_name","NAME"},...]`.
    let wanted = format!("{{\"connection_name\",\"{name}\"}}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains(&wanted))
        .filter_map(|line| line.split('\t').next().map(str::to_owned))
        .collect()
}

/// Makes the broker drop our bus's connection (only that one, found by its name).
pub fn kill_connection(name: &str) {
    let pids = connection_pids(name);
    assert_eq!(pids.len(), 1, "expected one connection named {name}");
    let out = std::process::Command::new("rabbitmqctl")
        .args([
            "-q",
            "close_connection",
            &pids[0],
            "delegate-bus reconnect test",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
