//! Managed records: `create_managed_records` / `delete_managed_records`, the
//! sink's way of writing A/AAAA records for instances and floating IPs
//! (spec/services.md §7, spec/domain-rules.md §3.4).
//!
//! Like every change: one transaction that locks the zone row, the serial
//! bumped and the SOA rebuilt, the workers told right after commit. A call
//! that changes nothing (the same records again, nothing to delete) leaves
//! the zone alone, so a redelivered notification costs no serial.

use delegate_dns::RecordType;
use delegate_model::{Action, Context, Error, ErrorKind, Record, RecordSet, Zone, ids, time};
use delegate_rpc::{ManagedRecordSetValues, ManagedRecordValues};
use delegate_storage::retry::on_deadlock;
use delegate_storage::{managed, recordsets};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::notify::{WorkerCast, WorkerNotifier};
use crate::quota::{self, Quota};
use crate::recordsets::new_record;
use crate::serial;
use crate::service::Central;
use crate::txn::OpError;

impl<N: WorkerNotifier> Central<N> {
    pub(crate) async fn create_managed_records_op(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        records: Vec<ManagedRecordValues>,
        values: ManagedRecordSetValues,
    ) -> Result<RecordSet, Error> {
        require_managed_context(ctx)?;
        let wanted = Wanted::new(records, values)?;
        let (rs, zone) = on_deadlock(|| self.create_managed_once(ctx, zone_id, &wanted)).await?;
        if let Some(zone) = zone {
            self.push(ctx, vec![WorkerCast::UpdateZone(zone)]).await;
        }
        Ok(rs)
    }

    /// One attempt; returns the zone when it changed.
    async fn create_managed_once(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        wanted: &Wanted,
    ) -> Result<(RecordSet, Option<Zone>), OpError> {
        let mut tx = self.storage.begin().await?;
        let (mut zone, _shared) = self.writable_zone(&mut tx, ctx, zone_id).await?;
        let existing = recordsets::named_in_zone(&mut tx, zone_id, &wanted.name)
            .await?
            .into_iter()
            .find(|(_, t)| t.eq_ignore_ascii_case(&wanted.rr_type));
        let mut rs = match existing {
            Some((id, _)) => recordsets::get(&mut tx, id).await?,
            None => {
                let count = recordsets::count_in_zone(&mut tx, zone_id).await?;
                let owner = zone.tenant_id.clone().unwrap_or_default();
                let limit = [(Quota::ZoneRecordsets, count + 1)];
                quota::enforce(&mut tx, &self.settings, &owner, &limit).await?;
                RecordSet {
                    id: Some(ids::new_id()),
                    version: 1,
                    created_at: Some(time::now()),
                    tenant_id: ctx.project_id.clone(),
                    zone_id: Some(zone_id),
                    zone_name: Some(zone.name.clone()),
                    name: wanted.name.clone(),
                    rr_type: wanted.rr_type.clone(),
                    ..RecordSet::default()
                }
            }
        };
        if existing.is_some() && wanted.same_as(&rs) {
            return Ok((rs, None));
        }
        rs.ttl = wanted.ttl;
        self.check_recordset(&mut tx, ctx, &zone, &rs, wanted.records.len())
            .await?;
        let record_serial = serial::bump(&mut zone);
        let action = if existing.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        rs.records = wanted
            .records
            .iter()
            .map(|values| {
                let mut record = new_record(&rs, ids::new_id(), &values.data, record_serial);
                record.created_at = Some(time::now());
                record.tenant_id = ctx.project_id.clone();
                record.action = action;
                set_managed(&mut record, values);
                record
            })
            .collect();
        match existing {
            Some((id, _)) => {
                managed::replace_records(&mut tx, id, rs.ttl, &mut rs.records).await?;
                rs.version += 1;
                rs.updated_at = Some(time::now());
            }
            None => recordsets::insert(&mut tx, &mut rs).await?,
        }
        serial::save_bumped(&mut tx, &mut zone).await?;
        delegate_storage::commit(tx).await?;
        Ok((rs, Some(zone)))
    }

    pub(crate) async fn delete_managed_records_op(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        criterion: Map<String, Value>,
    ) -> Result<(), Error> {
        require_managed_context(ctx)?;
        let mut criterion = criterion;
        // Only managed records, only of this zone, whatever the caller sent.
        criterion.insert("managed".into(), Value::Bool(true));
        criterion.insert("zone_id".into(), zone_id.to_string().into());
        let zone = on_deadlock(|| self.delete_managed_once(ctx, zone_id, &criterion)).await?;
        if let Some(zone) = zone {
            self.push(ctx, vec![WorkerCast::UpdateZone(zone)]).await;
        }
        Ok(())
    }

    /// One attempt; returns the zone when records were deleted.
    async fn delete_managed_once(
        &self,
        ctx: &Context,
        zone_id: Uuid,
        criterion: &Map<String, Value>,
    ) -> Result<Option<Zone>, OpError> {
        let mut tx = self.storage.begin().await?;
        let (mut zone, _shared) = self.writable_zone(&mut tx, ctx, zone_id).await?;
        let found = managed::find_records(&mut tx, criterion).await?;
        if found.is_empty() {
            return Ok(None);
        }
        let record_ids: Vec<Uuid> = found.iter().filter_map(|r| r.id).collect();
        let mut sets: Vec<Uuid> = found.iter().filter_map(|r| r.recordset_id).collect();
        sets.sort_unstable();
        sets.dedup();
        managed::delete_records(&mut tx, &record_ids).await?;
        managed::delete_empty_recordsets(&mut tx, &sets).await?;
        serial::bump(&mut zone);
        serial::save_bumped(&mut tx, &mut zone).await?;
        delegate_storage::commit(tx).await?;
        Ok(Some(zone))
    }
}

/// Managed records are written for services, never for a tenant: the
/// caller must be an admin allowed to edit managed records.
fn require_managed_context(ctx: &Context) -> Result<(), Error> {
    if ctx.is_admin && ctx.edit_managed_records {
        Ok(())
    } else {
        Err(Error::bare(ErrorKind::Forbidden))
    }
}

fn set_managed(record: &mut Record, values: &ManagedRecordValues) {
    record.managed = values.managed;
    record.managed_plugin_name = values.managed_plugin_name.clone();
    record.managed_plugin_type = values.managed_plugin_type.clone();
    record.managed_resource_type = values.managed_resource_type.clone();
    record.managed_resource_id = values.managed_resource_id.clone();
}

/// A checked `create_managed_records` request.
struct Wanted {
    name: String,
    rr_type: String,
    ttl: Option<i32>,
    records: Vec<ManagedRecordValues>,
}

impl Wanted {
    /// The name IDNA-encoded, the type known, the name a host name for it,
    /// each record's data valid for the type and its resource id a UUID.
    fn new(
        mut records: Vec<ManagedRecordValues>,
        values: ManagedRecordSetValues,
    ) -> Result<Wanted, Error> {
        let name = idna_encode(&values.name)?;
        let rtype: RecordType = values
            .rr_type
            .parse()
            .map_err(|_| Error::bad_request(format!("unknown type {:?}", values.rr_type)))?;
        delegate_dns::validate_owner(rtype, &name)
            .map_err(|e| Error::new(ErrorKind::InvalidObject, e.to_string()))?;
        if records.is_empty() {
            return Err(Error::bad_request("records_values is empty"));
        }
        records.dedup_by(|a, b| a.data == b.data);
        for r in &records {
            delegate_dns::validate_record(rtype, &name, &r.data)
                .map_err(|e| Error::new(ErrorKind::InvalidObject, e.to_string()))?;
            if let Some(id) = &r.managed_resource_id
                && ids::parse_uuid(id).is_none()
            {
                return Err(Error::new(
                    ErrorKind::InvalidUuid,
                    format!("Invalid UUID managed_resource_id: {id}"),
                ));
            }
        }
        Ok(Wanted {
            name,
            rr_type: values.rr_type,
            ttl: values.ttl,
            records,
        })
    }

    /// The recordset already holds exactly these records, with this TTL.
    fn same_as(&self, rs: &RecordSet) -> bool {
        let hyphenated = |id: &Option<String>| {
            id.as_deref()
                .and_then(ids::parse_uuid)
                .map(|u| u.hyphenated().to_string())
        };
        rs.ttl == self.ttl
            && rs.records.len() == self.records.len()
            && self.records.iter().all(|want| {
                rs.records.iter().any(|have| {
                    have.data == want.data
                        && have.managed == want.managed
                        && have.managed_plugin_name == want.managed_plugin_name
                        && have.managed_plugin_type == want.managed_plugin_type
                        && have.managed_resource_type == want.managed_resource_type
                        && hyphenated(&have.managed_resource_id)
                            == hyphenated(&want.managed_resource_id)
                })
            })
    }
}

/// Python's `name.encode('idna')` for names of managed records: ASCII labels
/// stay as they are (case too), others become `xn--` labels.
fn idna_encode(name: &str) -> Result<String, Error> {
    if name.is_ascii() {
        return Ok(name.to_owned());
    }
    let labels: Result<Vec<String>, Error> = name
        .split('.')
        .map(|label| {
            if label.is_ascii() {
                Ok(label.to_owned())
            } else {
                idna::domain_to_ascii(label).map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidObject,
                        format!("{name:?} cannot be IDNA-encoded"),
                    )
                })
            }
        })
        .collect();
    Ok(labels?.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_idna_encoded_label_by_label() {
        assert_eq!(
            idna_encode("Web-1.example.test.").ok(),
            Some("Web-1.example.test.".into())
        );
        assert_eq!(
            idna_encode("bücher.Example.test.").ok(),
            Some("xn--bcher-kva.Example.test.".into())
        );
    }

    #[test]
    fn requests_are_checked_before_any_write() {
        let rs = |name: &str, t: &str| ManagedRecordSetValues {
            name: name.into(),
            rr_type: t.into(),
            ..ManagedRecordSetValues::default()
        };
        let rec = |data: &str| ManagedRecordValues {
            data: data.into(),
            managed: true,
            managed_resource_id: Some("6d1c9e0e-1234-4000-8000-00000000abcd".into()),
            ..ManagedRecordValues::default()
        };
        assert!(Wanted::new(vec![rec("192.0.2.1")], rs("vm.example.test.", "A")).is_ok());
        let kind = |r: Result<Wanted, Error>| r.err().map(|e| e.kind);
        assert_eq!(
            kind(Wanted::new(
                vec![rec("not-an-ip")],
                rs("vm.example.test.", "A")
            )),
            Some(ErrorKind::InvalidObject)
        );
        assert_eq!(
            kind(Wanted::new(
                vec![rec("2001:db8::1")],
                rs("vm.example.test.", "A")
            )),
            Some(ErrorKind::InvalidObject)
        );
        assert_eq!(
            kind(Wanted::new(
                vec![rec("192.0.2.1")],
                rs("bad name.example.test.", "A")
            )),
            Some(ErrorKind::InvalidObject)
        );
        assert_eq!(
            kind(Wanted::new(vec![], rs("vm.example.test.", "A"))),
            Some(ErrorKind::BadRequest)
        );
        let mut bad_id = rec("192.0.2.1");
        bad_id.managed_resource_id = Some("instance-1".into());
        assert_eq!(
            kind(Wanted::new(vec![bad_id], rs("vm.example.test.", "A"))),
            Some(ErrorKind::InvalidUuid)
        );
    }
}
