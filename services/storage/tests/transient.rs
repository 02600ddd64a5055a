//! Which database failures are transient, provoked for real on the local
//! MariaDB: each becomes `ServiceUnavailable`, the class a failed cast is
//! retried for (delegate-bus's redelivery, tested in its own suite);
//! refusals that cannot pass do not.

use std::time::Duration;

use delegate_bus::Retry;
use delegate_model::{Error, ErrorKind};
use delegate_rpc::remote::{retry_for, to_remote};
use delegate_storage::testing::TestDatabase;
use delegate_storage::{Storage, StorageError, StorageOptions};
use sqlx::{Connection, Executor, MySqlConnection};

/// Asserts that `err` is transient all the way to the bus.
fn assert_retried(what: &str, err: sqlx::Error) {
    let err = StorageError::Database(err);
    assert!(err.is_transient(), "{what}: {err}");
    let domain = Error::from(err);
    assert_eq!(
        domain.kind,
        ErrorKind::ServiceUnavailable,
        "{what}: {domain}"
    );
    assert_eq!(retry_for(&to_remote(&domain)), Retry::Transient, "{what}");
}

fn assert_final(what: &str, err: sqlx::Error) {
    let err = StorageError::Database(err);
    assert!(!err.is_transient(), "{what}: {err}");
    assert_eq!(
        retry_for(&to_remote(&Error::from(err))),
        Retry::Bounded,
        "{what}"
    );
}

async fn conn(db: &TestDatabase) -> MySqlConnection {
    MySqlConnection::connect(&db.url()).await.expect("connect")
}

async fn table(db: &TestDatabase) {
    let mut c = conn(db).await;
    c.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
        .await
        .expect("table");
    c.execute("INSERT INTO t VALUES (1, 0), (2, 0)")
        .await
        .expect("rows");
}

#[tokio::test]
async fn lock_wait_timeouts_and_deadlocks_are_transient() {
    let db = TestDatabase::create_empty().await.expect("test database");
    table(&db).await;
    let (mut a, mut b) = (conn(&db).await, conn(&db).await);
    a.execute("BEGIN").await.expect("begin");
    a.execute("SELECT * FROM t WHERE id = 1 FOR UPDATE")
        .await
        .expect("lock 1");
    b.execute("SET SESSION innodb_lock_wait_timeout = 1")
        .await
        .expect("timeout");
    b.execute("BEGIN").await.expect("begin");
    let waited = b.execute("SELECT * FROM t WHERE id = 1 FOR UPDATE").await;
    assert_retried(
        "lock wait timeout (1205)",
        waited.expect_err("must time out"),
    );
    b.execute("ROLLBACK").await.expect("rollback");

    // a holds 1; b takes 2, then waits for 1; a asks for 2: one is the victim.
    b.execute("BEGIN").await.expect("begin");
    b.execute("SELECT * FROM t WHERE id = 2 FOR UPDATE")
        .await
        .expect("lock 2");
    let b_waits = tokio::spawn(async move {
        let r = b
            .execute("SELECT * FROM t WHERE id = 1 FOR UPDATE")
            .await
            .map(drop);
        (b, r)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let a_result = a
        .execute("SELECT * FROM t WHERE id = 2 FOR UPDATE")
        .await
        .map(drop);
    let (_b, b_result) = b_waits.await.expect("task");
    let victim = a_result
        .err()
        .or(b_result.err())
        .expect("a deadlock victim");
    assert_retried("deadlock (1213)", victim);
}

#[tokio::test]
async fn refused_and_lost_connections_are_transient() {
    let db = TestDatabase::create_empty().await.expect("test database");
    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let refused = MySqlConnection::connect(&format!("mysql://root@127.0.0.1:{port}/x")).await;
    assert_retried("connection refused", refused.expect_err("nothing listens"));

    // A connection the server kills (a restart, an operator, a proxy).
    let mut victim = conn(&db).await;
    let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
        .fetch_one(&mut victim)
        .await
        .expect("id");
    conn(&db)
        .await
        .execute(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
        .await
        .expect("kill");
    let lost = victim.execute("SELECT 1").await;
    assert_retried("killed connection", lost.expect_err("connection gone"));
}

#[tokio::test]
async fn too_many_connections_and_a_full_pool_are_transient() {
    let db = TestDatabase::create_empty().await.expect("test database");
    // The per-user form of 1040 "Too many connections": 1203.
    let user = format!("dt_{}", &db.name()[14..26]);
    let mut admin = conn(&db).await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE USER '{user}'@'127.0.0.1' WITH MAX_USER_CONNECTIONS 1"
        )))
        .await
        .expect("user");
    let url = format!("mysql://{user}@127.0.0.1:3306/");
    let first = MySqlConnection::connect(&url)
        .await
        .expect("first connection");
    let second = MySqlConnection::connect(&url).await;
    drop(first);
    let _ = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP USER '{user}'@'127.0.0.1'"
        )))
        .await;
    assert_retried(
        "too many connections (1203)",
        second.expect_err("over the limit"),
    );

    let options = StorageOptions {
        max_connections: 1,
        acquire_timeout: Duration::from_millis(200),
        ..StorageOptions::default()
    };
    let pool = Storage::connect_with(&db.url(), &options)
        .await
        .expect("pool");
    let _held = pool.acquire().await.expect("one");
    match pool.acquire().await {
        Err(StorageError::Database(e)) => assert_retried("pool timeout", e),
        other => panic!("expected a pool timeout, got {:?}", other.map(drop)),
    }
}

#[tokio::test]
async fn refusals_that_cannot_pass_are_not_transient() {
    let db = TestDatabase::create_empty().await.expect("test database");
    table(&db).await;
    let mut c = conn(&db).await;
    let duplicate = c.execute("INSERT INTO t VALUES (1, 0)").await;
    assert_final("duplicate entry", duplicate.expect_err("duplicate"));
    let bad = c.execute("SELEKT 1").await;
    assert_final("syntax error", bad.expect_err("bad SQL"));
}
