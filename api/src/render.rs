//! The JSON views of zones and recordsets (spec/api-v2.md §6–§8). Each view
//! is a struct whose field order is Designate's key order; every key is
//! always present (`null` when unset).

use delegate_model::time::api_format;
use delegate_model::{
    Action, Error, PoolNsRecord, RecordSet, Status, Zone, ZoneAttribute, ZoneType,
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use uuid::Uuid;

use crate::links::{BaseUrl, CollectionLinks, SelfLink};

/// A zone (§7.1).
#[derive(Debug, serde::Serialize)]
pub struct ZoneView<'a> {
    id: Uuid,
    pool_id: Option<Uuid>,
    project_id: Option<&'a str>,
    name: &'a str,
    email: &'a str,
    description: Option<&'a str>,
    ttl: Option<i32>,
    serial: i64,
    shared: bool,
    status: Status,
    action: Action,
    version: i32,
    attributes: Attributes<'a>,
    #[serde(rename = "type")]
    zone_type: ZoneType,
    masters: Vec<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    transferred_at: Option<String>,
    pub links: SelfLink,
}

impl<'a> ZoneView<'a> {
    pub fn new(zone: &'a Zone, base: &BaseUrl) -> Result<Self, Error> {
        let id = id_of(zone.id, "zone")?;
        Ok(ZoneView {
            id,
            pool_id: zone.pool_id,
            project_id: zone.tenant_id.as_deref(),
            name: &zone.name,
            email: &zone.email,
            description: zone.description.as_deref(),
            ttl: zone.ttl,
            serial: zone.serial,
            shared: zone.shared,
            status: zone.status,
            action: zone.action,
            version: zone.version,
            attributes: Attributes(&zone.attributes),
            zone_type: zone.zone_type,
            // Port 53 is shown as the bare host (§7.1).
            masters: zone
                .masters
                .iter()
                .map(|m| {
                    if m.port == 53 {
                        m.host.clone()
                    } else {
                        format!("{}:{}", m.host, m.port)
                    }
                })
                .collect(),
            created_at: zone.created_at.as_ref().map(api_format),
            updated_at: zone.updated_at.as_ref().map(api_format),
            transferred_at: zone.transferred_at.as_ref().map(api_format),
            links: SelfLink {
                self_href: base.zone(id),
            },
        })
    }
}

/// Zone attributes as a flat `{key: value}` object, in stored order.
#[derive(Debug)]
struct Attributes<'a>(&'a [ZoneAttribute]);

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for attr in self.0 {
            map.serialize_entry(&attr.key, &attr.value)?;
        }
        map.end()
    }
}

/// A recordset (§8.1), with its derived status and action.
#[derive(Debug, serde::Serialize)]
pub struct RecordSetView<'a> {
    id: Uuid,
    zone_id: Uuid,
    project_id: Option<&'a str>,
    name: &'a str,
    zone_name: Option<&'a str>,
    #[serde(rename = "type")]
    rr_type: &'a str,
    records: Vec<&'a str>,
    description: Option<&'a str>,
    ttl: Option<i32>,
    status: Status,
    action: Action,
    version: i32,
    created_at: Option<String>,
    updated_at: Option<String>,
    pub links: SelfLink,
}

impl<'a> RecordSetView<'a> {
    pub fn new(rs: &'a RecordSet, base: &BaseUrl) -> Result<Self, Error> {
        let id = id_of(rs.id, "recordset")?;
        let zone_id = id_of(rs.zone_id, "recordset zone")?;
        Ok(RecordSetView {
            id,
            zone_id,
            project_id: rs.tenant_id.as_deref(),
            name: &rs.name,
            zone_name: rs.zone_name.as_deref(),
            rr_type: &rs.rr_type,
            records: rs.records.iter().map(|r| r.data.as_str()).collect(),
            description: rs.description.as_deref(),
            ttl: rs.ttl,
            status: rs.status(),
            action: rs.action(),
            version: rs.version,
            created_at: rs.created_at.as_ref().map(api_format),
            updated_at: rs.updated_at.as_ref().map(api_format),
            links: SelfLink {
                self_href: base.recordset(zone_id, id),
            },
        })
    }
}

/// `metadata` of a collection: `{"total_count": n}`, or `{}` when counts are hidden.
#[derive(Debug, serde::Serialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

#[derive(Debug, serde::Serialize)]
pub struct ZoneList<'a> {
    pub zones: Vec<ZoneView<'a>>,
    pub links: CollectionLinks,
    pub metadata: Metadata,
}

#[derive(Debug, serde::Serialize)]
pub struct RecordSetList<'a> {
    pub recordsets: Vec<RecordSetView<'a>>,
    pub links: CollectionLinks,
    pub metadata: Metadata,
}

/// `{"nameservers": [{"priority": 1, "hostname": "ns1.example.org."}]}` (§7.7).
#[derive(Debug, serde::Serialize)]
pub struct Nameservers<'a> {
    nameservers: Vec<Nameserver<'a>>,
}

#[derive(Debug, serde::Serialize)]
struct Nameserver<'a> {
    priority: i32,
    hostname: &'a str,
}

impl<'a> Nameservers<'a> {
    pub fn new(records: &'a [PoolNsRecord]) -> Self {
        let nameservers = records
            .iter()
            .map(|r| Nameserver {
                priority: r.priority,
                hostname: &r.hostname,
            })
            .collect();
        Nameservers { nameservers }
    }
}

/// Central always returns ids; a missing one is a broken reply, not bad input.
fn id_of(id: Option<Uuid>, what: &str) -> Result<Uuid, Error> {
    id.ok_or_else(|| Error::internal(format!("central returned a {what} without id")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyjson;
    use delegate_model::time::bus_format;

    #[test]
    fn zone_renders_byte_for_byte_like_the_transcript() {
        let time = |t: &str| bus_format::parse(t).ok();
        let zone = Zone {
            id: Uuid::parse_str("598873ca-459c-4e62-a8fe-c5b5cb095a48").ok(),
            pool_id: Uuid::parse_str("794ccc2c-d751-44fe-b57f-8894c9f5c842").ok(),
            tenant_id: Some("golden-zones".into()),
            name: "golden-zones-a.test.".into(),
            email: "hostmaster@golden-zones-a.test".into(),
            description: Some("zone A".into()),
            ttl: Some(3600),
            serial: 1_795_298_976,
            status: Status::Pending,
            action: Action::Create,
            version: 1,
            created_at: time("2026-11-21T22:09:36Z"),
            ..Zone::default()
        };
        let view = ZoneView::new(&zone, &BaseUrl("http://127.0.0.1:9001".into())).expect("view");
        let body = String::from_utf8(pyjson::to_vec(&view).expect("json")).expect("utf8");
        assert!(
            body.starts_with(
                r#"{"id": "598873ca-459c-4e62-a8fe-c5b5cb095a48", "pool_id": "794ccc2c"#
            )
        );
        assert!(body.contains(r#""shared": false, "status": "PENDING", "action": "CREATE", "version": 1, "attributes": {}, "type": "PRIMARY", "masters": [], "created_at": "2026-11-21T22:09:36.000000", "updated_at": null, "transferred_at": null, "links": {"self": "http://127.0.0.1:9001/v2/zones/598873ca-459c-4e62-a8fe-c5b5cb095a48"}}"#));
        assert_eq!(body.len(), 564, "Content-Length of the transcript");
    }
}
