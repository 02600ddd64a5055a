//! Issue "nothing accepted is ever stuck": a write burst with two centrals
//! and two workers (one mdns, one BIND 9), 4 clients × 20 s of zone +
//! recordset creates, ends with every acknowledged write served by BIND and
//! no zone PENDING or ERROR — also when MariaDB refuses connections and BIND
//! is stopped for a few seconds in the middle of it.
//!
//! The two tests run one after the other (each loads the whole machine).

use std::time::{Duration, Instant};

use delegate_tests::burst::{self, Load};
use delegate_tests::{Platform, PlatformOptions};
use sqlx::{Connection, Executor, MySqlConnection};

const CLIENTS: usize = 4;
const LOAD: Duration = Duration::from_secs(20);
/// How long convergence may take before the test fails (the goal is ≤ 10 s).
const SETTLE_LIMIT: Duration = Duration::from_secs(120);

/// One burst at a time on this machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn platform() -> Platform {
    Platform::start(PlatformOptions {
        extra_config: "[DEFAULT]\nquota_zones = 1000000\n".into(),
        centrals: 2,
        workers: 2,
    })
    .expect("platform")
}

/// Waits for convergence, prints the figures, and checks every write is served.
fn check_converged(p: &Platform, load: &Load, load_ended: Instant, what: &str) {
    let settled = burst::wait_settled(p, SETTLE_LIMIT);
    let since_load = load_ended.elapsed();
    let settled = settled.unwrap_or_else(|e| {
        panic!(
            "{what}: {e}\nworker log:\n{}\ncentral log:\n{}",
            p.log_tail("worker", 30),
            p.log_tail("central", 30)
        )
    });
    let missing = burst::not_served(p, load).expect("ask BIND");
    println!(
        "{what}: {} acknowledged writes ({} zones), {} refused; converged {:.1} s after the load ended (settled {:.1} s after the clients' last answer)",
        load.writes(),
        load.written.len() + load.zones_only.len(),
        load.refused,
        since_load.as_secs_f64(),
        settled.as_secs_f64(),
    );
    assert!(
        missing.is_empty(),
        "{what}: {} of {} acknowledged writes not served by BIND, e.g. {:?}",
        missing.len(),
        load.writes(),
        &missing[..missing.len().min(5)]
    );
    assert!(
        load.written.len() > 100,
        "{what}: the load hardly ran: {load:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_with_two_of_each_service_converges_with_every_write_served() {
    let _one = ONE_AT_A_TIME.lock().await;
    let p = platform();
    let load = burst::load(&p.api_url, CLIENTS, LOAD, "plain").await;
    let ended = Instant::now();
    check_converged(&p, &load, ended, "burst");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_survives_the_database_refusing_connections_and_bind_stopping() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mut p = platform();
    let api = p.api_url.clone();
    let clients = tokio::spawn(async move { burst::load(&api, CLIENTS, LOAD, "faults").await });

    tokio::time::sleep(Duration::from_secs(4)).await;
    refuse_connections(&p.database, Duration::from_secs(4)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    p.stop_bind().expect("stop BIND");
    tokio::time::sleep(Duration::from_secs(5)).await;
    p.restart_bind().expect("start BIND again");

    let load = clients.await.expect("clients");
    let ended = Instant::now();
    check_converged(&p, &load, ended, "burst with faults");
    let errors = p
        .sql("SELECT COUNT(*) FROM zones WHERE status = 'ERROR'")
        .expect("count");
    assert_eq!(errors.trim(), "0", "nothing left in ERROR");
}

/// Makes MariaDB refuse new connections (`max_connections` = 1, held by this
/// test's own connection) and drops the platform's connections, for
/// `how_long`; the limit is restored whatever happens.
async fn refuse_connections(database: &str, how_long: Duration) {
    let url = "mysql://root@127.0.0.1:3306/";
    let mut admin = MySqlConnection::connect(url)
        .await
        .expect("admin connection");
    let before: (String, String) = sqlx::query_as("SHOW GLOBAL VARIABLES LIKE 'max_connections'")
        .fetch_one(&mut admin)
        .await
        .expect("max_connections");
    let outage = async {
        admin.execute("SET GLOBAL max_connections = 1").await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT CAST(id AS SIGNED) FROM information_schema.processlist \
             WHERE db = ? AND id <> CONNECTION_ID()",
        )
        .bind(database)
        .fetch_all(&mut admin)
        .await?;
        for id in &ids {
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
                .await;
        }
        println!("database refusing connections: {} killed", ids.len());
        tokio::time::sleep(how_long).await;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "SET GLOBAL max_connections = {}",
            before.1
        )))
        .await
        .expect("restore max_connections");
    outage.expect("database outage");
}
