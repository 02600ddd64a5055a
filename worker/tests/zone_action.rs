//! The zone action against a tiny DNS server on 127.0.0.1 (see `common`).

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{
    RecordingCentral, Responder, fake_target, local, local_nameserver, name, worker_config,
};
use delegate_model::{Action, Pool, ReportStatus, Status, Zone, time};
use delegate_worker::limits::Limits;
use delegate_worker::poll::{PollPlan, Report, poll};
use delegate_worker::queue::ZoneJob;
use delegate_worker::serial::get_serial_number;
use delegate_worker::zone_action::{self, Done, LoadedPool};
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

/// A job for a change made just now.
fn job(action: Action, serial: i64) -> ZoneJob {
    let zone = Zone {
        id: Some(Uuid::new_v4()),
        name: "example.com.".into(),
        serial,
        action,
        updated_at: Some(time::now()),
        ..Zone::default()
    };
    ZoneJob {
        zone,
        action,
        hard_delete: false,
    }
}

/// The same change, made longer than `max_prop_time` ago.
fn expired(mut job: ZoneJob) -> ZoneJob {
    job.zone.updated_at = Some(time::now() - chrono::Duration::hours(2));
    job
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
        limits: &Limits::new(1, 1),
    };
    let serial = ns.serial.clone();
    let bump = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        serial.store(101, Ordering::SeqCst);
    });
    let started = Instant::now();
    let tally = poll(&plan, &cfg, || async { true }).await.expect("polled");
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
    let done = zone_action::run(
        &job(Action::Create, 2024),
        &pool,
        &worker_config(""),
        &central,
    )
    .await;
    assert_eq!(done, Ok(Done::Reported(ReportStatus::Success)));
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
    let pool = pool(target.port, &[ns.port], None);
    let fresh = zone_action::run(&job(Action::Update, 7), &pool, &cfg, &central).await;
    assert!(
        fresh.is_err(),
        "a fresh change is retried, not failed: {fresh:?}"
    );
    assert!(central.reports().is_empty());
    zone_action::run(&expired(job(Action::Update, 7)), &pool, &cfg, &central)
        .await
        .expect("reported");
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
    .await
    .expect("reported");
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
    let fresh = zone_action::run(&job(Action::Update, 10), &pool, &cfg, &central).await;
    assert!(fresh.is_err(), "retried while max_prop_time has not passed");
    zone_action::run(&expired(job(Action::Update, 10)), &pool, &cfg, &central)
        .await
        .expect("reported");
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
    zone_action::run(&job(Action::Update, 10), &pool, &cfg, &central)
        .await
        .expect("reported");
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
    let central = std::sync::Arc::new(RecordingCentral::default());
    let cfg = worker_config(
        "poll_max_retries = 30\npoll_retry_interval = 0.5\npoll_retry_max_interval = 5",
    );
    // Another worker serves a newer serial while this one polls.
    let elsewhere = central.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        elsewhere.set_progress(11, Status::Pending, Action::Update);
    });
    let started = Instant::now();
    let done = zone_action::run(
        &job(Action::Update, 10),
        &pool(target.port, &[ns.port], None),
        &cfg,
        central.as_ref(),
    )
    .await;
    assert_eq!(done, Ok(Done::Superseded));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "kept polling for {:?}",
        started.elapsed()
    );
    assert!(central.reports().is_empty(), "the newer job reports");
}

#[tokio::test]
async fn targets_are_notified_again_while_the_nameserver_lags() {
    let target = Responder::start(0).await;
    let ns = Responder::start(9).await;
    let central = RecordingCentral::default();
    let cfg = worker_config(
        "poll_retry_interval = 0.1\npoll_retry_max_interval = 0.1\npoll_max_retries = 30",
    );
    let serial = ns.serial.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        serial.store(10, Ordering::SeqCst);
    });
    let done = zone_action::run(
        &job(Action::Update, 10),
        &pool(target.port, &[ns.port], None),
        &cfg,
        &central,
    )
    .await;
    assert_eq!(done, Ok(Done::Reported(ReportStatus::Success)));
    let notifies = target.notified().len();
    assert!(
        notifies >= 3,
        "one NOTIFY with the update, more while polling: {notifies}"
    );
}

#[tokio::test]
async fn a_job_older_than_the_zone_is_skipped() {
    let target = Responder::start(0).await;
    let ns = Responder::start(1).await;
    let central = RecordingCentral::default();
    central.set_progress(12, Status::Pending, Action::Update);
    let done = zone_action::run(
        &job(Action::Update, 10),
        &pool(target.port, &[ns.port], None),
        &worker_config(""),
        &central,
    )
    .await;
    assert_eq!(done, Ok(Done::Superseded));
    assert!(
        target.notified().is_empty(),
        "nothing sent for a covered job"
    );
}

#[tokio::test]
async fn unreachable_target_fails_the_action() {
    // Nothing answers NOTIFYs on this port: every attempt times out.
    let silent = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let ns = Responder::start(10).await;
    let central = RecordingCentral::default();
    let cfg = worker_config("poll_max_retries = 2\nserial_timeout = 0.1");
    let pool = pool(port, &[ns.port], None);
    let fresh = zone_action::run(&job(Action::Create, 10), &pool, &cfg, &central).await;
    assert!(fresh.is_err(), "a silent target can come back: retried");
    assert!(central.reports().is_empty(), "the zone stays PENDING");
    zone_action::run(&expired(job(Action::Create, 10)), &pool, &cfg, &central)
        .await
        .expect("reported");
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
