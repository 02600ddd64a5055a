//! Central's service logic against a database of its own, without a bus:
//! casts to the workers are recorded instead of sent.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use delegate_central::{Central, Settings, WorkerCast, WorkerNotifier};
use delegate_model::{Context, Error, RecordSet, Zone, ids, time};
use delegate_rpc::CentralService;
use delegate_storage::testing::TestDatabase;
use delegate_storage::{Storage, recordsets, zones};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Records the casts central would send.
#[derive(Clone, Default)]
pub struct Casts(Arc<Mutex<Vec<WorkerCast>>>);

impl Casts {
    pub fn take(&self) -> Vec<WorkerCast> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

impl WorkerNotifier for Casts {
    async fn cast(&self, _ctx: &Context, cast: &WorkerCast) -> Result<(), Error> {
        if let Ok(mut casts) = self.0.lock() {
            casts.push(cast.clone());
        }
        Ok(())
    }
}

pub struct Env {
    pub db: TestDatabase,
    pub central: Central<Casts>,
    pub casts: Casts,
}

impl Env {
    /// A migrated database whose default pool has two NS records (the first
    /// stored has the higher priority value: storage order decides the MNAME).
    pub async fn new() -> Result<Env, Box<dyn std::error::Error>> {
        Env::with_settings(Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> Result<Env, Box<dyn std::error::Error>> {
        let db = TestDatabase::create().await?;
        add_ns(db.storage(), "ns1.example.net.", 10, "2020-01-01 00:00:00").await?;
        add_ns(db.storage(), "ns2.example.net.", 1, "2020-01-02 00:00:00").await?;
        let casts = Casts::default();
        let central = Central::new(db.storage().clone(), settings, casts.clone());
        Ok(Env { db, central, casts })
    }

    /// Another central instance on the same database.
    pub fn second_instance(&self) -> Central<Casts> {
        Central::new(
            self.db.storage().clone(),
            Settings::default(),
            self.casts.clone(),
        )
    }

    pub async fn zone(&self, id: uuid::Uuid) -> Result<Zone, Box<dyn std::error::Error>> {
        let mut conn = self.db.storage().acquire().await?;
        Ok(zones::get(&mut conn, id).await?)
    }

    pub async fn soa(&self, zone_id: uuid::Uuid) -> Result<RecordSet, Box<dyn std::error::Error>> {
        let mut conn = self.db.storage().acquire().await?;
        Ok(recordsets::soa_of(&mut conn, zone_id).await?)
    }

    /// Creates `name` for `project` through central.
    pub async fn create_zone(&self, project: &str, name: &str) -> Result<Zone, Error> {
        let zone = Zone {
            name: name.into(),
            email: format!("hostmaster@{}", name.trim_end_matches('.')),
            ..Zone::default()
        };
        self.central.create_zone(member(project), zone).await
    }

    pub async fn create_recordset(
        &self,
        ctx: Context,
        zone: &Zone,
        name: &str,
        rr_type: &str,
        data: &[&str],
    ) -> Result<RecordSet, Error> {
        self.central
            .create_recordset(
                ctx,
                zone.id.unwrap_or_default(),
                recordset(name, rr_type, data),
            )
            .await
    }

    pub async fn exec(&self, sql: &'static str, binds: &[&str]) -> Result<(), sqlx::Error> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(self.db.storage().pool()).await.map(|_| ())
    }
}

async fn add_ns(
    storage: &Storage,
    host: &str,
    priority: i32,
    created: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO pool_ns_records (id, created_at, version, pool_id, priority, hostname) \
         VALUES (?, ?, 1, '794ccc2cd75144feb57f8894c9f5c842', ?, ?)",
    )
    .bind(ids::to_db(&ids::new_id()))
    .bind(created)
    .bind(priority)
    .bind(host)
    .execute(storage.pool())
    .await
    .map(|_| ())
}

/// A member as Keystone makes one: `member` implies `reader`.
pub fn member(project: &str) -> Context {
    Context {
        project_id: Some(project.into()),
        roles: vec!["member".into(), "reader".into()],
        ..Context::default()
    }
}

pub fn admin(project: &str) -> Context {
    Context {
        project_id: Some(project.into()),
        roles: vec!["admin".into()],
        is_admin: true,
        ..Context::default()
    }
}

pub fn recordset(name: &str, rr_type: &str, data: &[&str]) -> RecordSet {
    RecordSet {
        name: name.into(),
        rr_type: rr_type.into(),
        records: data
            .iter()
            .map(|d| delegate_model::Record {
                data: (*d).into(),
                ..Default::default()
            })
            .collect(),
        ..RecordSet::default()
    }
}

pub fn now() -> i64 {
    time::unix_now()
}
