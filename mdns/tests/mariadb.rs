//! mdns against the real MariaDB, checked with `dig`: SOA over UDP and TCP,
//! a multi-message AXFR of a zone of 5,000 records, REFUSED for zones it does
//! not serve. The test database is `delegate_test_<hex>`, dropped at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DEFAULT_POOL, Rows, SERIAL, answer_lines, dig, start};
use delegate_storage::testing::TestDatabase;
use uuid::Uuid;

const OTHER_POOL: Uuid = Uuid::from_u128(0x0badc0de_0000_4000_8000_000000000001);
const ZONE: &str = "mdns-it.example.";
const HOSTS: usize = 5000;

async fn fill(db: &TestDatabase) {
    let rows = Rows {
        pool: db.storage().pool(),
    };
    let zone = rows.zone(ZONE, DEFAULT_POOL, false).await;
    rows.hosts(zone, ZONE, HOSTS / 2).await;
    let www = format!("www.{ZONE}");
    let aaaa = vec![("2001:db8::1".to_owned(), "NONE")];
    let mixed = vec![
        ("192.0.2.1".to_owned(), "UPDATE"),
        ("192.0.2.2".to_owned(), "DELETE"),
    ];
    rows.recordsets(
        zone,
        &[(&www, "AAAA", None, aaaa), (&www, "A", Some(120), mixed)],
    )
    .await;
    rows.zone("gone.example.", DEFAULT_POOL, true).await;
    rows.zone("other-pool.example.", OTHER_POOL, false).await;
}

fn status(out: &str) -> &str {
    out.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or("NO ANSWER")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_soa_and_axfr_from_mariadb() {
    let db = TestDatabase::create().await.unwrap();
    fill(&db).await;
    let (server, addr) = start(&db).await;

    for transport in ["+notcp", "+tcp"] {
        let out = dig(addr, &[transport, "+norec", ZONE, "SOA"]).await;
        assert_eq!(status(&out), "NOERROR", "{out}");
        assert!(out.contains("flags: qr aa;"), "{out}");
        let answer = answer_lines(&out);
        let soa = format!(
            "{ZONE} 3600 IN SOA ns1.example.org. hostmaster.{ZONE} {SERIAL} 3592 600 86400 3600"
        );
        assert_eq!(answer, [soa], "{out}");
    }

    let www = dig(addr, &["+noall", "+answer", &format!("www.{ZONE}"), "A"]).await;
    assert_eq!(
        answer_lines(&www),
        [format!("www.{ZONE} 120 IN A 192.0.2.1")],
        "DELETE records are not served"
    );

    let axfr = dig(addr, &[ZONE, "AXFR"]).await;
    let records = answer_lines(&axfr);
    // SOA, NS, 5,000 A, www AAAA and A (not the DELETE one), SOA.
    assert_eq!(
        records.len(),
        HOSTS + 5,
        "{}",
        axfr.lines().last().unwrap_or_default()
    );
    assert!(records[0].contains(" SOA ") && records[records.len() - 1].contains(" SOA "));
    assert_eq!(records.iter().filter(|l| l.contains(" SOA ")).count(), 2);
    assert!(
        !axfr.contains("192.0.2.2"),
        "DELETE records are not transferred"
    );
    assert!(
        records.contains(&format!("host-00001.{ZONE} 300 IN A 10.0.0.1")),
        "recordset TTL"
    );
    assert!(
        records.contains(&format!("host-00002.{ZONE} 3600 IN A 10.128.0.2")),
        "zone TTL"
    );
    let xfr = axfr
        .lines()
        .find(|l| l.starts_with(";; XFR size:"))
        .expect("XFR size line");
    assert!(
        xfr.contains(&format!("{} records (messages 3,", HOSTS + 5)),
        "{xfr}"
    );

    for zone in ["unknown.example.", "gone.example.", "other-pool.example."] {
        let out = dig(addr, &[zone, "SOA"]).await;
        assert_eq!(status(&out), "REFUSED", "{zone}: {out}");
        let out = dig(addr, &[zone, "AXFR"]).await;
        assert!(out.contains("Transfer failed."), "{zone}: {out}");
    }

    server.shutdown().await;
    drop(db);
}
