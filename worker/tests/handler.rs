//! The worker's RPC methods with the pool read from a throw-away database on
//! the local MariaDB: a cast returns when its action ended (its message is
//! acknowledged only then), updates arriving meanwhile collapse into the
//! newest, and failures that can pass are returned for a retry.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{RecordingCentral, Responder, fake_target, local_nameserver, worker_config};
use delegate_model::{Action, Context, ErrorKind, Pool, ReportStatus, Zone, time};
use delegate_rpc::WorkerService;
use delegate_storage::pools::apply_pool_config;
use delegate_storage::testing::TestDatabase;
use delegate_worker::limits::Limits;
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
    let cache = PoolCache::new(db.storage().pool().clone(), POOL_TTL, Limits::new(4, 32));
    let handler = WorkerHandler::new(worker_config(""), pool_id, cache, central.clone());
    (handler, central)
}

fn zone(id: Uuid, serial: i64, action: Action) -> Zone {
    Zone {
        id: Some(id),
        name: "example.com.".into(),
        serial,
        action,
        updated_at: Some(time::now()),
        ..Zone::default()
    }
}

#[tokio::test]
async fn casts_end_with_their_action_and_updates_coalesce() {
    let db = TestDatabase::create()
        .await
        .expect("test database (is MariaDB running?)");
    let (target, ns) = (Responder::start(0).await, Responder::start(13).await);
    let (handler, central) = handler_with_pool(&db, &target, &ns).await;
    let handler = Arc::new(handler);
    let id = Uuid::new_v4();
    let ctx = Context::admin();

    let cast = |serial, action| {
        let (handler, ctx) = (handler.clone(), ctx.clone());
        tokio::spawn(async move {
            match action {
                Action::Create => handler.create_zone(ctx, zone(id, serial, action)).await,
                _ => handler.update_zone(ctx, zone(id, serial, action)).await,
            }
        })
    };
    let create = cast(10, Action::Create);
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut updates = Vec::new();
    for serial in [11, 12, 13] {
        updates.push(cast(serial, Action::Update));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    create.await.expect("task").expect("served");
    for update in updates {
        update.await.expect("task").expect("served or covered");
    }
    // Every cast returned only once a report covering it was sent: the
    // create, then only the newest update (11 and 12 are covered by 13).
    assert_eq!(
        central.reports(),
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
    assert_eq!(handler.busy_zones(), 0);
}

#[tokio::test]
async fn failures_that_can_pass_are_returned_for_a_retry() {
    let db = TestDatabase::create()
        .await
        .expect("test database (is MariaDB running?)");
    // The nameserver never has the zone: a fresh change is not failed.
    let (target, ns) = (Responder::start(0).await, Responder::start(0).await);
    let (handler, central) = handler_with_pool(&db, &target, &ns).await;
    let ctx = Context::admin();
    let err = handler
        .update_zone(ctx.clone(), zone(Uuid::new_v4(), 7, Action::Update))
        .await
        .expect_err("not served yet");
    assert_eq!(err.kind, ErrorKind::ServiceUnavailable, "{err}");
    assert!(central.reports().is_empty(), "the zone stays PENDING");

    let elsewhere = Zone {
        pool_id: Some(Uuid::new_v4()),
        ..zone(Uuid::new_v4(), 7, Action::Update)
    };
    let err = handler
        .update_zone(ctx, elsewhere)
        .await
        .expect_err("no such pool");
    assert_eq!(
        err.kind,
        ErrorKind::ServiceUnavailable,
        "a pool may appear with `pool update`: retried, then parked"
    );
}

#[tokio::test]
async fn delete_is_reported_and_bad_casts_refused() {
    let db = TestDatabase::create()
        .await
        .expect("test database (is MariaDB running?)");
    let (target, ns) = (Responder::start(0).await, Responder::start(0).await);
    let (handler, central) = handler_with_pool(&db, &target, &ns).await;
    let ctx = Context::admin();

    handler
        .delete_zone(ctx.clone(), zone(Uuid::new_v4(), 5, Action::Delete), true)
        .await
        .expect("served");
    assert_eq!(
        central.reports(),
        [Report {
            status: ReportStatus::Success,
            serial: 0,
            action: Action::Delete
        }]
    );
    let no_id = Zone {
        id: None,
        ..zone(Uuid::new_v4(), 1, Action::Create)
    };
    let err = handler.create_zone(ctx, no_id).await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::BadRequest);
}
