//! Zone update (PATCH) and recordset update (PUT): serial bump, SOA rebuilt,
//! one cast after commit, and the rules that refuse a change.

mod common;

use common::{Env, TestResult, admin, member};
use delegate_central::WorkerCast;
use delegate_model::{Action, Error, ErrorKind, Record, Status};
use delegate_rpc::CentralService;

#[tokio::test]
async fn a_zone_update_bumps_the_serial_rebuilds_the_soa_and_is_pushed() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "up.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    env.casts.take();

    let mut input = zone.clone();
    input.email = "dns-admin@up.test".into();
    input.ttl = Some(7200);
    input.description = Some("updated".into());
    let updated = env.central.update_zone(member("p1"), input).await?;
    assert!(updated.serial > zone.serial, "serial bumped");
    assert_eq!(
        (updated.action, updated.status, updated.version),
        (Action::Update, Status::Pending, zone.version + 1)
    );
    let stored = env.zone(zone_id).await?;
    assert_eq!(
        (
            stored.email.as_str(),
            stored.ttl,
            stored.description.as_deref()
        ),
        ("dns-admin@up.test", Some(7200), Some("updated"))
    );
    assert_eq!(stored.serial, updated.serial);
    let soa = env.soa(zone_id).await?;
    assert_eq!(
        soa.records[0].data,
        format!(
            "ns1.example.net. dns-admin.up.test. {} {} {} {} {}",
            updated.serial, stored.refresh, stored.retry, stored.expire, stored.minimum
        )
    );
    assert_eq!(env.casts.take(), vec![WorkerCast::UpdateZone(updated)]);
    Ok(())
}

#[tokio::test]
async fn a_zone_update_is_refused_to_others_and_for_deleting_zones() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "refused.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let mut input = zone.clone();
    input.ttl = Some(60);

    let err = env
        .central
        .update_zone(member("p2"), input.clone())
        .await
        .expect_err("other project");
    assert_eq!(err.kind, ErrorKind::ZoneNotFound);
    let err = env
        .central
        .update_zone(admin("p2"), input.clone())
        .await
        .expect_err("admin without all-projects");
    assert_eq!(err.kind, ErrorKind::ZoneNotFound);
    let mut renamed = input.clone();
    renamed.name = "other.test.".into();
    let err = env
        .central
        .update_zone(member("p1"), renamed)
        .await
        .expect_err("rename");
    assert_eq!(err, Error::bad_request("Renaming a zone is not allowed"));
    assert_eq!(env.zone(zone_id).await?.ttl, zone.ttl, "nothing stored");

    env.central.delete_zone(member("p1"), zone_id).await?;
    env.casts.take();
    let err = env
        .central
        .update_zone(member("p1"), input)
        .await
        .expect_err("deleting zone");
    assert_eq!(err, Error::bad_request("Can not update a deleting zone"));
    assert!(env.casts.take().is_empty(), "nothing pushed");
    Ok(())
}

fn with_data(rs: &delegate_model::RecordSet, data: &[&str]) -> delegate_model::RecordSet {
    let mut rs = rs.clone();
    rs.records = data
        .iter()
        .map(|d| Record {
            data: (*d).into(),
            ..Record::default()
        })
        .collect();
    rs
}

#[tokio::test]
async fn a_recordset_update_replaces_the_records_and_bumps_the_serial() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "put.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let rs = env
        .create_recordset(
            member("p1"),
            &zone,
            "www.put.test.",
            "A",
            &["192.0.2.1", "192.0.2.2"],
        )
        .await?;
    let before = env.zone(zone_id).await?;
    env.casts.take();
    let kept = rs.records.iter().find(|r| r.data == "192.0.2.2").cloned();

    let mut input = with_data(&rs, &["192.0.2.2", "192.0.2.3"]);
    input.ttl = Some(600);
    let updated = env.central.update_recordset(member("p1"), input).await?;
    let after = env.zone(zone_id).await?;
    assert!(after.serial > before.serial, "serial bumped");
    let mut data: Vec<&str> = updated.records.iter().map(|r| r.data.as_str()).collect();
    data.sort_unstable();
    assert_eq!(data, vec!["192.0.2.2", "192.0.2.3"]);
    assert_eq!((updated.ttl, updated.version), (Some(600), 2));
    assert!(updated.records.iter().all(|r| r.action == Action::Update
        && r.status == Status::Pending
        && r.serial == after.serial));
    let still = updated.records.iter().find(|r| r.data == "192.0.2.2");
    assert_eq!(
        still.and_then(|r| r.id),
        kept.and_then(|r| r.id),
        "kept data keep their row"
    );
    assert_eq!(
        env.soa(zone_id).await?.records[0].data.split(' ').nth(2),
        Some(after.serial.to_string().as_str())
    );
    assert_eq!(env.casts.take(), vec![WorkerCast::UpdateZone(after)]);
    Ok(())
}

#[tokio::test]
async fn a_recordset_update_keeps_the_managed_and_cname_rules() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "rules.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let mut conn = env.db.storage().acquire().await?;
    let found =
        delegate_storage::recordsets::named_in_zone(&mut conn, zone_id, "rules.test.").await?;
    drop(conn);
    let ns_id = found
        .iter()
        .find(|(_, t)| t == "NS")
        .map(|(id, _)| *id)
        .expect("apex NS");
    let ns = env
        .central
        .get_recordset(member("p1"), Some(zone_id), ns_id)
        .await?;
    let err = env
        .central
        .update_recordset(member("p1"), with_data(&ns, &["ns9.example.org."]))
        .await
        .expect_err("managed");
    assert_eq!(
        err,
        Error::bad_request("Managed records may not be updated")
    );

    let cname = env
        .create_recordset(
            member("p1"),
            &zone,
            "alias.rules.test.",
            "CNAME",
            &["a.example.org."],
        )
        .await?;
    let err = env
        .central
        .update_recordset(
            member("p1"),
            with_data(&cname, &["a.example.org.", "b.example.org."]),
        )
        .await
        .expect_err("two CNAME records");
    assert_eq!(
        err,
        Error::bad_request("CNAME recordsets may not have more than 1 record")
    );
    let moved = env
        .central
        .update_recordset(member("p1"), with_data(&cname, &["c.example.org."]))
        .await?;
    assert_eq!(
        moved.records[0].data, "c.example.org.",
        "its own name is no clash"
    );
    let err = env
        .central
        .update_recordset(member("p2"), with_data(&cname, &["d.example.org."]))
        .await
        .expect_err("other project");
    assert_eq!(err.kind, ErrorKind::ZoneNotFound);
    Ok(())
}

#[tokio::test]
async fn quotas_are_stored_merged_enforced_and_reset() -> TestResult {
    let env = Env::new().await?;
    let err = env
        .central
        .set_quota(member("p1"), "p1".into(), "zones".into(), 1)
        .await
        .expect_err("members may not set quotas");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    env.central
        .set_quota(admin("p1"), "p1".into(), "zones".into(), 1)
        .await?;
    let quotas = env.central.get_quotas(member("p1"), "p1".into()).await?;
    assert_eq!(
        serde_json::Value::Object(quotas),
        serde_json::json!({"zones": 1, "zone_recordsets": 500, "zone_records": 500,
                           "recordset_records": 20, "api_export_size": 1000})
    );
    let err = env
        .central
        .get_quotas(member("p2"), "p1".into())
        .await
        .expect_err("another project's quotas");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    let err = env
        .central
        .set_quota(admin("p1"), "p1".into(), "domains".into(), 1)
        .await
        .expect_err("unknown resource");
    assert_eq!(err.kind, ErrorKind::InvalidObject);

    env.create_zone("p1", "first.test.").await?;
    let err = env
        .create_zone("p1", "second.test.")
        .await
        .expect_err("over quota");
    assert_eq!(err.kind, ErrorKind::OverQuota);

    env.central.reset_quotas(admin("p1"), "p1".into()).await?;
    let quotas = env.central.get_quotas(member("p1"), "p1".into()).await?;
    assert_eq!(quotas.get("zones"), Some(&serde_json::json!(10)));
    env.create_zone("p1", "second.test.").await?;
    Ok(())
}
