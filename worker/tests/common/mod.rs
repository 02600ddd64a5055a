//! Test helpers: a tiny DNS server on 127.0.0.1 that answers SOA queries
//! with a serial the test sets (0 = "no such zone": REFUSED, empty answer)
//! and records the NOTIFYs it receives, and a central that records reports.

#![allow(dead_code)] // each test file uses its own part

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use delegate_config::{Config, Worker};
use delegate_model::{Action, Error, HostPort, KeyValue, PoolNameserver, PoolTarget, Status};
use delegate_storage::zones::ZoneProgress;
use delegate_worker::dns_exchange::zone_name;
use delegate_worker::poll::Report;
use delegate_worker::zone_action::{BoxFuture, CentralPort};
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{Name, RData, Record};
use tokio::net::UdpSocket;
use uuid::Uuid;

/// The in-test nameserver.
pub struct Responder {
    pub port: u16,
    pub serial: Arc<AtomicU32>,
    notifies: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Responder {
    pub async fn start(serial: u32) -> Responder {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let port = socket.local_addr().expect("addr").port();
        let serial = Arc::new(AtomicU32::new(serial));
        let notifies = Arc::new(Mutex::new(Vec::new()));
        let (s, n) = (serial.clone(), notifies.clone());
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((len, from)) = socket.recv_from(&mut buf).await {
                let Ok(request) = Message::from_vec(&buf[..len]) else {
                    continue;
                };
                let reply = answer(&request, s.load(Ordering::SeqCst), &n);
                if let Ok(wire) = reply.to_vec() {
                    let _ = socket.send_to(&wire, from).await;
                }
            }
        });
        Responder {
            port,
            serial,
            notifies,
            task,
        }
    }

    pub fn set_serial(&self, serial: u32) {
        self.serial.store(serial, Ordering::SeqCst);
    }

    pub fn notified(&self) -> Vec<String> {
        self.notifies.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(request: &Message, serial: u32, notifies: &Mutex<Vec<String>>) -> Message {
    let mut reply = Message::new(
        request.metadata.id,
        MessageType::Response,
        request.metadata.op_code,
    );
    reply.add_queries(request.queries.clone());
    reply.metadata.authoritative = true;
    let Some(q) = request.queries.first() else {
        return reply;
    };
    if request.metadata.op_code == OpCode::Notify {
        if let Ok(mut n) = notifies.lock() {
            n.push(q.name.to_ascii());
        }
        return reply;
    }
    if serial == 0 {
        reply.metadata.authoritative = false;
        reply.metadata.response_code = ResponseCode::Refused;
        return reply;
    }
    let soa = SOA::new(
        name("ns1.example.org."),
        name("admin.example.org."),
        serial,
        3600,
        600,
        86400,
        300,
    );
    reply.add_answer(Record::from_rdata(q.name.clone(), 300, RData::SOA(soa)));
    reply
}

pub fn name(text: &str) -> Name {
    zone_name(text).expect("name")
}

/// A `fake` target on 127.0.0.1 that is NOTIFYed on `notify_port`.
pub fn fake_target(notify_port: u16) -> PoolTarget {
    PoolTarget {
        backend: "fake".into(),
        masters: vec![local(5354)],
        options: vec![
            KeyValue {
                key: "host".into(),
                value: "127.0.0.1".into(),
            },
            KeyValue {
                key: "port".into(),
                value: notify_port.to_string(),
            },
        ],
        ..PoolTarget::default()
    }
}

/// A pool nameserver on 127.0.0.1.
pub fn local_nameserver(port: u16) -> PoolNameserver {
    PoolNameserver {
        host: "127.0.0.1".into(),
        port,
        ..PoolNameserver::default()
    }
}

/// `127.0.0.1:port`.
pub fn local(port: u16) -> HostPort {
    HostPort {
        host: "127.0.0.1".into(),
        port,
    }
}

pub fn worker_config(extra: &str) -> Worker {
    let ini = format!("[service:worker]\nserial_timeout = 0.3\npoll_max_retries = 6\n{extra}\n");
    Config::from_str_for_tests(&ini).expect("config").worker
}

/// Central as the tests see it: reports are recorded; the zone's progress
/// is what `progress` holds (by default PENDING at serial 0, so every job
/// is current).
pub struct RecordingCentral {
    pub reports: Mutex<Vec<Report>>,
    pub progress: Mutex<Option<ZoneProgress>>,
}

impl Default for RecordingCentral {
    fn default() -> Self {
        RecordingCentral {
            reports: Mutex::default(),
            progress: Mutex::new(Some(ZoneProgress {
                serial: 0,
                status: Status::Pending,
                action: Action::Update,
                deleted: false,
            })),
        }
    }
}

impl RecordingCentral {
    pub fn reports(&self) -> Vec<Report> {
        self.reports.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The zone now stands at `serial` with `status` and `action`.
    pub fn set_progress(&self, serial: i64, status: Status, action: Action) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(ZoneProgress {
                serial,
                status,
                action,
                deleted: false,
            });
        }
    }
}

impl CentralPort for RecordingCentral {
    fn report(&self, _zone_id: Uuid, report: Report) -> BoxFuture<'_, Result<(), Error>> {
        if let Ok(mut r) = self.reports.lock() {
            r.push(report);
        }
        Box::pin(async { Ok(()) })
    }

    fn progress(&self, _zone_id: Uuid) -> BoxFuture<'_, Result<Option<ZoneProgress>, Error>> {
        let now = self.progress.lock().ok().and_then(|p| p.clone());
        Box::pin(async move { Ok(now) })
    }
}
