//! Storage against the real MariaDB: migrations, zone and recordset queries,
//! paging, heartbeats. Each test works in a database of its own.

use delegate_model::{
    Action, Error, ErrorKind, Record, RecordSet, ServiceStatus, Status, Zone, ZoneAttribute,
    ZoneMaster, ZoneType, ids, time,
};
use delegate_storage::testing::TestDatabase;
use delegate_storage::{
    PageRequest, Resource, Scope, StorageError, recordsets, service_statuses, zones,
};
use serde_json::{Map, Value, json};
use sqlx::{Executor, MySqlConnection};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DEFAULT_POOL: &str = "794ccc2c-d751-44fe-b57f-8894c9f5c842";

fn default_pool() -> Option<Uuid> {
    ids::parse_uuid(DEFAULT_POOL)
}

fn zone(name: &str, tenant: Option<&str>) -> Zone {
    Zone {
        id: Some(ids::new_id()),
        version: 1,
        created_at: Some(time::now()),
        tenant_id: tenant.map(str::to_owned),
        name: name.to_owned(),
        email: "admin@example.test".into(),
        ttl: Some(3600),
        serial: 1_700_000_000,
        refresh: 3500,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        pool_id: default_pool(),
        ..Zone::default()
    }
}

fn criterion(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn names(zones: &[Zone]) -> Vec<&str> {
    zones.iter().map(|z| z.name.as_str()).collect()
}

async fn conn(db: &TestDatabase) -> Result<sqlx::pool::PoolConnection<sqlx::MySql>, sqlx::Error> {
    db.storage().pool().acquire().await
}

/// Tables, columns, types, keys: what a migration could change.
async fn schema_fingerprint(
    db: &TestDatabase,
) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT table_name, column_name, column_type, is_nullable FROM information_schema.columns \
         WHERE table_schema = ? ORDER BY table_name, ordinal_position",
    )
    .bind(db.name())
    .fetch_all(db.storage().pool())
    .await
}

#[tokio::test]
async fn migrating_twice_changes_nothing() -> TestResult {
    let db = TestDatabase::create_empty().await?;
    let first = db.storage().migrate().await?;
    assert_eq!(first.applied, vec![1, 2]);
    assert!(!first.adopted_designate_schema);
    let schema = schema_fingerprint(&db).await?;
    assert!(
        schema
            .iter()
            .any(|(t, c, _, _)| t == "zones" && c == "increment_serial")
    );

    let second = db.storage().migrate().await?;
    assert!(
        second.applied.is_empty(),
        "second run applied {:?}",
        second.applied
    );
    assert_eq!(schema_fingerprint(&db).await?, schema);
    let pools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pools WHERE name = 'default'")
        .fetch_one(db.storage().pool())
        .await?;
    assert_eq!(pools, 1, "the seed pool is inserted once");
    Ok(())
}

#[tokio::test]
async fn adopts_a_designate_database_without_running_the_baseline() -> TestResult {
    let db = TestDatabase::create_empty().await?;
    // What designate-manage database sync leaves: the schema, no sqlx table.
    let mut c = conn(&db).await?;
    sqlx::raw_sql(include_str!("../../../migrations/0001_designate_head.sql"))
        .execute(&mut *c)
        .await?;
    let mut z = zone("kept.test.", Some("p1"));
    zones::insert(&mut c, &z).await?;
    drop(c);

    let report = db.storage().migrate().await?;
    assert!(report.adopted_designate_schema);
    // The baseline recorded, Delegate's own index (0002) run.
    assert_eq!(report.applied, vec![1, 2]);
    let mut c = conn(&db).await?;
    let kept = zones::get(&mut c, z.id.unwrap_or_default()).await?;
    z.created_at = kept.created_at;
    assert_eq!(kept.name, z.name, "existing rows are untouched");
    assert!(db.storage().migrate().await?.applied.is_empty());
    Ok(())
}

#[tokio::test]
async fn refuses_an_older_designate_schema() -> TestResult {
    let db = TestDatabase::create_empty().await?;
    let mut c = conn(&db).await?;
    c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        .await?;
    c.execute("INSERT INTO alembic_version VALUES ('b57384b28335')")
        .await?;
    drop(c);
    let err = db.storage().migrate().await.err();
    assert!(
        matches!(err, Some(StorageError::UnsupportedSchema(_))),
        "{err:?}"
    );
    Ok(())
}

async fn insert_all(c: &mut MySqlConnection, zones_: &[Zone]) -> Result<(), StorageError> {
    for z in zones_ {
        zones::insert(c, z).await?;
    }
    Ok(())
}

#[tokio::test]
async fn lists_zones_by_page_with_filters_and_counts() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let mut mine: Vec<Zone> = ["e.test.", "b.test.", "d.test.", "a.test.", "c.example."]
        .iter()
        .map(|n| zone(n, Some("p1")))
        .collect();
    mine[1].ttl = Some(300);
    mine[2].status = Status::Active;
    let theirs = zone("theirs.test.", Some("p2"));
    let nobodys = zone("nobody.test.", None);
    insert_all(&mut c, &mine).await?;
    insert_all(&mut c, &[theirs.clone(), nobodys.clone()]).await?;
    let p1 = Scope::Project(Some("p1".into()));
    let by_name = |marker: Option<&Zone>| PageRequest {
        marker: marker.and_then(|z| z.id).map(|id| id.to_string()),
        limit: Some(2),
        sort_key: Some("name".into()),
        sort_dir: None,
    };

    let page1 = zones::find(&mut c, &p1, &Map::new(), &by_name(None)).await?;
    assert_eq!(names(&page1), ["a.test.", "b.test."]);
    let page2 = zones::find(&mut c, &p1, &Map::new(), &by_name(page1.last())).await?;
    assert_eq!(names(&page2), ["c.example.", "d.test."]);
    let page3 = zones::find(&mut c, &p1, &Map::new(), &by_name(page2.last())).await?;
    assert_eq!(
        names(&page3),
        ["e.test.", "nobody.test."],
        "NULL-owner zones are visible"
    );
    let page4 = zones::find(&mut c, &p1, &Map::new(), &by_name(page3.last())).await?;
    assert!(page4.is_empty());
    assert_eq!(zones::count(&mut c, &p1, &Map::new()).await?, 6);
    assert_eq!(zones::count(&mut c, &Scope::All, &Map::new()).await?, 7);

    let all = PageRequest::default();
    let like = zones::find(&mut c, &p1, &criterion(json!({"name": "%.test."})), &all).await?;
    assert_eq!(like.len(), 5);
    let not_active = criterion(json!({"status": "!ACTIVE", "name": "%.test."}));
    assert_eq!(zones::count(&mut c, &p1, &not_active).await?, 4);
    let short = zones::find(&mut c, &p1, &criterion(json!({"ttl": "<3600"})), &all).await?;
    assert_eq!(names(&short), ["b.test."]);
    let bogus = zones::find(&mut c, &p1, &criterion(json!({"status": "BOGUS"})), &all).await?;
    assert!(bogus.is_empty());
    let by_pool = criterion(json!({"pool_id": DEFAULT_POOL}));
    assert_eq!(
        zones::count(&mut c, &Scope::All, &by_pool).await?,
        7,
        "hyphenated ids match"
    );

    // A zone shared with p1 is listed (shared = true) but not counted.
    sqlx::query("INSERT INTO shared_zones (id, created_at, zone_id, project_id, target_project_id) VALUES (?, ?, ?, 'p2', 'p1')")
        .bind(ids::to_db(&ids::new_id()))
        .bind(time::now())
        .bind(ids::to_db(&theirs.id.unwrap_or_default()))
        .execute(&mut *c)
        .await?;
    let listed = zones::find(&mut c, &p1, &Map::new(), &all).await?;
    assert_eq!(listed.len(), 7);
    assert!(listed.iter().any(|z| z.name == "theirs.test." && z.shared));
    assert_eq!(zones::count(&mut c, &p1, &Map::new()).await?, 6);
    Ok(())
}

#[tokio::test]
async fn pages_through_null_sort_values_in_both_directions() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let mut all: Vec<Zone> = (0..5)
        .map(|i| zone(&format!("z{i}.test."), Some("p1")))
        .collect();
    insert_all(&mut c, &all).await?;
    // Two of them were updated: updated_at set; the others stay NULL.
    for z in all.iter_mut().take(2) {
        zones::update(&mut c, z).await?;
    }
    let scope = Scope::Project(Some("p1".into()));
    for dir in ["asc", "desc"] {
        let mut seen = Vec::new();
        let mut marker = None;
        loop {
            let req = PageRequest {
                marker,
                limit: Some(2),
                sort_key: Some("updated_at".into()),
                sort_dir: Some(dir.into()),
            };
            let page = zones::find(&mut c, &scope, &Map::new(), &req).await?;
            let Some(last) = page.last() else { break };
            marker = last.id.map(|id| id.to_string());
            seen.extend(page.iter().map(|z| z.name.clone()));
        }
        seen.sort();
        assert_eq!(
            seen,
            ["z0.test.", "z1.test.", "z2.test.", "z3.test.", "z4.test."],
            "{dir}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn paging_errors_have_designate_shapes() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let scope = Scope::All;
    let find = |req: PageRequest| req;
    let cases = [
        (
            find(PageRequest {
                marker: Some("not-a-uuid".into()),
                ..Default::default()
            }),
            ErrorKind::InvalidMarker,
        ),
        (
            find(PageRequest {
                marker: Some(Uuid::new_v4().to_string()),
                ..Default::default()
            }),
            ErrorKind::MarkerNotFound,
        ),
        (
            find(PageRequest {
                sort_dir: Some("DESC".into()),
                ..Default::default()
            }),
            ErrorKind::InvalidSortDir,
        ),
        (
            find(PageRequest {
                sort_key: Some("records".into()),
                ..Default::default()
            }),
            ErrorKind::InvalidSortKey,
        ),
    ];
    for (req, kind) in cases {
        let err = zones::find(&mut c, &scope, &Map::new(), &req)
            .await
            .err()
            .map(Error::from);
        assert_eq!(err.map(|e| e.kind), Some(kind), "{req:?}");
    }
    let err = zones::find(
        &mut c,
        &scope,
        &criterion(json!({"nope": 1})),
        &PageRequest::default(),
    )
    .await;
    assert!(matches!(err, Err(StorageError::InvalidCriterion(_))));
    Ok(())
}

#[tokio::test]
async fn the_same_name_twice_in_a_pool_is_a_duplicate_zone() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    zones::insert(&mut c, &zone("dup.test.", Some("p1"))).await?;
    // Names compare case-insensitively in the database.
    let err = zones::insert(&mut c, &zone("DUP.test.", Some("p1")))
        .await
        .err();
    assert!(
        matches!(err, Some(StorageError::Duplicate(Resource::Zone))),
        "{err:?}"
    );
    let err = err.map(Error::from);
    assert_eq!(
        err,
        Some(Error::new(ErrorKind::DuplicateZone, "Duplicate Zone"))
    );
    Ok(())
}

#[tokio::test]
async fn a_secondary_zone_keeps_its_attributes_and_masters() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let z = Zone {
        zone_type: ZoneType::Secondary,
        attributes: vec![
            ZoneAttribute {
                key: "a".into(),
                value: "1".into(),
            },
            ZoneAttribute {
                key: "b".into(),
                value: "2".into(),
            },
        ],
        masters: vec![
            ZoneMaster {
                host: "192.0.2.1".into(),
                port: 53,
            },
            ZoneMaster {
                host: "192.0.2.2".into(),
                port: 5353,
            },
        ],
        ..zone("secondary.test.", Some("p1"))
    };
    zones::insert(&mut c, &z).await?;
    let got = zones::get(&mut c, z.id.unwrap_or_default()).await?;
    let mut attrs: Vec<(String, String)> = got
        .attributes
        .into_iter()
        .map(|a| (a.key, a.value))
        .collect();
    attrs.sort();
    assert_eq!(attrs, [("a".into(), "1".into()), ("b".into(), "2".into())]);
    let mut masters: Vec<(String, u16)> =
        got.masters.into_iter().map(|m| (m.host, m.port)).collect();
    masters.sort();
    assert_eq!(
        masters,
        [("192.0.2.1".into(), 53), ("192.0.2.2".into(), 5353)]
    );
    Ok(())
}

fn recordset(zone: &Zone, name: &str, rr_type: &str, data: &[&str]) -> RecordSet {
    let id = ids::new_id();
    RecordSet {
        id: Some(id),
        version: 1,
        created_at: Some(time::now()),
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        name: name.to_owned(),
        rr_type: rr_type.to_owned(),
        records: data
            .iter()
            .map(|d| Record {
                id: Some(ids::new_id()),
                version: 1,
                created_at: Some(time::now()),
                tenant_id: zone.tenant_id.clone(),
                zone_id: zone.id,
                recordset_id: Some(id),
                data: (*d).to_owned(),
                status: Status::Pending,
                action: Action::Create,
                serial: zone.serial,
                ..Record::default()
            })
            .collect(),
        ..RecordSet::default()
    }
}

#[tokio::test]
async fn recordsets_filter_on_their_records_and_count() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let z = zone("rr.test.", Some("p1"));
    zones::insert(&mut c, &z).await?;
    let mut www = recordset(&z, "www.rr.test.", "A", &["192.0.2.10", "192.0.2.11"]);
    let mut mail = recordset(&z, "mail.rr.test.", "A", &["192.0.2.20"]);
    let mut txt = recordset(&z, "www.rr.test.", "TXT", &["\"hello\""]);
    for rs in [&mut www, &mut mail, &mut txt] {
        recordsets::insert(&mut c, rs).await?;
    }
    let scope = Scope::All;
    let in_zone = |extra: Value| {
        let mut m = criterion(extra);
        m.insert("zone_id".into(), json!(z.id));
        m
    };
    let all = PageRequest {
        sort_key: Some("name".into()),
        ..Default::default()
    };

    let found = recordsets::find(
        &mut c,
        &scope,
        &in_zone(json!({"data": "192.0.2.1%"})),
        &all,
    )
    .await?;
    assert_eq!(found.len(), 1, "one recordset however many records match");
    assert_eq!(found[0].records.len(), 2, "all its records are returned");
    assert_eq!(found[0].zone_name.as_deref(), Some("rr.test."));
    assert_eq!(
        recordsets::count(&mut c, &scope, &in_zone(json!({"type": "A"}))).await?,
        2
    );
    let named = recordsets::find(
        &mut c,
        &scope,
        &in_zone(json!({"name": "www.rr.test."})),
        &all,
    )
    .await?;
    assert_eq!(named.len(), 2);
    let paged = PageRequest {
        limit: Some(2),
        ..all.clone()
    };
    let page1 = recordsets::find(&mut c, &scope, &in_zone(json!({})), &paged).await?;
    let next = PageRequest {
        marker: page1.last().and_then(|r| r.id).map(|i| i.to_string()),
        ..paged
    };
    let page2 = recordsets::find(&mut c, &scope, &in_zone(json!({})), &next).await?;
    assert_eq!((page1.len(), page2.len()), (2, 1));
    let other = Scope::Project(Some("p2".into()));
    assert_eq!(
        recordsets::count(&mut c, &other, &in_zone(json!({}))).await?,
        0
    );

    let mut dup = recordset(&z, "www.rr.test.", "A", &["192.0.2.99"]);
    let err = recordsets::insert(&mut c, &mut dup).await.err();
    assert!(
        matches!(err, Some(StorageError::Duplicate(Resource::RecordSet))),
        "{err:?}"
    );

    let www_id = www.id.unwrap_or_default();
    recordsets::delete(&mut c, www_id).await?;
    let gone = recordsets::get(&mut c, www_id).await.err();
    assert!(matches!(
        gone,
        Some(StorageError::NotFound(Resource::RecordSet))
    ));
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE recordset_id = ?")
        .bind(ids::to_db(&www_id))
        .fetch_one(&mut *c)
        .await?;
    assert_eq!(left, 0, "records are deleted with their recordset");
    Ok(())
}

#[tokio::test]
async fn heartbeats_keep_one_row_per_service_and_host() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let beat = |status: &str, at: i64| ServiceStatus {
        service_name: "central".into(),
        hostname: "host-a".into(),
        status: status.into(),
        heartbeated_at: chrono::DateTime::from_timestamp(at, 0).map(|t| t.naive_utc()),
        stats: json!({}),
        capabilities: json!({"x": 1}),
        ..ServiceStatus::default()
    };
    service_statuses::upsert(&mut c, &beat("UP", 1_800_000_000)).await?;
    service_statuses::upsert(&mut c, &beat("STOPPED", 1_800_000_010)).await?;
    // A late, older heartbeat does not bring the service back up.
    service_statuses::upsert(&mut c, &beat("UP", 1_800_000_005)).await?;
    let rows = service_statuses::list(&mut c).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "STOPPED");
    assert_eq!(
        rows[0].heartbeated_at,
        beat("", 1_800_000_010).heartbeated_at
    );
    assert_eq!(rows[0].capabilities, json!({"x": 1}));
    Ok(())
}

#[tokio::test]
async fn recovery_finds_error_zones_and_stale_pending_ones_in_its_shards() -> TestResult {
    let db = TestDatabase::create().await?;
    let mut c = conn(&db).await?;
    let now = time::unix_now();
    // The shard comes from the id (storage computes it).
    let at = |name: &str, serial: i64, status: Status, action: Action| Zone {
        serial,
        status,
        action,
        ..zone(name, Some("p1"))
    };
    insert_all(
        &mut c,
        &[
            at("error.test.", now, Status::Error, Action::Create),
            at("stale.test.", now - 100, Status::Pending, Action::Update),
            at("fresh.test.", now, Status::Pending, Action::Update),
            at("active.test.", now - 100, Status::Active, Action::None),
            at("deleting.test.", now - 100, Status::Pending, Action::Delete),
            at("elsewhere.test.", now - 100, Status::Error, Action::Update),
        ],
    )
    .await?;
    let all = zones::needing_recovery(&mut c, (0, 4095), now - 60, 100).await?;
    let mut found = names(&all);
    found.sort();
    assert_eq!(
        found,
        [
            "deleting.test.",
            "elsewhere.test.",
            "error.test.",
            "stale.test."
        ]
    );
    // One shard: only its zones.
    let shard = all
        .iter()
        .find(|z| z.name == "error.test.")
        .map(|z| z.shard)
        .ok_or("error.test. not found")?;
    let one = zones::needing_recovery(&mut c, (shard, shard), now - 60, 100).await?;
    assert!(names(&one).contains(&"error.test."));
    assert!(one.iter().all(|z| z.shard == shard));

    let progress = zones::progress(&mut c, ids::new_id()).await?;
    assert_eq!(progress, None, "a purged zone has no progress");
    Ok(())
}
