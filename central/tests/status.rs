//! Worker reports (spec/domain-rules.md §7.3) and heartbeats, against the database.

mod common;

use common::{Env, TestResult, member};
use delegate_model::{Action, Context, ErrorKind, ReportStatus, ServiceStatus, Status, Zone};
use delegate_rpc::CentralService;
use delegate_storage::service_statuses;
use serde_json::json;
use uuid::Uuid;

/// A zone with one A record besides SOA and NS, put in the given state.
struct Scene {
    zone: Zone,
    zone_id: Uuid,
}

impl Scene {
    async fn new(
        env: &Env,
        name: &str,
        status: &str,
        action: &str,
    ) -> Result<Scene, Box<dyn std::error::Error>> {
        let zone = env.create_zone("p1", name).await?;
        let zone_id = zone.id.unwrap_or_default();
        env.create_recordset(
            member("p1"),
            &zone,
            &format!("www.{name}"),
            "A",
            &["192.0.2.1"],
        )
        .await?;
        let id = delegate_model::ids::to_db(&zone_id);
        env.exec(
            "UPDATE zones SET status = ?, action = ?, serial = 1000 WHERE id = ?",
            &[status, action, &id],
        )
        .await?;
        env.exec("UPDATE records SET serial = 1000, status = 'PENDING', action = 'CREATE' WHERE zone_id = ?", &[&id]).await?;
        Ok(Scene {
            zone: env.zone(zone_id).await?,
            zone_id,
        })
    }

    /// `(status, action)` of every record of the zone, sorted.
    async fn records(&self, env: &Env) -> Result<Vec<(String, String)>, sqlx::Error> {
        let mut rows: Vec<(String, String)> =
            sqlx::query_as("SELECT status, action FROM records WHERE zone_id = ?")
                .bind(delegate_model::ids::to_db(&self.zone_id))
                .fetch_all(env.db.storage().pool())
                .await?;
        rows.sort();
        rows.dedup();
        Ok(rows)
    }
}

fn pair(status: &str, action: &str) -> Vec<(String, String)> {
    vec![(status.to_owned(), action.to_owned())]
}

#[tokio::test]
async fn reports_move_zones_and_records_through_the_state_table() -> TestResult {
    let env = Env::new().await?;
    // (zone status, zone action), report, serial, reported action → zone, records
    let cases = [
        (
            ("PENDING", "CREATE"),
            ReportStatus::Success,
            1000,
            Some(Action::Create),
            (Status::Active, Action::None),
            pair("ACTIVE", "NONE"),
        ),
        (
            ("PENDING", "UPDATE"),
            ReportStatus::Success,
            1001,
            None,
            (Status::Active, Action::None),
            pair("ACTIVE", "NONE"),
        ),
        (
            ("PENDING", "UPDATE"),
            ReportStatus::Success,
            999,
            None,
            (Status::Pending, Action::Update),
            pair("PENDING", "CREATE"),
        ),
        (
            ("ERROR", "UPDATE"),
            ReportStatus::Success,
            1000,
            None,
            (Status::Active, Action::None),
            pair("ACTIVE", "NONE"),
        ),
        (
            ("PENDING", "UPDATE"),
            ReportStatus::Error,
            1000,
            None,
            (Status::Error, Action::Update),
            pair("ERROR", "CREATE"),
        ),
        (
            ("PENDING", "CREATE"),
            ReportStatus::Error,
            0,
            None,
            (Status::Error, Action::Create),
            pair("ERROR", "CREATE"),
        ),
        (
            ("PENDING", "UPDATE"),
            ReportStatus::Error,
            999,
            None,
            (Status::Pending, Action::Update),
            pair("PENDING", "CREATE"),
        ),
        (
            ("PENDING", "UPDATE"),
            ReportStatus::NoZone,
            0,
            None,
            (Status::Error, Action::Create),
            pair("ERROR", "CREATE"),
        ),
        // A report for an older action settles records but leaves the zone.
        (
            ("PENDING", "UPDATE"),
            ReportStatus::Success,
            1000,
            Some(Action::Create),
            (Status::Pending, Action::Update),
            pair("ACTIVE", "NONE"),
        ),
        // Deleting: any report finishes it unless the zone already failed.
        (
            ("ERROR", "DELETE"),
            ReportStatus::Success,
            0,
            None,
            (Status::Error, Action::Delete),
            pair("PENDING", "CREATE"),
        ),
    ];
    for (i, ((status, action), report, serial, reported_action, zone_after, records_after)) in
        cases.into_iter().enumerate()
    {
        let scene = Scene::new(&env, &format!("s{i}.test."), status, action).await?;
        env.central
            .update_status(
                Context::admin(),
                scene.zone_id,
                report,
                serial,
                reported_action,
            )
            .await?;
        let zone = env.zone(scene.zone_id).await?;
        let case = format!("case {i}: {status}/{action} {report:?} {serial}");
        assert_eq!((zone.status, zone.action), zone_after, "{case}");
        assert_eq!(
            zone.version,
            scene.zone.version + 1,
            "{case}: saved even when unchanged"
        );
        assert_eq!(scene.records(&env).await?, records_after, "{case}");
    }
    Ok(())
}

#[tokio::test]
async fn a_finished_deletion_soft_deletes_the_zone() -> TestResult {
    let env = Env::new().await?;
    for (i, report) in [ReportStatus::Success, ReportStatus::Error]
        .into_iter()
        .enumerate()
    {
        let scene = Scene::new(&env, &format!("d{i}.test."), "PENDING", "DELETE").await?;
        env.central
            .update_status(
                Context::admin(),
                scene.zone_id,
                report,
                0,
                Some(Action::Delete),
            )
            .await?;
        let row: (String, Option<chrono::NaiveDateTime>, String, String) =
            sqlx::query_as("SELECT deleted, deleted_at, status, action FROM zones WHERE id = ?")
                .bind(delegate_model::ids::to_db(&scene.zone_id))
                .fetch_one(env.db.storage().pool())
                .await?;
        assert_eq!(
            row.0,
            delegate_model::ids::to_db(&scene.zone_id),
            "{report:?}"
        );
        assert!(row.1.is_some());
        assert_eq!((row.2.as_str(), row.3.as_str()), ("DELETED", "NONE"));
        let gone = env
            .central
            .get_zone(member("p1"), scene.zone_id)
            .await
            .err();
        assert_eq!(gone.map(|e| e.kind), Some(ErrorKind::ZoneNotFound));
    }
    // The name is free again.
    env.create_zone("p1", "d0.test.").await?;
    Ok(())
}

#[tokio::test]
async fn heartbeats_are_upserted_and_checked() -> TestResult {
    let env = Env::new().await?;
    let beat = |status: &str| ServiceStatus {
        service_name: "worker".into(),
        hostname: "h1".into(),
        status: status.into(),
        stats: json!({}),
        capabilities: json!({}),
        ..ServiceStatus::default()
    };
    env.central
        .update_service_status(Context::admin(), beat("UP"))
        .await?;
    env.central
        .update_service_status(Context::admin(), beat("UP"))
        .await?;
    let e = env
        .central
        .update_service_status(Context::admin(), beat("SLEEPING"))
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::BadRequest));
    let mut conn = env.db.storage().acquire().await?;
    let rows = service_statuses::list(&mut conn).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "UP");
    assert!(rows[0].heartbeated_at.is_some());
    Ok(())
}

#[tokio::test]
async fn service_statuses_are_found_by_criterion_and_deleted() -> TestResult {
    let env = Env::new().await?;
    let now = chrono::Utc::now().naive_utc();
    let beat = |host: &str, status: &str, age_s: i64| ServiceStatus {
        service_name: "worker".into(),
        hostname: host.into(),
        status: status.into(),
        heartbeated_at: Some(now - chrono::Duration::seconds(age_s)),
        stats: json!({}),
        capabilities: json!({}),
        ..ServiceStatus::default()
    };
    for (host, status, age) in [
        ("old", "UP", 3600),
        ("new", "UP", 5),
        ("gone", "STOPPED", 60),
    ] {
        env.central
            .update_service_status(Context::admin(), beat(host, status, age))
            .await?;
    }
    let cutoff = (now - chrono::Duration::seconds(1800)).format("%Y-%m-%d %H:%M:%S");
    let criterion = json!({"status": "UP", "heartbeated_at": format!("<{cutoff}")});
    let criterion = criterion.as_object().cloned().unwrap_or_default();
    let stale = env
        .central
        .find_service_statuses(Context::admin(), criterion.clone())
        .await?;
    let hosts: Vec<&str> = stale.iter().map(|s| s.hostname.as_str()).collect();
    assert_eq!(hosts, ["old"]);

    let e = env
        .central
        .find_service_statuses(member("p1"), criterion)
        .await
        .err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Forbidden));

    let id = stale[0].id.ok_or("no id")?;
    env.central
        .delete_service_status(Context::admin(), id)
        .await?;
    // Deleting twice is harmless (two clean-ups may race).
    env.central
        .delete_service_status(Context::admin(), id)
        .await?;
    let mut conn = env.db.storage().acquire().await?;
    let left: Vec<String> = service_statuses::list(&mut conn)
        .await?
        .into_iter()
        .map(|s| s.hostname)
        .collect();
    assert_eq!(left, ["gone", "new"]);
    Ok(())
}
