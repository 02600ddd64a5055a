//! The worker's RPC methods with the pool read from a throw-away database on
//! the local MariaDB: casts return at once, the action runs in the
//! background, and updates arriving meanwhile collapse into the newest.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{RecordingCentral, Responder, fake_target, local_nameserver, worker_config};
use delegate_model::{Action, Context, ErrorKind, Pool, ReportStatus, Zone};
use delegate_rpc::WorkerService;
use delegate_storage::pools::apply_pool_config;
use delegate_storage::testing::TestDatabase;
use delegate_worker::poll::Report;
use delegate_worker::pool_cache::{POOL_TTL, PoolCache};
use delegate_worker::service::WorkerHandler;
use uuid::Uuid;

const DEFAULT_POOL: &str = "794ccc2c-d751-44fe-b57f-8894c9f5c842";

async fn handler_with_pool(
    db: &TestDatabase,
    target: &Responder,
    ns: &Responder,
) -> (WorkerHandler, Arc<RecordingCentral>) {
    let pool_id = Uuid::try_parse(DEFAULT_POOL).expect("uuid");
    let pool = Pool {
        id: Some(pool_id),
        name: "default".into(),
        targets: vec![fake_target(target.port)],
        nameservers: vec![local_nameserver(ns.port)],
        ..Pool::default()
    };
    apply_pool_config(db.storage().pool(), &pool, false)
        .await
        .expect("pool");
    let central = Arc::new(RecordingCentral::default());
    let cache = PoolCache::new(db.storage().pool().clone(), POOL_TTL);
    let handler = WorkerHandler::new(worker_config(""), pool_id, cache, central.clone());
    (handler, central)
}

async fn wait_for_reports(central: &RecordingCentral, n: usize) -> Vec<Report> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while central.reports().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    central.reports()
}

fn zone(id: Uuid, serial: i64, action: Action) -> Zone {
    Zone {
        id: Some(id),
        name: "example.com.".into(),
        serial,
        action,
        ..Zone::default()
    }
}

#[tokio::test]
async fn casts_return_at_once_and_updates_coalesce() {
    let db = TestDatabase::create()
        .await
        .expect("test database (is MariaDB running?)");
    let (target, ns) = (Responder::start(0).await, Responder::start(13).await);
    let (handler, central) = handler_with_pool(&db, &target, &ns).await;
    let id = Uuid::new_v4();
    let ctx = Context::admin();

    let started = Instant::now();
    handler
        .create_zone(ctx.clone(), zone(id, 10, Action::Create))
        .await
        .expect("accepted");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the cast waited for the action"
    );
    for serial in [11, 12, 13] {
        handler
            .update_zone(ctx.clone(), zone(id, serial, Action::Update))
            .await
            .expect("accepted");
    }
    let reports = wait_for_reports(&central, 2).await;
    handler.drain(Duration::from_secs(5)).await;
    // The create, then only the newest update (11 and 12 are covered by 13).
    assert_eq!(
        reports,
        [
            Report {
                status: ReportStatus::Success,
                serial: 13,
                action: Action::Create
            },
            Report {
                status: ReportStatus::Success,
                serial: 13,
                action: Action::Update
            },
        ]
    );
    assert_eq!(central.reports().len(), 2);
}

#[tokio::test]
async fn delete_and_missing_pools_are_reported() {
    let db = TestDatabase::create()
        .await
        .expect("test database (is MariaDB running?)");
    let (target, ns) = (Responder::start(0).await, Responder::start(0).await);
    let (handler, central) = handler_with_pool(&db, &target, &ns).await;
    let ctx = Context::admin();

    handler
        .delete_zone(ctx.clone(), zone(Uuid::new_v4(), 5, Action::Delete), true)
        .await
        .expect("accepted");
    assert_eq!(
        wait_for_reports(&central, 1).await,
        [Report {
            status: ReportStatus::Success,
            serial: 0,
            action: Action::Delete
        }]
    );

    let elsewhere = Zone {
        pool_id: Some(Uuid::new_v4()),
        ..zone(Uuid::new_v4(), 7, Action::Update)
    };
    handler
        .update_zone(ctx.clone(), elsewhere)
        .await
        .expect("accepted");
    assert_eq!(
        wait_for_reports(&central, 2).await[1],
        Report {
            status: ReportStatus::Error,
            serial: 7,
            action: Action::Update
        },
        "a zone whose pool does not exist fails"
    );

    let no_id = Zone {
        id: None,
        ..zone(Uuid::new_v4(), 1, Action::Create)
    };
    let err = handler.create_zone(ctx, no_id).await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::BadRequest);
    handler.drain(Duration::from_secs(5)).await;
}
