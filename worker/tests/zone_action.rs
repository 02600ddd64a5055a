//! The zone action against a tiny DNS server on 127.0.0.1 (see `common`).

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{
    RecordingCentral, Responder, fake_target, local, local_nameserver, name, worker_config,
};
use delegate_model::{Action, Pool, ReportStatus, Zone};
use delegate_worker::poll::{PollPlan, Report, poll};
use delegate_worker::queue::ZoneJob;
use delegate_worker::serial::get_serial_number;
use delegate_worker::zone_action::{self, LoadedPool};
use tokio::net::UdpSocket;
use uuid::Uuid;

fn pool(target_port: u16, nameserver_ports: &[u16], also_notify_port: Option<u16>) -> LoadedPool {
    let nameservers = nameserver_ports
        .iter()
        .copied()
        .map(local_nameserver)
        .collect();
    let also_notifies = also_notify_port.map(local).into_iter().collect();
    LoadedPool::new(Pool {
        name: "default".into(),
        targets: vec![fake_target(target_port)],
        nameservers,
        also_notifies,
        ..Pool::default()
    })
}

fn job(action: Action, serial: i64) -> ZoneJob {
    let zone = Zone {
        id: Some(Uuid::new_v4()),
        name: "example.com.".into(),
        serial,
        action,
        ..Zone::default()
    };
    ZoneJob {
        zone,
        action,
        hard_delete: false,
    }
}

#[tokio::test]
async fn polling_waits_until_the_nameserver_serves_the_serial() {
    let ns = Responder::start(99).await;
    let cfg = worker_config("");
    let nameservers = [local_nameserver(ns.port)];
    let zone = name("example.com.");
    let plan = PollPlan {
        zone: &zone,
        action: Action::Update,
        expected: 100,
        nameservers: &nameservers,
    };
    let serial = ns.serial.clone();
    let bump = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        serial.store(101, Ordering::SeqCst);
    });
    let started = Instant::now();
    let tally = poll(&plan, &cfg, || async { true }).await;
    let _ = bump.await;
    assert_eq!((tally.positives, tally.consensus), (1, 101));
    // Back-off 0.2 s, 0.4 s…: seen on the poll after the bump, not seconds later.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn create_notifies_target_and_also_notify_then_reports_success() {
    let target = Responder::start(0).await;
    let ns = Responder::start(2024).await;
    let also = Responder::start(0).await;
    let central = RecordingCentral::default();
    let pool = pool(target.port, &[ns.port], Some(also.port));
    zone_action::run(
        &job(Action::Create, 2024),
        &pool,
        &worker_config(""),
        &central,
    )
    .await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Success,
            serial: 2024,
            action: Action::Create
        }]
    );
    assert_eq!(target.notified(), ["example.com."]);
    assert_eq!(also.notified(), ["example.com."]);
}

#[tokio::test]
async fn nameserver_without_the_zone_is_no_zone_reported_as_create() {
    let target = Responder::start(0).await;
    let ns = Responder::start(0).await;
    let central = RecordingCentral::default();
    let cfg = worker_config("poll_max_retries = 2");
    zone_action::run(
        &job(Action::Update, 7),
        &pool(target.port, &[ns.port], None),
        &cfg,
        &central,
    )
    .await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::NoZone,
            serial: 7,
            action: Action::Create
        }]
    );
}

#[tokio::test]
async fn delete_succeeds_with_serial_zero_once_the_zone_is_gone() {
    let target = Responder::start(0).await;
    let ns = Responder::start(5).await;
    let central = RecordingCentral::default();
    let serial = ns.serial.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        serial.store(0, Ordering::SeqCst);
    });
    zone_action::run(
        &job(Action::Delete, 5),
        &pool(target.port, &[ns.port], None),
        &worker_config(""),
        &central,
    )
    .await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Success,
            serial: 0,
            action: Action::Delete
        }]
    );
    assert!(target.notified().is_empty(), "no NOTIFY for a delete");
}

#[tokio::test]
async fn a_lagging_nameserver_is_an_error_with_the_expected_serial() {
    let target = Responder::start(0).await;
    let (good, lagging) = (Responder::start(10).await, Responder::start(9).await);
    let central = RecordingCentral::default();
    let pool = pool(target.port, &[good.port, lagging.port], None);
    let cfg = worker_config("poll_max_retries = 2");
    zone_action::run(&job(Action::Update, 10), &pool, &cfg, &central).await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Error,
            serial: 10,
            action: Action::Update
        }]
    );
    let central = RecordingCentral::default();
    let cfg = worker_config("poll_max_retries = 2\nthreshold-percentage = 50");
    zone_action::run(&job(Action::Update, 10), &pool, &cfg, &central).await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Success,
            serial: 10,
            action: Action::Update
        }]
    );
}

#[tokio::test]
async fn polling_stops_when_the_zone_has_moved_on() {
    let target = Responder::start(0).await;
    let ns = Responder::start(1).await;
    let central = RecordingCentral::default();
    if let Ok(mut a) = central.action.lock() {
        *a = Some(Action::None); // someone else already finished it
    }
    let cfg = worker_config(
        "poll_max_retries = 30\npoll_retry_interval = 0.5\npoll_retry_max_interval = 5",
    );
    let started = Instant::now();
    zone_action::run(
        &job(Action::Update, 10),
        &pool(target.port, &[ns.port], None),
        &cfg,
        &central,
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "kept polling for {:?}",
        started.elapsed()
    );
    assert_eq!(central.reports()[0].status, ReportStatus::Error);
}

#[tokio::test]
async fn unreachable_target_fails_the_action() {
    // Nothing answers NOTIFYs on this port: every attempt times out.
    let silent = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let ns = Responder::start(10).await;
    let central = RecordingCentral::default();
    let cfg = worker_config("poll_max_retries = 2\nserial_timeout = 0.1");
    zone_action::run(
        &job(Action::Create, 10),
        &pool(port, &[ns.port], None),
        &cfg,
        &central,
    )
    .await;
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Error,
            serial: 10,
            action: Action::Create
        }]
    );
}

#[tokio::test]
async fn get_serial_number_reads_the_serial_or_no_zone() {
    let ns = Responder::start(77).await;
    let cfg = worker_config("serial_retry_delay = 0.05");
    let zone = Zone {
        name: "example.com.".into(),
        serial: 70,
        action: Action::Update,
        ..Zone::default()
    };
    let report = get_serial_number(&zone, "127.0.0.1", ns.port, &cfg).await;
    assert_eq!(
        (report.status.as_str(), report.serial),
        ("SUCCESS", Some(77))
    );
    ns.set_serial(0);
    let report = get_serial_number(&zone, "127.0.0.1", ns.port, &cfg).await;
    assert_eq!((report.status.as_str(), report.serial), ("NO_ZONE", None));
    let gone = Zone {
        serial: 0,
        action: Action::Delete,
        ..zone
    };
    let report = get_serial_number(&gone, "127.0.0.1", ns.port, &cfg).await;
    assert_eq!(
        (report.status.as_str(), report.serial),
        ("NO_ZONE", Some(0))
    );
}
