//! Shared by the MariaDB test and the AXFR benchmark: zone rows written as
//! central writes them (spec/storage.md §2.1, §2.5, §2.6), an mdns server on a
//! free port of 127.0.0.1, and `dig`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use delegate_mdns::handler::Policy;
use delegate_mdns::settings::ServerSettings;
use delegate_mdns::{DbSource, Handler, Server};
use delegate_storage::testing::TestDatabase;
use sqlx::{MySql, MySqlPool, QueryBuilder};
use uuid::Uuid;

pub const DEFAULT_POOL: Uuid = Uuid::from_u128(0x794ccc2c_d751_44fe_b57f_8894c9f5c842);
pub const SERIAL: i64 = 1795299297;

/// A recordset to insert: `(name, type, ttl, [(data, action)])`.
pub type RecordSetRow<'a> = (&'a str, &'a str, Option<i32>, Vec<(String, &'a str)>);

pub struct Rows<'a> {
    pub pool: &'a MySqlPool,
}

impl Rows<'_> {
    /// A zone with its SOA and NS recordsets.
    pub async fn zone(&self, name: &str, pool_id: Uuid, deleted: bool) -> Uuid {
        let id = Uuid::new_v4();
        let hex = id.simple().to_string();
        let deleted_marker = if deleted { hex.clone() } else { "0".to_owned() };
        sqlx::query(
            "INSERT INTO zones (id, version, created_at, name, email, ttl, refresh, retry, expire, \
             minimum, serial, deleted, status, action, pool_id, type, shard) \
             VALUES (?, 1, NOW(), ?, 'hostmaster@example.org', 3600, 3592, 600, 86400, 3600, ?, ?, \
             'ACTIVE', 'NONE', ?, 'PRIMARY', 0)",
        )
        .bind(&hex)
        .bind(name)
        .bind(SERIAL)
        .bind(deleted_marker)
        .bind(pool_id.simple().to_string())
        .execute(self.pool)
        .await
        .unwrap();
        let soa = format!("ns1.example.org. hostmaster.{name} {SERIAL} 3592 600 86400 3600");
        self.recordsets(id, &[(name, "SOA", None, vec![(soa, "NONE")])])
            .await;
        let ns = vec![("ns1.example.org.".to_owned(), "NONE")];
        self.recordsets(id, &[(name, "NS", None, ns)]).await;
        id
    }

    /// Recordsets and their records, inserted in bulk.
    pub async fn recordsets(&self, zone: Uuid, sets: &[RecordSetRow<'_>]) {
        let zone_hex = zone.simple().to_string();
        let mut set_rows = Vec::new();
        let mut record_rows = Vec::new();
        for (name, rtype, ttl, records) in sets {
            let rs_id = Uuid::new_v4().simple().to_string();
            set_rows.push((rs_id.clone(), *name, *rtype, *ttl));
            for (data, action) in records {
                record_rows.push((rs_id.clone(), data.as_str(), *action));
            }
        }
        for chunk in set_rows.chunks(1000) {
            let mut qb = QueryBuilder::<MySql>::new(
                "INSERT INTO recordsets (id, version, created_at, zone_shard, zone_id, name, type, ttl) ",
            );
            qb.push_values(chunk, |mut b, (id, name, rtype, ttl)| {
                b.push_bind(id)
                    .push_bind(1)
                    .push("NOW()")
                    .push_bind(0)
                    .push_bind(&zone_hex);
                b.push_bind(*name).push_bind(*rtype).push_bind(*ttl);
            });
            qb.build().execute(self.pool).await.unwrap();
        }
        for chunk in record_rows.chunks(1000) {
            let mut qb = QueryBuilder::<MySql>::new(
                "INSERT INTO records (id, version, created_at, data, zone_id, managed, hash, status, \
                 recordset_id, action, serial, zone_shard) ",
            );
            qb.push_values(chunk, |mut b, (rs_id, data, action)| {
                let id = Uuid::new_v4().simple().to_string();
                b.push_bind(id.clone())
                    .push_bind(1)
                    .push("NOW()")
                    .push_bind(*data);
                b.push_bind(&zone_hex)
                    .push_bind(false)
                    .push_bind(id)
                    .push_bind("ACTIVE");
                b.push_bind(rs_id.as_str())
                    .push_bind(*action)
                    .push_bind(SERIAL)
                    .push_bind(0);
            });
            qb.build().execute(self.pool).await.unwrap();
        }
    }

    /// `2 × names` A records: two per name `host-NNNNN.<zone>`; odd names have
    /// a TTL of 300, even ones inherit the zone's.
    pub async fn hosts(&self, zone: Uuid, zone_name: &str, names: usize) {
        let owners: Vec<String> = (0..names)
            .map(|i| format!("host-{i:05}.{zone_name}"))
            .collect();
        for (chunk_no, chunk) in owners.chunks(5000).enumerate() {
            let sets: Vec<RecordSetRow<'_>> = chunk
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    let i = chunk_no * 5000 + j;
                    let (hi, lo) = (i / 250 % 250, i % 250);
                    let records = vec![
                        (format!("10.{}.{hi}.{lo}", i / 62500), "NONE"),
                        (format!("10.{}.{hi}.{lo}", 128 + i / 62500), "CREATE"),
                    ];
                    (name.as_str(), "A", (i % 2 == 1).then_some(300), records)
                })
                .collect();
            self.recordsets(zone, &sets).await;
        }
    }
}

/// mdns over the test database, on a free port of 127.0.0.1 (UDP and TCP).
pub async fn start(db: &TestDatabase) -> (Server, SocketAddr) {
    let settings = ServerSettings {
        listen: vec!["127.0.0.1:0".parse().unwrap()],
        tcp_backlog: 100,
        tcp_keepidle: None,
        tcp_recv_timeout: Duration::from_millis(500),
        max_message_size: 65535,
    };
    let source = Arc::new(DbSource::new(db.storage().clone()));
    let policy = Policy {
        default_pool_id: DEFAULT_POOL,
        enforce_tsig: false,
    };
    let server = Server::start(&settings, Arc::new(Handler::new(source, policy)))
        .await
        .unwrap();
    let addr = server.local_addrs()[0];
    (server, addr)
}

/// `dig @127.0.0.1 -p PORT ARGS…`, its standard output.
pub async fn dig(addr: SocketAddr, args: &[&str]) -> String {
    let out = tokio::process::Command::new("dig")
        .args([
            "+time=5",
            "+tries=1",
            "-p",
            &addr.port().to_string(),
            "@127.0.0.1",
        ])
        .args(args)
        .output()
        .await
        .expect("dig (apt-get install dnsutils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The record lines of dig's output, fields separated by one space (dig
/// aligns with tabs or spaces).
pub fn answer_lines(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}
