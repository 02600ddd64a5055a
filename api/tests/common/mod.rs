//! An in-memory central for router tests, and request helpers.

#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use delegate_api::{ApiSettings, AppService, Central, app};
use delegate_model::time::bus_format;
use delegate_model::{
    Action, Context, Error, ErrorKind, PoolNsRecord, Record, RecordSet, Status, Zone,
};
use delegate_rpc::Paging;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

pub const POOL_ID: &str = "794ccc2c-d751-44fe-b57f-8894c9f5c842";

/// What the fake holds, and what it was last asked.
#[derive(Default)]
pub struct State {
    pub zones: Vec<Zone>,
    pub recordsets: Vec<RecordSet>,
    /// `(project, resource, limit)` overrides.
    pub quotas: Vec<(String, String, i64)>,
    pub service_statuses: Vec<delegate_model::ServiceStatus>,
    pub last_context: Option<Context>,
    pub last_paging: Option<Paging>,
    /// When set, every call fails with this error.
    pub fail_with: Option<Error>,
}

#[derive(Default, Clone)]
pub struct FakeCentral(pub Arc<Mutex<State>>);

impl FakeCentral {
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().expect("fake central lock")
    }

    /// Records the call; fails if the test asked for it.
    fn enter(
        &self,
        ctx: &Context,
        paging: Option<&Paging>,
    ) -> Result<MutexGuard<'_, State>, Error> {
        let mut state = self.state();
        state.last_context = Some(ctx.clone());
        state.last_paging = paging.cloned();
        match state.fail_with.clone() {
            Some(err) => Err(err),
            None => Ok(state),
        }
    }
}

fn visible(ctx: &Context, owner: &Option<String>) -> bool {
    ctx.all_tenants || *owner == ctx.project_id
}

fn zone_of(state: &State, ctx: &Context, id: Uuid) -> Result<Zone, Error> {
    state
        .zones
        .iter()
        .find(|z| z.id == Some(id) && visible(ctx, &z.tenant_id))
        .cloned()
        .ok_or_else(|| Error::not_found(ErrorKind::ZoneNotFound, "Zone"))
}

fn managed(zone: &Zone, rr_type: &str, data: &str) -> RecordSet {
    RecordSet {
        id: Some(Uuid::new_v4()),
        version: 1,
        zone_id: zone.id,
        zone_name: Some(zone.name.clone()),
        tenant_id: zone.tenant_id.clone(),
        name: zone.name.clone(),
        rr_type: rr_type.into(),
        created_at: zone.created_at,
        records: vec![Record {
            data: data.into(),
            managed: true,
            ..Record::default()
        }],
        ..RecordSet::default()
    }
}

/// `LIKE` with `%` only, or equality (the fake's storage operators).
fn matches(value: &str, pattern: &str) -> bool {
    let Some((prefix, rest)) = pattern.split_once('%') else {
        return value.eq_ignore_ascii_case(pattern);
    };
    let (value, prefix, rest) = (
        value.to_lowercase(),
        prefix.to_lowercase(),
        rest.to_lowercase(),
    );
    let inner = rest.trim_end_matches('%');
    value.starts_with(&prefix) && value[prefix.len()..].contains(inner)
}

fn page<T: Clone>(
    items: Vec<T>,
    id: impl Fn(&T) -> Option<Uuid>,
    paging: &Paging,
) -> Result<(Vec<T>, u64), Error> {
    let total = items.len() as u64;
    let start = match &paging.marker {
        None => 0,
        Some(m) => {
            let pos = items
                .iter()
                .position(|i| id(i).map(|u| u.to_string()) == Some(m.clone()));
            pos.map(|p| p + 1).ok_or_else(|| {
                Error::new(ErrorKind::MarkerNotFound, "Marker None could not be found")
            })?
        }
    };
    let limit = paging.limit.map_or(usize::MAX, |l| l as usize);
    Ok((items.into_iter().skip(start).take(limit).collect(), total))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

impl Central for FakeCentral {
    async fn create_zone(&self, ctx: &Context, zone: &Zone) -> Result<Zone, Error> {
        let mut state = self.enter(ctx, None)?;
        if state.zones.iter().any(|z| z.name == zone.name) {
            return Err(Error::duplicate(ErrorKind::DuplicateZone, "Zone"));
        }
        let zone = Zone {
            id: Some(Uuid::new_v4()),
            pool_id: Uuid::parse_str(POOL_ID).ok(),
            tenant_id: ctx.project_id.clone(),
            ttl: zone.ttl.or(Some(3600)),
            serial: 1_795_298_976,
            status: Status::Pending,
            action: Action::Create,
            version: 1,
            created_at: bus_format::parse("2026-11-21T22:09:36Z").ok(),
            ..zone.clone()
        };
        let soa = managed(
            &zone,
            "SOA",
            "ns1.anchor.test. hostmaster.example.org. 1795298976 3506 600 86400 3600",
        );
        let ns = managed(&zone, "NS", "ns1.anchor.test.");
        state.recordsets.extend([soa, ns]);
        state.zones.push(zone.clone());
        Ok(zone)
    }

    async fn get_zone(&self, ctx: &Context, zone_id: Uuid) -> Result<Zone, Error> {
        let state = self.enter(ctx, None)?;
        zone_of(&state, ctx, zone_id)
    }

    async fn find_zones(&self, ctx: &Context, paging: &Paging) -> Result<(Vec<Zone>, u64), Error> {
        let state = self.enter(ctx, Some(paging))?;
        let zones: Vec<Zone> = state
            .zones
            .iter()
            .filter(|z| visible(ctx, &z.tenant_id))
            .filter(|z| {
                paging
                    .criterion
                    .get("name")
                    .is_none_or(|n| matches(&z.name, text(n)))
            })
            .filter(|z| {
                paging
                    .criterion
                    .get("status")
                    .is_none_or(|s| matches(z.status.as_str(), text(s)))
            })
            .cloned()
            .collect();
        page(zones, |z| z.id, paging)
    }

    async fn delete_zone(&self, ctx: &Context, zone_id: Uuid) -> Result<Zone, Error> {
        let mut state = self.enter(ctx, None)?;
        zone_of(&state, ctx, zone_id)?;
        let zone = state
            .zones
            .iter_mut()
            .find(|z| z.id == Some(zone_id))
            .expect("zone found above");
        zone.action = Action::Delete;
        zone.status = Status::Pending;
        zone.version += 1;
        Ok(zone.clone())
    }

    async fn get_zone_ns_records(
        &self,
        ctx: &Context,
        zone_id: Uuid,
    ) -> Result<Vec<PoolNsRecord>, Error> {
        let state = self.enter(ctx, None)?;
        zone_of(&state, ctx, zone_id)?;
        Ok(vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.anchor.test.".into(),
            ..PoolNsRecord::default()
        }])
    }

    async fn get_quotas(
        &self,
        ctx: &Context,
        project_id: &str,
    ) -> Result<serde_json::Map<String, Value>, Error> {
        let state = self.enter(ctx, None)?;
        let defaults = [
            ("zones", 10),
            ("zone_recordsets", 500),
            ("zone_records", 500),
            ("recordset_records", 20),
            ("api_export_size", 1000),
        ];
        Ok(defaults
            .iter()
            .map(|(r, d)| {
                let limit = state
                    .quotas
                    .iter()
                    .find(|(p, res, _)| p == project_id && res == r)
                    .map_or(*d, |q| q.2);
                ((*r).to_owned(), Value::from(limit))
            })
            .collect())
    }

    async fn set_quota(
        &self,
        ctx: &Context,
        project_id: &str,
        resource: &str,
        hard_limit: i64,
    ) -> Result<(), Error> {
        let mut state = self.enter(ctx, None)?;
        if !ctx.roles.iter().any(|r| r == "admin") {
            return Err(Error::bare(ErrorKind::Forbidden));
        }
        state
            .quotas
            .retain(|(p, r, _)| !(p == project_id && r == resource));
        state
            .quotas
            .push((project_id.into(), resource.into(), hard_limit));
        Ok(())
    }

    async fn reset_quotas(&self, ctx: &Context, project_id: &str) -> Result<(), Error> {
        let mut state = self.enter(ctx, None)?;
        state.quotas.retain(|(p, _, _)| p != project_id);
        Ok(())
    }

    async fn find_service_statuses(
        &self,
        ctx: &Context,
        criterion: &serde_json::Map<String, Value>,
    ) -> Result<Vec<delegate_model::ServiceStatus>, Error> {
        let state = self.enter(ctx, None)?;
        if !ctx.is_admin {
            return Err(Error::bare(ErrorKind::Forbidden));
        }
        let id = criterion.get("id").map(text).unwrap_or_default();
        Ok(state
            .service_statuses
            .iter()
            .filter(|s| id.is_empty() || s.id.map(|i| i.to_string()).as_deref() == Some(id))
            .cloned()
            .collect())
    }

    async fn find_recordset(&self, ctx: &Context, recordset_id: Uuid) -> Result<RecordSet, Error> {
        let state = self.enter(ctx, None)?;
        let rs = state
            .recordsets
            .iter()
            .find(|r| r.id == Some(recordset_id))
            .cloned()
            .ok_or_else(|| Error::not_found(ErrorKind::RecordSetNotFound, "RecordSet"))?;
        zone_of(&state, ctx, rs.zone_id.unwrap_or_default())?;
        Ok(rs)
    }

    async fn update_zone(&self, ctx: &Context, zone: &Zone) -> Result<Zone, Error> {
        let mut state = self.enter(ctx, None)?;
        let id = zone.id.expect("zone id");
        zone_of(&state, ctx, id)?;
        let stored = state
            .zones
            .iter_mut()
            .find(|z| z.id == Some(id))
            .expect("zone found above");
        *stored = Zone {
            status: Status::Pending,
            action: Action::Update,
            version: stored.version + 1,
            serial: stored.serial + 1,
            ..zone.clone()
        };
        Ok(stored.clone())
    }

    async fn update_recordset(&self, ctx: &Context, rs: &RecordSet) -> Result<RecordSet, Error> {
        let mut state = self.enter(ctx, None)?;
        let zone_id = rs.zone_id.expect("zone id");
        zone_of(&state, ctx, zone_id)?;
        let stored = state
            .recordsets
            .iter_mut()
            .find(|r| r.id == rs.id && r.zone_id == Some(zone_id))
            .ok_or_else(|| Error::not_found(ErrorKind::RecordSetNotFound, "RecordSet"))?;
        let records = rs
            .records
            .iter()
            .map(|r| Record {
                status: Status::Pending,
                action: Action::Update,
                ..r.clone()
            })
            .collect();
        *stored = RecordSet {
            version: stored.version + 1,
            records,
            ..rs.clone()
        };
        Ok(stored.clone())
    }

    async fn create_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        rs: &RecordSet,
    ) -> Result<RecordSet, Error> {
        let mut state = self.enter(ctx, None)?;
        let zone = zone_of(&state, ctx, zone_id)?;
        if rs.name != zone.name && !rs.name.ends_with(&format!(".{}", zone.name)) {
            return Err(Error::new(
                ErrorKind::InvalidRecordSetLocation,
                "RecordSet is not contained within it's parent zone",
            ));
        }
        let records = rs
            .records
            .iter()
            .map(|r| Record {
                status: Status::Pending,
                action: Action::Create,
                ..r.clone()
            })
            .collect();
        let created = RecordSet {
            id: Some(Uuid::new_v4()),
            version: 1,
            zone_id: Some(zone_id),
            zone_name: Some(zone.name.clone()),
            tenant_id: ctx.project_id.clone(),
            created_at: zone.created_at,
            records,
            ..rs.clone()
        };
        state.recordsets.push(created.clone());
        Ok(created)
    }

    async fn get_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let state = self.enter(ctx, None)?;
        zone_of(&state, ctx, zone_id)?;
        state
            .recordsets
            .iter()
            .find(|r| r.id == Some(recordset_id) && r.zone_id == Some(zone_id))
            .cloned()
            .ok_or_else(|| Error::not_found(ErrorKind::RecordSetNotFound, "RecordSet"))
    }

    async fn find_recordsets(
        &self,
        ctx: &Context,
        paging: &Paging,
    ) -> Result<(Vec<RecordSet>, u64), Error> {
        let state = self.enter(ctx, Some(paging))?;
        let zone_id = paging
            .criterion
            .get("zone_id")
            .map(text)
            .unwrap_or_default()
            .to_owned();
        let items: Vec<RecordSet> = state
            .recordsets
            .iter()
            .filter(|r| r.zone_id.map(|z| z.to_string()) == Some(zone_id.clone()))
            .filter(|r| {
                paging
                    .criterion
                    .get("type")
                    .is_none_or(|t| matches(&r.rr_type, text(t)))
            })
            .cloned()
            .collect();
        page(items, |r| r.id, paging)
    }

    async fn delete_recordset(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let mut state = self.enter(ctx, None)?;
        let pos = state
            .recordsets
            .iter()
            .position(|r| r.id == Some(recordset_id) && r.zone_id == Some(zone_id))
            .ok_or_else(|| Error::not_found(ErrorKind::RecordSetNotFound, "RecordSet"))?;
        let mut rs = state.recordsets.remove(pos);
        if rs.is_managed() {
            return Err(Error::bad_request("Managed records may not be deleted"));
        }
        for r in &mut rs.records {
            (r.status, r.action) = (Status::Pending, Action::Delete);
        }
        Ok(rs)
    }
}

/// The application around a fresh fake central.
pub fn test_app() -> (AppService, FakeCentral) {
    test_app_with(ApiSettings::default())
}

pub fn test_app_with(settings: ApiSettings) -> (AppService, FakeCentral) {
    let central = FakeCentral::default();
    (app(Arc::new(central.clone()), settings), central)
}

/// A response, with its body as text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The keys of the body's top-level object, in the order they were written.
    pub fn key_order(&self, keys: &[&str]) -> Vec<usize> {
        keys.iter()
            .map(|k| {
                self.body
                    .find(&format!("\"{k}\": "))
                    .unwrap_or_else(|| panic!("no key {k} in {}", self.body))
            })
            .collect()
    }
}

pub async fn send(app: &AppService, req: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(req)
        .await
        .expect("the router never fails");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A request with the noauth headers of the transcripts' admin.
pub fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "127.0.0.1:9001")
        .header("x-auth-project-id", "golden-zones")
        .header("x-roles", "admin")
}

pub async fn get(app: &AppService, uri: &str) -> Reply {
    send(
        app,
        request("GET", uri).body(Body::empty()).expect("request"),
    )
    .await
}

pub async fn post_json(app: &AppService, uri: &str, body: &str) -> Reply {
    let req = request("POST", uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()));
    send(app, req.expect("request")).await
}

pub async fn send_json(app: &AppService, method: &str, uri: &str, body: &str) -> Reply {
    let req = request(method, uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()));
    send(app, req.expect("request")).await
}

pub async fn delete(app: &AppService, uri: &str) -> Reply {
    send(
        app,
        request("DELETE", uri).body(Body::empty()).expect("request"),
    )
    .await
}

/// Creates a zone and returns its id.
pub async fn create_zone(app: &AppService, name: &str) -> String {
    let reply = post_json(
        app,
        "/v2/zones",
        &format!(r#"{{"name": "{name}", "email": "hostmaster@example.org"}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}
