//! Recordsets: create, show, list, delete (spec/domain-rules.md §3,
//! spec/api-v2.md §8). A change bumps the zone serial and rebuilds its SOA
//! in the same transaction, and is cast to the workers after commit.

use delegate_model::{
    Action, Context, Error, ErrorKind, Record, RecordSet, Status, Zone, ids, time,
};
use delegate_rpc::Paging;
use delegate_storage::retry::on_deadlock;
use delegate_storage::{MySqlConnection, Scope, StorageError, records, recordsets, zones};
use serde_json::Value;
use uuid::Uuid;

use crate::access;
use crate::notify::{WorkerCast, WorkerNotifier};
use crate::quota::{self, Quota};
use crate::serial;
use crate::service::{Central, listing};
use crate::txn::{OpError, refuse};

fn location(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRecordSetLocation, message)
}

impl<N: WorkerNotifier> Central<N> {
    pub(crate) async fn create_recordset_op(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        input: RecordSet,
    ) -> Result<RecordSet, Error> {
        let (rs, zone) = on_deadlock(|| self.create_recordset_once(ctx, zone_id, &input)).await?;
        if let Some(zone) = zone {
            self.push(ctx, vec![WorkerCast::UpdateZone(zone)]).await;
        }
        Ok(rs)
    }

    /// One attempt; returns the zone when it changed (the recordset has records).
    async fn create_recordset_once(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        input: &RecordSet,
    ) -> Result<(RecordSet, Option<Zone>), OpError> {
        let mut tx = self.storage.begin().await?;
        let (mut zone, shared) = self.writable_zone(&mut tx, ctx, zone_id).await?;
        // Projects a zone is shared with add recordsets to PRIMARY zones only.
        let target = access::recordset_target(&zone, shared, input);
        access::enforce(&self.settings.policy, "create_recordset", ctx, &target)?;
        let owner = zone.tenant_id.clone().unwrap_or_default();
        let count = recordsets::count_in_zone(&mut tx, zone_id).await?;
        quota::enforce(
            &mut tx,
            &self.settings,
            &owner,
            &[(Quota::ZoneRecordsets, count + 1)],
        )
        .await?;
        let data = distinct_data(input);
        self.check_recordset(&mut tx, ctx, &zone, input, data.len())
            .await?;
        let in_zone = records::count_unmanaged_in_zone(&mut tx, zone_id).await?;
        let n = i64::try_from(data.len()).unwrap_or(i64::MAX);
        let values = [
            (Quota::ZoneRecords, in_zone + n),
            (Quota::RecordsetRecords, n),
        ];
        quota::enforce(&mut tx, &self.settings, &owner, &values).await?;

        let changed = !data.is_empty();
        let record_serial = if changed {
            serial::bump(&mut zone)
        } else {
            zone.serial
        };
        let mut rs = new_recordset(ctx, &zone, input, &data, record_serial);
        recordsets::insert(&mut tx, &mut rs).await?;
        if changed {
            serial::save_bumped(&mut tx, &mut zone).await?;
        }
        delegate_storage::commit(tx).await?;
        Ok((rs, changed.then_some(zone)))
    }

    /// Loads and locks a zone that a recordset change may touch: visible to
    /// the caller, not a catalog zone, not being deleted (spec §3.2 step 1).
    /// Also tells whether it is visible through a share (policy `zone_shared`).
    pub(crate) async fn writable_zone(
        &self,
        conn: &mut MySqlConnection,
        ctx: &Context,
        zone_id: Uuid,
    ) -> Result<(Zone, bool), OpError> {
        let zone = zones::lock(conn, zone_id).await?;
        access::forbid_catalog(zone.zone_type)?;
        let shared = access::visible_shared(conn, ctx, &zone).await?;
        if zone.action == Action::Delete {
            return refuse(Error::bad_request("Can not update a deleting zone"));
        }
        Ok((zone, shared))
    }

    /// Steps 3–9 of spec/domain-rules.md §3.2; the database refuses duplicates (11).
    pub(crate) async fn check_recordset(
        &self,
        conn: &mut MySqlConnection,
        ctx: &Context,
        zone: &Zone,
        rs: &RecordSet,
        records: usize,
    ) -> Result<(), OpError> {
        if let Some(ttl) = rs.ttl {
            self.check_ttl(ctx, i64::from(ttl))?;
        }
        if rs.name.chars().count() > self.settings.max_recordset_name_len {
            return refuse(Error::new(ErrorKind::InvalidRecordSetName, "Name too long"));
        }
        let apex = rs.name == zone.name;
        if !apex && !rs.name.ends_with(&format!(".{}", zone.name)) {
            return refuse(location(
                "RecordSet is not contained within it's parent zone",
            ));
        }
        let is_cname = rs.rr_type == "CNAME";
        if is_cname && apex {
            return refuse(location(
                "CNAME recordsets may not be created at the zone apex",
            ));
        }
        let zone_id = zone.id.unwrap_or_default();
        let same_name = recordsets::named_in_zone(conn, zone_id, &rs.name).await?;
        let others = same_name.iter().filter(|(id, _)| Some(*id) != rs.id);
        if others.clone().any(|(_, t)| is_cname || t == "CNAME") {
            return refuse(location(
                "CNAME recordsets may not share a name with any other records",
            ));
        }
        if !apex {
            for child in zones::live_children(conn, zone_id).await? {
                if rs.name == child.name || rs.name.ends_with(&format!(".{}", child.name)) {
                    return refuse(location(format!(
                        "RecordSet belongs in a child zone: {}",
                        child.name
                    )));
                }
            }
        }
        if is_cname && records > 1 {
            return refuse(Error::bad_request(
                "CNAME recordsets may not have more than 1 record",
            ));
        }
        Ok(())
    }

    pub(crate) async fn get_recordset_op(
        &self,
        ctx: &Context,
        zone_id: Option<Uuid>,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let rs = recordsets::get(&mut conn, recordset_id).await?;
            if zone_id.is_some() && zone_id != rs.zone_id {
                return Err(StorageError::NotFound(delegate_storage::Resource::RecordSet).into());
            }
            let zone = zones::get(&mut conn, rs.zone_id.unwrap_or_default()).await?;
            let shared = access::visible_shared(&mut conn, ctx, &zone).await?;
            let target = access::recordset_target(&zone, shared, &rs);
            access::enforce(&self.settings.policy, "get_recordset", ctx, &target)?;
            Ok::<_, OpError>(rs)
        };
        Ok(read.await?)
    }

    /// Lists recordsets. With a `zone_id` criterion: every recordset of that
    /// zone, if the caller may see it; without: the caller's own recordsets
    /// across zones (all with all-projects).
    pub(crate) async fn find_recordsets_op(
        &self,
        ctx: &Context,
        paging: Paging,
    ) -> Result<(Vec<RecordSet>, u64), Error> {
        let (criterion, page) = listing(paging);
        let zone_id = match criterion.get("zone_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_zone_id(v)?),
        };
        let read = async {
            let mut conn = self.storage.acquire().await?;
            let scope = match zone_id {
                Some(id) => {
                    let zone = zones::get(&mut conn, id).await?;
                    access::require_visible(&mut conn, ctx, &zone).await?;
                    Scope::All
                }
                None => Scope::of(ctx),
            };
            let target = access::project_target(ctx.project_id.as_deref());
            access::enforce(&self.settings.policy, "find_recordsets", ctx, &target)?;
            let found = recordsets::find(&mut conn, &scope, &criterion, &page).await?;
            let total = match ctx.hide_counts {
                true => 0,
                false => recordsets::count(&mut conn, &scope, &criterion).await?,
            };
            Ok::<_, OpError>((found, total))
        };
        Ok(read.await?)
    }

    /// Deletes a recordset at once (rows hard-deleted), bumps the zone serial
    /// and casts `update_zone`. Returns the recordset as it was, its records
    /// DELETE/PENDING.
    pub(crate) async fn delete_recordset_op(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<RecordSet, Error> {
        let (rs, zone) =
            on_deadlock(|| self.delete_recordset_once(ctx, zone_id, recordset_id)).await?;
        self.push(ctx, vec![WorkerCast::UpdateZone(zone)]).await;
        Ok(rs)
    }

    async fn delete_recordset_once(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
    ) -> Result<(RecordSet, Zone), OpError> {
        let mut tx = self.storage.begin().await?;
        let (mut zone, shared) = self.writable_zone(&mut tx, ctx, zone_id).await?;
        let mut rs = recordsets::get(&mut tx, recordset_id).await?;
        if rs.zone_id != Some(zone_id) {
            return Err(StorageError::NotFound(delegate_storage::Resource::RecordSet).into());
        }
        // A project the zone is shared with may delete only what it created.
        let target = access::recordset_target(&zone, shared, &rs);
        access::enforce(&self.settings.policy, "delete_recordset", ctx, &target)?;
        if rs.rr_type == "SOA" {
            return refuse(Error::bad_request(
                "Deleting a SOA recordset is not allowed",
            ));
        }
        if rs.is_managed() && !ctx.edit_managed_records {
            return refuse(Error::bad_request("Managed records may not be deleted"));
        }
        let record_serial = serial::bump(&mut zone);
        recordsets::delete(&mut tx, recordset_id).await?;
        serial::save_bumped(&mut tx, &mut zone).await?;
        delegate_storage::commit(tx).await?;
        // The row is gone: the recordset is returned as its last update
        // would have left it (`version + 1`, new `updated_at`).
        rs.version += 1;
        rs.updated_at = Some(time::now());
        for record in &mut rs.records {
            record.action = Action::Delete;
            record.status = Status::Pending;
            record.serial = record_serial;
        }
        Ok((rs, zone))
    }
}

impl<N: WorkerNotifier> Central<N> {
    /// Saves a recordset as `input` gives it (PUT, spec/domain-rules.md
    /// §3.2–§3.3): ttl and description, records replaced (kept data keep
    /// their rows), serial bumped, SOA rebuilt, `update_zone` cast.
    pub(crate) async fn update_recordset_op(
        &self,
        ctx: &Context,
        input: RecordSet,
    ) -> Result<RecordSet, Error> {
        let (Some(zone_id), Some(recordset_id)) = (input.zone_id, input.id) else {
            return Err(Error::bad_request(
                "update_recordset: recordset without id or zone_id",
            ));
        };
        let (rs, zone) =
            on_deadlock(|| self.update_recordset_once(ctx, zone_id, recordset_id, &input)).await?;
        self.push(ctx, vec![WorkerCast::UpdateZone(zone)]).await;
        Ok(rs)
    }

    async fn update_recordset_once(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        recordset_id: Uuid,
        input: &RecordSet,
    ) -> Result<(RecordSet, Zone), OpError> {
        let mut tx = self.storage.begin().await?;
        let (mut zone, shared) = self.writable_zone(&mut tx, ctx, zone_id).await?;
        let mut rs = recordsets::get(&mut tx, recordset_id).await?;
        if rs.zone_id != Some(zone_id) {
            return Err(StorageError::NotFound(delegate_storage::Resource::RecordSet).into());
        }
        let target = access::recordset_target(&zone, shared, &rs);
        access::enforce(&self.settings.policy, "update_recordset", ctx, &target)?;
        check_unchanged(&rs, input)?;
        let managed = rs.is_managed();
        if managed && !ctx.edit_managed_records {
            return refuse(Error::bad_request("Managed records may not be updated"));
        }
        if input.ttl != rs.ttl
            && let Some(ttl) = input.ttl
        {
            self.check_ttl(ctx, i64::from(ttl))?;
        }
        let data = distinct_data(input);
        let checked = RecordSet {
            ttl: None,
            ..input.clone()
        };
        self.check_recordset(&mut tx, ctx, &zone, &checked, data.len())
            .await?;
        if !managed {
            let owner = zone.tenant_id.clone().unwrap_or_default();
            let in_zone = records::count_unmanaged_in_zone(&mut tx, zone_id).await?;
            let mine = i64::try_from(rs.records.len()).unwrap_or(i64::MAX);
            let n = i64::try_from(data.len()).unwrap_or(i64::MAX);
            let values = [
                (Quota::ZoneRecords, in_zone - mine + n),
                (Quota::RecordsetRecords, n),
            ];
            quota::enforce(&mut tx, &self.settings, &owner, &values).await?;
        }

        let record_serial = serial::bump(&mut zone);
        rs.ttl = input.ttl;
        rs.description = input.description.clone();
        recordsets::update(&mut tx, &mut rs).await?;
        replace_records(&mut tx, &rs, &data, record_serial).await?;
        serial::save_bumped(&mut tx, &mut zone).await?;
        let rs = recordsets::get(&mut tx, recordset_id).await?;
        delegate_storage::commit(tx).await?;
        Ok((rs, zone))
    }
}

/// Step 2 of spec/domain-rules.md §3.2: owner, zone and type stay.
fn check_unchanged(stored: &RecordSet, input: &RecordSet) -> Result<(), OpError> {
    if input.tenant_id.is_some() && input.tenant_id != stored.tenant_id {
        return refuse(Error::bad_request(
            "Moving a recordset between tenants is not allowed",
        ));
    }
    if input.zone_id != stored.zone_id {
        return refuse(Error::bad_request(
            "Moving a recordset between zones is not allowed",
        ));
    }
    if input.rr_type != stored.rr_type {
        return refuse(Error::bad_request(
            "Changing a recordsets type is not allowed",
        ));
    }
    if input.name != stored.name {
        return refuse(location(
            "RecordSet is not contained within it's parent zone",
        ));
    }
    Ok(())
}

/// The recordset's records become `data`: rows whose data stay are kept
/// (UPDATE/PENDING), new data get rows marked UPDATE too (as Designate
/// does), dropped rows are deleted at once.
async fn replace_records(
    conn: &mut MySqlConnection,
    rs: &RecordSet,
    data: &[String],
    serial: i64,
) -> Result<(), OpError> {
    let rs_id = rs.id.unwrap_or_default();
    let dropped: Vec<Uuid> = rs
        .records
        .iter()
        .filter(|r| !data.contains(&r.data))
        .filter_map(|r| r.id)
        .collect();
    recordsets::delete_records(conn, rs_id, &dropped).await?;
    for record in rs.records.iter().filter(|r| data.contains(&r.data)) {
        let mut record = record.clone();
        record.action = Action::Update;
        record.status = Status::Pending;
        record.serial = serial;
        records::update(conn, &mut record).await?;
    }
    let owner = RecordSet {
        created_at: Some(time::now()),
        ..rs.clone()
    };
    let mut added: Vec<Record> = data
        .iter()
        .filter(|d| !rs.records.iter().any(|r| &r.data == *d))
        .map(|d| Record {
            action: Action::Update,
            ..new_record(&owner, ids::new_id(), d, serial)
        })
        .collect();
    records::insert_all(conn, &mut added).await?;
    Ok(())
}

/// The records' data, each once, in the order given (the API collapses
/// duplicates too).
fn distinct_data(rs: &RecordSet) -> Vec<String> {
    let mut data: Vec<String> = Vec::new();
    for r in &rs.records {
        if !data.contains(&r.data) {
            data.push(r.data.clone());
        }
    }
    data
}

/// The new rows: recordset and records owned by the caller's project,
/// records CREATE/PENDING carried by `serial`.
fn new_recordset(
    ctx: &Context,
    zone: &Zone,
    input: &RecordSet,
    data: &[String],
    serial: i64,
) -> RecordSet {
    let mut rs = RecordSet {
        id: Some(ids::new_id()),
        version: 1,
        created_at: Some(time::now()),
        updated_at: None,
        tenant_id: ctx.project_id.clone(),
        zone_id: zone.id,
        zone_name: Some(zone.name.clone()),
        records: Vec::new(),
        ..input.clone()
    };
    rs.records = data
        .iter()
        .map(|d| new_record(&rs, ids::new_id(), d, serial))
        .collect();
    rs
}

/// A new record `id` of the new recordset `rs` (its owner, zone and creation
/// time), CREATE/PENDING, carried by `serial`.
pub(crate) fn new_record(rs: &RecordSet, id: Uuid, data: &str, serial: i64) -> Record {
    Record {
        id: Some(id),
        version: 1,
        created_at: rs.created_at,
        tenant_id: rs.tenant_id.clone(),
        zone_id: rs.zone_id,
        recordset_id: rs.id,
        data: data.to_owned(),
        status: Status::Pending,
        action: Action::Create,
        serial,
        ..Record::default()
    }
}

fn parse_zone_id(value: &Value) -> Result<Uuid, Error> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    ids::parse_uuid(&text).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidUuid,
            format!("Invalid UUID zone_id: {text}"),
        )
    })
}
