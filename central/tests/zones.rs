//! Zone create, show, list and delete through central's service logic.

mod common;

use common::{Env, TestResult, admin, member, now};
use delegate_central::{Settings, WorkerCast};
use delegate_model::{Action, Context, Error, ErrorKind, Status, Zone, ZoneType, ids};
use delegate_rpc::{CentralService, Paging};
use serde_json::json;

fn err(kind: ErrorKind, message: &str) -> Error {
    Error::new(kind, message)
}

#[tokio::test]
async fn create_zone_stores_managed_soa_and_ns_and_casts_create() -> TestResult {
    let env = Env::new().await?;
    let before = now();
    let zone = env.create_zone("p1", "example.test.").await?;
    assert_eq!(
        (zone.status, zone.action, zone.version),
        (Status::Pending, Action::Create, 1)
    );
    assert_eq!(zone.tenant_id.as_deref(), Some("p1"));
    assert_eq!(zone.pool_id, Some(Settings::default().default_pool_id));
    assert!(zone.serial >= before && zone.serial <= now());
    assert!(
        (3500..3600).contains(&zone.refresh),
        "refresh {}",
        zone.refresh
    );
    assert_eq!(
        (zone.retry, zone.expire, zone.minimum, zone.ttl),
        (600, 86400, 3600, Some(3600))
    );
    let id = zone.id.unwrap_or_default();
    assert_eq!(env.zone(id).await?.shard, ids::shard_of(&id));

    let soa = env.soa(id).await?;
    let expected = format!(
        "ns1.example.net. hostmaster.example.test. {} {} 600 86400 3600",
        zone.serial, zone.refresh
    );
    assert_eq!(
        soa.records
            .iter()
            .map(|r| r.data.as_str())
            .collect::<Vec<_>>(),
        [expected.as_str()]
    );
    assert!(soa.records[0].managed);
    assert_eq!(soa.records[0].serial, zone.serial);
    assert_eq!(soa.ttl, None);

    let paging = Paging {
        criterion: json!({"zone_id": id.to_string(), "type": "NS"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..Paging::default()
    };
    let (ns, total) = env.central.find_recordsets(member("p1"), paging).await?;
    assert_eq!(total, 1);
    let hosts: Vec<&str> = ns[0].records.iter().map(|r| r.data.as_str()).collect();
    assert_eq!(hosts, ["ns1.example.net.", "ns2.example.net."]);
    assert_eq!(
        (ns[0].status(), ns[0].action()),
        (Status::Pending, Action::Create)
    );

    assert_eq!(env.casts.take(), [WorkerCast::CreateZone(zone)]);
    Ok(())
}

#[tokio::test]
async fn create_zone_refusals_follow_designate() -> TestResult {
    let settings = Settings {
        min_ttl: 300,
        ..Settings::default()
    };
    let env = Env::with_settings(settings).await?;
    env.create_zone("p1", "taken.test.").await?;
    env.create_zone("p2", "other.test.").await?;
    env.create_zone("p2", "deep.parent.test.").await?;

    // An admin without a project passes the policy and then lacks an owner;
    // a caller without roles is refused by policy first, as in Designate.
    let anonymous = env.central.create_zone(
        Context::default(),
        Zone {
            name: "x.test.".into(),
            ..Zone::default()
        },
    );
    let e = anonymous.await.err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Forbidden));
    let admin_without_project = Context {
        project_id: None,
        ..admin("p1")
    };
    let no_project = env.central.create_zone(
        admin_without_project,
        Zone {
            name: "x.test.".into(),
            ..Zone::default()
        },
    );
    let e = no_project.await.err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::MissingProjectId));
    let catalog = Zone {
        name: "cat.test.".into(),
        zone_type: ZoneType::Catalog,
        ..Zone::default()
    };
    let e = env.central.create_zone(admin("p1"), catalog).await.err();
    assert_eq!(
        e,
        Some(err(
            ErrorKind::Forbidden,
            "This operation is not allowed for catalog zones."
        ))
    );

    let cases = [
        (
            "com.",
            err(
                ErrorKind::InvalidZoneName,
                "More than one label is required",
            ),
        ),
        (
            "taken.test.",
            err(ErrorKind::DuplicateZone, "Duplicate Zone"),
        ),
        (
            "TAKEN.test.",
            err(ErrorKind::DuplicateZone, "Duplicate Zone"),
        ),
        (
            "other.test.",
            err(
                ErrorKind::DuplicateZone,
                "Zone already exists, owned by a different tenant",
            ),
        ),
        (
            "sub.other.test.",
            err(
                ErrorKind::IllegalChildZone,
                "Unable to create subzone in another tenants zone",
            ),
        ),
        (
            "parent.test.",
            err(
                ErrorKind::IllegalParentZone,
                "Unable to create zone because another tenant owns a subzone of the zone",
            ),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(
            env.create_zone("p1", name).await.err(),
            Some(expected),
            "{name}"
        );
    }
    let low = Zone {
        name: "low.test.".into(),
        email: "a@b.test".into(),
        ttl: Some(60),
        ..Zone::default()
    };
    let e = env
        .central
        .create_zone(member("p1"), low.clone())
        .await
        .err();
    assert_eq!(
        e,
        Some(err(ErrorKind::InvalidTtl, "TTL is below the minimum: 300"))
    );
    assert!(
        env.central.create_zone(admin("p1"), low).await.is_ok(),
        "admins may go below min_ttl"
    );
    Ok(())
}

#[tokio::test]
async fn quotas_tlds_and_missing_nameservers() -> TestResult {
    let settings = Settings {
        quotas: delegate_central::settings::QuotaDefaults {
            zones: 1,
            ..Settings::default().quotas
        },
        ..Settings::default()
    };
    let env = Env::with_settings(settings).await?;
    env.create_zone("p1", "one.test.").await?;
    let e = env.create_zone("p1", "two.test.").await.err();
    assert_eq!(
        e,
        Some(err(ErrorKind::OverQuota, "Quota exceeded for zones."))
    );
    // A per-project override beats the default.
    env.exec(
        "INSERT INTO quotas (id, version, tenant_id, resource, hard_limit) VALUES (?, 1, 'p1', 'zones', 5)",
        &[&ids::to_db(&ids::new_id())],
    )
    .await?;
    env.create_zone("p1", "two.test.").await?;

    env.exec(
        "INSERT INTO tlds (id, version, name) VALUES (?, 1, 'co.uk')",
        &[&ids::to_db(&ids::new_id())],
    )
    .await?;
    let e = env.create_zone("p2", "example.test.").await.err();
    assert_eq!(e, Some(err(ErrorKind::InvalidZoneName, "Invalid TLD")));
    let e = env.create_zone("p2", "co.uk.").await.err();
    assert_eq!(
        e,
        Some(err(
            ErrorKind::InvalidZoneName,
            "Zone name cannot be the same as a TLD"
        ))
    );
    env.create_zone("p2", "example.co.uk.").await?;

    env.exec("DELETE FROM pool_ns_records", &[]).await?;
    let e = env.create_zone("p3", "other.co.uk.").await.err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::NoServersConfigured));
    Ok(())
}

#[tokio::test]
async fn subzones_get_their_parent_and_children_are_adopted() -> TestResult {
    let env = Env::new().await?;
    let child = env.create_zone("p1", "a.b.test.").await?;
    let parent = env.create_zone("p1", "b.test.").await?;
    let adopted = env.zone(child.id.unwrap_or_default()).await?;
    assert_eq!(adopted.parent_zone_id, parent.id);
    assert_eq!(
        (adopted.action, adopted.status),
        (Action::Update, Status::Pending)
    );
    assert!(adopted.serial > child.serial);
    let grandchild = env.create_zone("p1", "x.a.b.test.").await?;
    assert_eq!(grandchild.parent_zone_id, child.id);
    Ok(())
}

#[tokio::test]
async fn get_zone_shows_only_visible_zones() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "seen.test.").await?;
    let id = zone.id.unwrap_or_default();
    assert_eq!(
        env.central.get_zone(member("p1"), id).await?.name,
        "seen.test."
    );
    let not_found = Some(err(ErrorKind::ZoneNotFound, "Could not find Zone"));
    assert_eq!(
        env.central.get_zone(member("p2"), id).await.err(),
        not_found
    );
    assert_eq!(
        env.central.get_zone(admin("p2"), id).await.err(),
        not_found,
        "admins too, without all-projects"
    );
    let all = Context {
        all_tenants: true,
        ..admin("p2")
    };
    assert!(env.central.get_zone(all, id).await.is_ok());
    assert_eq!(
        env.central
            .get_zone(member("p1"), ids::new_id())
            .await
            .err(),
        not_found
    );

    env.exec(
        "INSERT INTO shared_zones (id, zone_id, project_id, target_project_id) VALUES (?, ?, 'p1', 'p2')",
        &[&ids::to_db(&ids::new_id()), &ids::to_db(&id)],
    )
    .await?;
    let shared = env.central.get_zone(member("p2"), id).await?;
    assert!(shared.shared);
    Ok(())
}

#[tokio::test]
async fn find_zones_pages_counts_and_hides_catalog_zones() -> TestResult {
    let env = Env::new().await?;
    for name in ["c.test.", "a.test.", "b.test."] {
        env.create_zone("p1", name).await?;
    }
    env.create_zone("p2", "z.test.").await?;
    env.exec(
        "INSERT INTO zones (id, version, shard, name, email, type, ttl, serial, refresh, retry, expire, minimum, pool_id) \
         VALUES (?, 1, 0, 'catalog.test.', 'x@y.test', 'CATALOG', 3600, 1, 3600, 600, 86400, 3600, '794ccc2cd75144feb57f8894c9f5c842')",
        &[&ids::to_db(&ids::new_id())],
    )
    .await?;
    let page = |marker: Option<String>| Paging {
        limit: Some(2),
        sort_key: Some("name".into()),
        marker,
        ..Paging::default()
    };
    let (first, total) = env.central.find_zones(member("p1"), page(None)).await?;
    assert_eq!(
        first.iter().map(|z| z.name.as_str()).collect::<Vec<_>>(),
        ["a.test.", "b.test."]
    );
    assert_eq!(
        total, 3,
        "NULL-owner catalog zones are hidden from non-admins"
    );
    let (second, _) = env
        .central
        .find_zones(member("p1"), page(first[1].id.map(|i| i.to_string())))
        .await?;
    assert_eq!(
        second.iter().map(|z| z.name.as_str()).collect::<Vec<_>>(),
        ["c.test."]
    );

    let wildcard = Paging {
        criterion: json!({"name": "*.test.", "type": "CATALOG"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..Paging::default()
    };
    let all_member = Context {
        all_tenants: true,
        ..member("p1")
    };
    assert_eq!(
        env.central
            .find_zones(all_member, wildcard.clone())
            .await?
            .1,
        4
    );
    let all_admin = Context {
        all_tenants: true,
        ..admin("p1")
    };
    let (catalogs, n) = env.central.find_zones(all_admin, wildcard).await?;
    assert_eq!((n, catalogs[0].name.as_str()), (1, "catalog.test."));

    let bad = Paging {
        sort_dir: Some("up".into()),
        ..Paging::default()
    };
    let e = env.central.find_zones(member("p1"), bad).await.err();
    assert_eq!(
        e,
        Some(err(
            ErrorKind::InvalidSortDir,
            "Unknown sort direction, must be 'desc' or 'asc'"
        ))
    );
    Ok(())
}

#[tokio::test]
async fn delete_zone_marks_pending_and_casts_or_refuses() -> TestResult {
    let env = Env::new().await?;
    let parent = env.create_zone("p1", "gone.test.").await?;
    let child = env.create_zone("p1", "sub.gone.test.").await?;
    env.casts.take();
    let e = env
        .central
        .delete_zone(member("p1"), parent.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(
        e,
        Some(err(
            ErrorKind::ZoneHasSubZone,
            "Please delete any subzones before deleting this zone"
        ))
    );
    let e = env
        .central
        .delete_zone(member("p2"), child.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));

    let hard = Context {
        hard_delete: true,
        ..member("p1")
    };
    let deleted = env
        .central
        .delete_zone(hard, child.id.unwrap_or_default())
        .await?;
    assert_eq!(
        (deleted.action, deleted.status, deleted.version),
        (Action::Delete, Status::Pending, 2)
    );
    assert_eq!(
        env.casts.take(),
        [WorkerCast::DeleteZone {
            zone: deleted,
            hard_delete: true
        }]
    );

    let abandon = Context {
        abandon: true,
        ..admin("p1")
    };
    env.central
        .delete_zone(abandon, child.id.unwrap_or_default())
        .await?;
    assert!(
        env.casts.take().is_empty(),
        "abandon does not touch the backends"
    );
    let gone = env
        .central
        .get_zone(member("p1"), child.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(gone.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));
    env.central
        .delete_zone(member("p1"), parent.id.unwrap_or_default())
        .await?;
    Ok(())
}

#[tokio::test]
async fn nameservers_of_a_zone_are_its_pool_ns_records() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "ns.test.").await?;
    let ns = env
        .central
        .get_zone_ns_records(member("p1"), zone.id.unwrap_or_default())
        .await?;
    let hosts: Vec<(&str, i32)> = ns
        .iter()
        .map(|n| (n.hostname.as_str(), n.priority))
        .collect();
    assert_eq!(hosts, [("ns1.example.net.", 10), ("ns2.example.net.", 1)]);
    let e = env
        .central
        .get_zone_ns_records(member("p2"), zone.id.unwrap_or_default())
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));
    Ok(())
}

#[tokio::test]
async fn purge_hard_deletes_old_deleted_zones_and_reparents_children() -> TestResult {
    let env = Env::new().await?;
    let top = env.create_zone("p1", "purge-top.test.").await?;
    let mid = env.create_zone("p1", "mid.purge-top.test.").await?;
    let leaf = env.create_zone("p1", "leaf.mid.purge-top.test.").await?;
    let recent = env.create_zone("p1", "purge-recent.test.").await?;
    assert_eq!(leaf.parent_zone_id, mid.id);
    let soft_delete = "UPDATE zones SET deleted = id, status = 'DELETED', action = 'NONE', \
                       deleted_at = UTC_TIMESTAMP() - INTERVAL ? DAY WHERE name = ?";
    env.exec(soft_delete, &["8", "mid.purge-top.test."]).await?;
    env.exec(soft_delete, &["1", "purge-recent.test."]).await?;

    let cutoff = (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%d %H:%M:%S");
    let criterion = json!({"deleted": "!0", "deleted_at": format!("<={cutoff}")});
    let criterion = criterion.as_object().cloned().unwrap_or_default();
    let e = env
        .central
        .purge_zones(member("p1"), criterion.clone(), Some(10))
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Forbidden));
    let purged = env
        .central
        .purge_zones(Context::admin(), criterion.clone(), Some(10))
        .await?;
    assert_eq!(purged, 1);
    // The child of the purged zone now hangs off the nearest survivor.
    let leaf = env.zone(leaf.id.ok_or("id")?).await?;
    assert_eq!(leaf.parent_zone_id, top.id);
    let gone = env
        .central
        .get_zone(Context::admin(), mid.id.ok_or("id")?)
        .await
        .err();
    assert_eq!(gone.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));
    let pool = env.db.storage().pool().clone();
    let count = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM zones WHERE name = ?")
                .bind(name)
                .fetch_one(&pool)
                .await
        }
    };
    assert_eq!(count("mid.purge-top.test.").await?, 0, "the row is gone");
    assert_eq!(
        count("purge-recent.test.").await?,
        1,
        "a recent deletion stays"
    );
    let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE zone_id = ?")
        .bind(ids::to_db(&mid.id.ok_or("id")?))
        .fetch_one(&pool)
        .await?;
    assert_eq!(records, 0, "its records went with it");
    // Nothing left to purge.
    let again = env
        .central
        .purge_zones(Context::admin(), criterion, Some(10))
        .await?;
    assert_eq!(again, 0);
    let _ = recent;
    Ok(())
}

#[tokio::test]
async fn increment_zone_serial_bumps_flagged_zones_once() -> TestResult {
    let env = Env::new().await?;
    let zone = env.create_zone("p1", "flagged.test.").await?;
    let id = zone.id.ok_or("id")?;
    env.exec(
        "UPDATE zones SET increment_serial = 1 WHERE name = ?",
        &["flagged.test."],
    )
    .await?;
    let e = env
        .central
        .increment_zone_serial(member("p1"), id)
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Forbidden));
    let serial = env
        .central
        .increment_zone_serial(Context::admin(), id)
        .await?;
    assert!(serial > zone.serial, "{serial} after {}", zone.serial);
    let stored = env.zone(id).await?;
    assert_eq!(stored.serial, serial);
    assert!(!stored.increment_serial, "the flag is cleared");
    let soa = env.soa(id).await?;
    let soa_text = soa
        .records
        .first()
        .map(|r| r.data.clone())
        .unwrap_or_default();
    assert!(soa_text.contains(&format!(" {serial} ")), "SOA {soa_text}");
    // No longer flagged: a second call changes nothing.
    let again = env
        .central
        .increment_zone_serial(Context::admin(), id)
        .await?;
    assert_eq!(again, serial);
    Ok(())
}
