//! `create_managed_records` / `delete_managed_records` (the sink's calls):
//! create, replace, no-op on a repeat, delete by managed resource with empty
//! recordsets removed, each change bumping the serial and pushed.

mod common;

use common::{Env, TestResult, admin, member};
use delegate_central::WorkerCast;
use delegate_model::{Context, ErrorKind};
use delegate_rpc::{CentralService, ManagedRecordSetValues, ManagedRecordValues};
use serde_json::{Map, Value, json};

const VM1: &str = "6d1c9e0e-1234-4000-8000-000000000001";
const VM2: &str = "6d1c9e0e-1234-4000-8000-000000000002";

fn sink() -> Context {
    Context {
        edit_managed_records: true,
        project_id: None,
        ..Context::admin()
    }
}

fn record(data: &str, resource: &str) -> ManagedRecordValues {
    ManagedRecordValues {
        data: data.into(),
        managed: true,
        managed_plugin_name: Some("nova_fixed".into()),
        managed_plugin_type: Some("handler".into()),
        managed_resource_type: Some("instance".into()),
        managed_resource_id: Some(resource.into()),
    }
}

fn set(name: &str, rr_type: &str) -> ManagedRecordSetValues {
    ManagedRecordSetValues {
        name: name.into(),
        rr_type: rr_type.into(),
        ..ManagedRecordSetValues::default()
    }
}

fn by_resource(resource: &str) -> Map<String, Value> {
    match json!({
        "managed": true,
        "managed_plugin_name": "nova_fixed",
        "managed_plugin_type": "handler",
        "managed_resource_id": resource,
        "managed_resource_type": "instance",
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

async fn names(
    env: &Env,
    zone_id: uuid::Uuid,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT rs.name, rs.type, r.data FROM recordsets rs JOIN records r ON r.recordset_id = rs.id \
         WHERE rs.zone_id = ? AND r.managed = 1 AND rs.type IN ('A', 'AAAA') ORDER BY rs.name, r.data",
    )
    .bind(delegate_model::ids::to_db(&zone_id))
    .fetch_all(env.db.storage().pool())
    .await
}

#[tokio::test]
async fn managed_records_are_created_replaced_and_deleted_by_resource() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "sink.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    env.casts.take();
    let c = &env.central;

    let rs = c
        .create_managed_records(
            sink(),
            zone_id,
            vec![record("192.0.2.1", VM1)],
            set("vm1.sink.test.", "A"),
        )
        .await?;
    assert_eq!(rs.name, "vm1.sink.test.");
    assert!(rs.records[0].managed);
    assert_eq!(rs.records[0].managed_resource_id.as_deref(), Some(VM1));
    let after = env.zone(zone_id).await?;
    assert!(after.serial > zone.serial);
    assert!(
        matches!(&env.casts.take()[..], [WorkerCast::UpdateZone(z)] if z.serial == after.serial)
    );
    let stored: (String,) = sqlx::query_as(
        "SELECT managed_resource_id FROM records WHERE managed_resource_type = 'instance'",
    )
    .fetch_one(env.db.storage().pool())
    .await?;
    assert_eq!(stored.0, VM1.replace('-', ""), "CHAR(32) column");

    // The same again (a redelivered notification): nothing changes.
    c.create_managed_records(
        sink(),
        zone_id,
        vec![record("192.0.2.1", VM1)],
        set("vm1.sink.test.", "A"),
    )
    .await?;
    assert_eq!(env.zone(zone_id).await?.serial, after.serial);
    assert!(env.casts.take().is_empty());

    // Another instance with the same name replaces the records.
    c.create_managed_records(
        sink(),
        zone_id,
        vec![record("192.0.2.2", VM2)],
        set("vm1.sink.test.", "A"),
    )
    .await?;
    c.create_managed_records(
        sink(),
        zone_id,
        vec![record("2001:db8::2", VM2)],
        set("vm1.sink.test.", "AAAA"),
    )
    .await?;
    c.create_managed_records(
        sink(),
        zone_id,
        vec![record("192.0.2.1", VM1)],
        set("192-0-2-1.sink.test.", "A"),
    )
    .await?;
    assert_eq!(
        names(&env, zone_id).await?,
        vec![
            (
                "192-0-2-1.sink.test.".into(),
                "A".into(),
                "192.0.2.1".into()
            ),
            ("vm1.sink.test.".into(), "A".into(), "192.0.2.2".into()),
            ("vm1.sink.test.".into(), "AAAA".into(), "2001:db8::2".into()),
        ]
    );
    assert_eq!(env.casts.take().len(), 3);

    let before = env.zone(zone_id).await?.serial;
    c.delete_managed_records(sink(), zone_id, by_resource(VM2))
        .await?;
    assert_eq!(
        names(&env, zone_id).await?,
        vec![(
            "192-0-2-1.sink.test.".into(),
            "A".into(),
            "192.0.2.1".into()
        )]
    );
    let empty: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recordsets WHERE name = 'vm1.sink.test.'")
            .fetch_one(env.db.storage().pool())
            .await?;
    assert_eq!(empty.0, 0, "empty recordsets are removed");
    assert!(env.zone(zone_id).await?.serial > before);
    assert_eq!(env.casts.take().len(), 1);

    // Nothing left to delete: no change, no push.
    c.delete_managed_records(sink(), zone_id, by_resource(VM2))
        .await?;
    assert!(env.casts.take().is_empty());
    c.delete_managed_records(sink(), zone_id, by_resource(VM1))
        .await?;
    assert!(names(&env, zone_id).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn refusals_write_nothing() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "refuse.test.").await?;
    let zone_id = zone.id.unwrap_or_default();
    let c = &env.central;
    let kind = |r: Result<_, delegate_model::Error>| r.err().map(|e| e.kind);

    let outside = c
        .create_managed_records(
            sink(),
            zone_id,
            vec![record("192.0.2.1", VM1)],
            set("vm.other.test.", "A"),
        )
        .await;
    assert_eq!(kind(outside), Some(ErrorKind::InvalidRecordSetLocation));
    let not_ip = c
        .create_managed_records(
            sink(),
            zone_id,
            vec![record("vm-1", VM1)],
            set("vm.refuse.test.", "A"),
        )
        .await;
    assert_eq!(kind(not_ip), Some(ErrorKind::InvalidObject));
    let missing = c
        .create_managed_records(
            sink(),
            uuid::Uuid::new_v4(),
            vec![record("192.0.2.1", VM1)],
            set("vm.refuse.test.", "A"),
        )
        .await;
    assert_eq!(kind(missing), Some(ErrorKind::ZoneNotFound));
    for ctx in [member("p1"), admin("p1")] {
        let refused = c
            .create_managed_records(
                ctx.clone(),
                zone_id,
                vec![record("192.0.2.1", VM1)],
                set("vm.refuse.test.", "A"),
            )
            .await;
        assert_eq!(kind(refused), Some(ErrorKind::Forbidden));
        let refused = c
            .delete_managed_records(ctx, zone_id, by_resource(VM1))
            .await;
        assert_eq!(refused.err().map(|e| e.kind), Some(ErrorKind::Forbidden));
    }
    assert!(names(&env, zone_id).await?.is_empty());
    assert_eq!(env.zone(zone_id).await?.serial, zone.serial);
    Ok(())
}
