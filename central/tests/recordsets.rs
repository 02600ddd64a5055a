//! Recordset create and delete: the serial bump, the SOA rebuild, the cast
//! after commit, the rules, and two central instances on one zone.

mod common;

use common::{Env, TestResult, admin, member};
use delegate_central::WorkerCast;
use delegate_model::{Action, Context, Error, ErrorKind, Status};
use delegate_rpc::{CentralService, Paging};
use serde_json::json;

fn location(message: &str) -> Option<Error> {
    Some(Error::new(ErrorKind::InvalidRecordSetLocation, message))
}

#[tokio::test]
async fn a_new_recordset_bumps_the_serial_rebuilds_the_soa_and_is_pushed() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "rr.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    env.casts.take();

    let rs = env
        .create_recordset(
            member("p1"),
            &zone,
            "www.rr.test.",
            "A",
            &["192.0.2.1", "192.0.2.2", "192.0.2.1"],
        )
        .await?;
    let after = env.zone(zone_id).await?;
    assert!(
        after.serial > zone.serial,
        "serial {} → {}",
        zone.serial,
        after.serial
    );
    assert_eq!(
        (after.action, after.status, after.version),
        (Action::Update, Status::Pending, 2)
    );
    assert_eq!(rs.records.len(), 2, "duplicate data collapses");
    assert!(
        rs.records
            .iter()
            .all(|r| r.serial == after.serial && r.action == Action::Create)
    );
    assert_eq!(
        (rs.status(), rs.action(), rs.version),
        (Status::Pending, Action::Create, 1)
    );
    assert_eq!(rs.zone_name.as_deref(), Some("rr.test."));
    assert_eq!(rs.tenant_id.as_deref(), Some("p1"));

    let soa = env.soa(zone_id).await?;
    let record = &soa.records[0];
    assert_eq!(
        record.data.split(' ').nth(2),
        Some(after.serial.to_string().as_str())
    );
    assert_eq!(
        (record.action, record.status, record.serial),
        (Action::Update, Status::Pending, after.serial)
    );
    assert_eq!(env.casts.take(), [WorkerCast::UpdateZone(after.clone())]);

    let shown = env
        .central
        .get_recordset(member("p1"), Some(zone_id), rs.id.unwrap_or_default())
        .await?;
    assert_eq!(shown.records.len(), 2);

    // A recordset without records does not touch the zone.
    let empty = env
        .create_recordset(member("p1"), &zone, "empty.rr.test.", "TXT", &[])
        .await?;
    assert_eq!(
        (empty.status(), empty.action()),
        (Status::Active, Action::None)
    );
    assert_eq!(env.zone(zone_id).await?.serial, after.serial);
    assert!(env.casts.take().is_empty());
    Ok(())
}

#[tokio::test]
async fn deleting_a_recordset_removes_it_and_bumps_the_serial() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "del.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let rs = env
        .create_recordset(member("p1"), &zone, "www.del.test.", "A", &["192.0.2.1"])
        .await?;
    let before = env.zone(zone_id).await?;
    env.casts.take();

    let deleted = env
        .central
        .delete_recordset(member("p1"), zone_id, rs.id.unwrap_or_default())
        .await?;
    assert_eq!(
        (deleted.status(), deleted.action(), deleted.version),
        (Status::Pending, Action::Delete, 2)
    );
    assert!(deleted.updated_at.is_some());
    let after = env.zone(zone_id).await?;
    assert!(after.serial > before.serial);
    assert!(
        env.soa(zone_id).await?.records[0]
            .data
            .contains(&after.serial.to_string())
    );
    assert_eq!(env.casts.take(), [WorkerCast::UpdateZone(after)]);
    let gone = env
        .central
        .get_recordset(member("p1"), Some(zone_id), rs.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(
        gone,
        Some(Error::new(
            ErrorKind::RecordSetNotFound,
            "Could not find RecordSet"
        ))
    );
    let again = env
        .central
        .delete_recordset(member("p1"), zone_id, rs.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(again.map(|e| e.kind), Some(ErrorKind::RecordSetNotFound));

    let soa = env.soa(zone_id).await?;
    let e = env
        .central
        .delete_recordset(member("p1"), zone_id, soa.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(
        e,
        Some(Error::bad_request(
            "Deleting a SOA recordset is not allowed"
        ))
    );
    let paging = Paging {
        criterion: json!({"zone_id": zone_id.to_string(), "type": "NS"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..Paging::default()
    };
    let ns = env.central.find_recordsets(member("p1"), paging).await?.0;
    let e = env
        .central
        .delete_recordset(member("p1"), zone_id, ns[0].id.unwrap_or_default())
        .await
        .err();
    assert_eq!(
        e,
        Some(Error::bad_request("Managed records may not be deleted"))
    );
    Ok(())
}

#[tokio::test]
async fn recordset_rules_refuse_bad_placements() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "rules.test.").await?;
    env.create_zone("p1", "child.rules.test.").await?;
    let p1 = || member("p1");
    env.create_recordset(p1(), &zone, "www.rules.test.", "A", &["192.0.2.1"])
        .await?;
    env.create_recordset(
        p1(),
        &zone,
        "alias.rules.test.",
        "CNAME",
        &["www.rules.test."],
    )
    .await?;

    let cases = [
        (
            "www.elsewhere.test.",
            "A",
            vec!["192.0.2.1"],
            location("RecordSet is not contained within it's parent zone"),
        ),
        (
            "rules.test.",
            "CNAME",
            vec!["x.test."],
            location("CNAME recordsets may not be created at the zone apex"),
        ),
        (
            "www.rules.test.",
            "CNAME",
            vec!["x.test."],
            location("CNAME recordsets may not share a name with any other records"),
        ),
        (
            "alias.rules.test.",
            "TXT",
            vec!["\"x\""],
            location("CNAME recordsets may not share a name with any other records"),
        ),
        (
            "a.child.rules.test.",
            "A",
            vec!["192.0.2.1"],
            location("RecordSet belongs in a child zone: child.rules.test."),
        ),
        (
            "two.rules.test.",
            "CNAME",
            vec!["a.test.", "b.test."],
            Some(Error::bad_request(
                "CNAME recordsets may not have more than 1 record",
            )),
        ),
        (
            "www.rules.test.",
            "A",
            vec!["192.0.2.9"],
            Some(Error::new(
                ErrorKind::DuplicateRecordSet,
                "Duplicate RecordSet",
            )),
        ),
        (
            "rules.test.",
            "NS",
            vec!["ns9.example.net."],
            Some(Error::new(
                ErrorKind::DuplicateRecordSet,
                "Duplicate RecordSet",
            )),
        ),
    ];
    for (name, rr_type, data, expected) in cases {
        let got = env
            .create_recordset(p1(), &zone, name, rr_type, &data)
            .await
            .err();
        assert_eq!(got, expected, "{name} {rr_type}");
    }
    let other = env
        .create_recordset(member("p2"), &zone, "x.rules.test.", "A", &["192.0.2.1"])
        .await
        .err();
    assert_eq!(other.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));
    let mut low = common::recordset("low.rules.test.", "A", &["192.0.2.1"]);
    low.ttl = Some(-1);
    let e = env
        .central
        .create_recordset(p1(), zone.id.unwrap_or_default(), low)
        .await
        .err();
    assert_eq!(
        e,
        Some(Error::new(
            ErrorKind::InvalidTtl,
            "TTL is below the minimum: 0"
        ))
    );
    Ok(())
}

#[tokio::test]
async fn record_quotas_and_deleting_zones() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "q.test.").await?;
    let many: Vec<String> = (1..=21).map(|i| format!("192.0.2.{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let e = env
        .create_recordset(member("p1"), &zone, "many.q.test.", "A", &many)
        .await
        .err();
    assert_eq!(
        e,
        Some(Error::new(
            ErrorKind::OverQuota,
            "Quota exceeded for recordset_records."
        ))
    );

    env.central
        .delete_zone(member("p1"), zone.id.unwrap_or_default())
        .await?;
    let e = env
        .create_recordset(member("p1"), &zone, "late.q.test.", "A", &["192.0.2.1"])
        .await
        .err();
    assert_eq!(
        e,
        Some(Error::bad_request("Can not update a deleting zone"))
    );
    Ok(())
}

#[tokio::test]
async fn concurrent_changes_from_two_centrals_serialise_on_the_zone_row() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "race.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let other = env.second_instance();
    env.casts.take();

    let one = env.create_recordset(member("p1"), &zone, "one.race.test.", "A", &["192.0.2.1"]);
    let two = other.create_recordset(
        member("p1"),
        zone_id,
        common::recordset("two.race.test.", "A", &["192.0.2.2"]),
    );
    let (one, two) = tokio::join!(one, two);
    let (one, two) = (one?, two?);
    let (s1, s2) = (one.records[0].serial, two.records[0].serial);
    assert!(s1 > zone.serial && s2 > zone.serial);
    assert_ne!(s1, s2, "each change has a serial of its own");
    let after = env.zone(zone_id).await?;
    assert_eq!(after.serial, s1.max(s2));
    assert_eq!(after.version, 3);
    let casts = env.casts.take();
    assert_eq!(casts.len(), 2);
    let soa = env.soa(zone_id).await?;
    assert!(soa.records[0].data.contains(&after.serial.to_string()));

    // Many more at once still all land, with distinct serials.
    let ctx = admin("p1");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let central = if i % 2 == 0 { &env.central } else { &other };
            let rs = common::recordset(&format!("n{i}.race.test."), "A", &["192.0.2.3"]);
            central.create_recordset(Context { ..ctx.clone() }, zone_id, rs)
        })
        .collect();
    let results = futures::future::join_all(tasks).await;
    let mut serials: Vec<i64> = Vec::new();
    for r in results {
        serials.push(r?.records[0].serial);
    }
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), 8);
    Ok(())
}
