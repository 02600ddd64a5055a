//! Zones, recordsets, records, pools and service statuses: the fields of
//! spec/storage.md, in the shapes central, the worker and the API share.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::envelope::{DesignateObject, nested};
use crate::time::bus_format;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $( $variant:ident = $text:literal ),* $(,)? } default $def:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( #[serde(rename = $text)] $variant, )*
        }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),* }
            }
            /// Exact, upper-case match, as the database and the bus spell it.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $( $text => Some($name::$variant), )* _ => None }
            }
        }
        impl Default for $name { fn default() -> Self { $name::$def } }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(
    /// Zone and record status (spec/domain-rules.md §7.1).
    Status { Active = "ACTIVE", Pending = "PENDING", Error = "ERROR", Deleted = "DELETED" } default Pending
);
string_enum!(
    /// Zone and record action (spec/domain-rules.md §7.1).
    Action { Create = "CREATE", Update = "UPDATE", Delete = "DELETE", None = "NONE" } default Create
);
string_enum!(
    /// Zone type.
    ZoneType { Primary = "PRIMARY", Secondary = "SECONDARY", Catalog = "CATALOG" } default Primary
);
string_enum!(
    /// What a worker reports to central's `update_status` (spec/domain-rules.md §7.3).
    ReportStatus { Success = "SUCCESS", Error = "ERROR", NoZone = "NO_ZONE" } default Error
);

/// A secondary zone's master, `host:port`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZoneMaster {
    pub host: String,
    pub port: u16,
}

/// A zone attribute (scheduler hint).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZoneAttribute {
    pub key: String,
    pub value: String,
}

/// A zone (table `zones`, spec/storage.md §2.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Zone {
    pub id: Option<Uuid>,
    pub version: i32,
    #[serde(with = "bus_format")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub updated_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub deleted_at: Option<NaiveDateTime>,
    pub shard: u16,
    pub tenant_id: Option<String>,
    pub name: String,
    pub email: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub zone_type: ZoneType,
    #[serde(with = "bus_format")]
    pub transferred_at: Option<NaiveDateTime>,
    pub ttl: Option<i32>,
    pub serial: i64,
    pub refresh: i32,
    pub retry: i32,
    pub expire: i32,
    pub minimum: i32,
    pub status: Status,
    pub action: Action,
    pub pool_id: Option<Uuid>,
    pub parent_zone_id: Option<Uuid>,
    pub delayed_notify: bool,
    pub increment_serial: bool,
    #[serde(with = "nested")]
    pub masters: Vec<ZoneMaster>,
    #[serde(with = "nested")]
    pub attributes: Vec<ZoneAttribute>,
    /// True if any share of the zone exists (computed on read).
    pub shared: bool,
}

/// A record (table `records`, spec/storage.md §2.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    pub id: Option<Uuid>,
    pub version: i32,
    #[serde(with = "bus_format")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub updated_at: Option<NaiveDateTime>,
    pub tenant_id: Option<String>,
    pub zone_id: Option<Uuid>,
    pub recordset_id: Option<Uuid>,
    /// The rdata presentation text, stored verbatim.
    pub data: String,
    pub description: Option<String>,
    pub hash: Option<String>,
    pub managed: bool,
    pub managed_extra: Option<String>,
    pub managed_plugin_type: Option<String>,
    pub managed_plugin_name: Option<String>,
    pub managed_resource_type: Option<String>,
    pub managed_resource_region: Option<String>,
    pub managed_resource_id: Option<String>,
    pub managed_tenant_id: Option<String>,
    pub status: Status,
    pub action: Action,
    pub serial: i64,
}

/// A recordset (table `recordsets`, spec/storage.md §2.5) with its records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordSet {
    pub id: Option<Uuid>,
    pub version: i32,
    #[serde(with = "bus_format")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub updated_at: Option<NaiveDateTime>,
    pub tenant_id: Option<String>,
    pub zone_id: Option<Uuid>,
    pub zone_name: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub rr_type: String,
    pub ttl: Option<i32>,
    pub description: Option<String>,
    #[serde(with = "nested")]
    pub records: Vec<Record>,
}

impl RecordSet {
    /// Derived status: the worst of the records' (ERROR > PENDING > ACTIVE >
    /// DELETED); ACTIVE without records (spec/api-v2.md §8.1).
    pub fn status(&self) -> Status {
        let rank = |s: Status| match s {
            Status::Error => 3,
            Status::Pending => 2,
            Status::Active => 1,
            Status::Deleted => 0,
        };
        self.records
            .iter()
            .map(|r| r.status)
            .max_by_key(|s| rank(*s))
            .unwrap_or(Status::Active)
    }

    /// Derived action: all CREATE → CREATE, all DELETE → DELETE, any change →
    /// UPDATE, else NONE (spec/api-v2.md §8.1).
    pub fn action(&self) -> Action {
        let all =
            |a: Action| !self.records.is_empty() && self.records.iter().all(|r| r.action == a);
        if all(Action::Create) {
            Action::Create
        } else if all(Action::Delete) {
            Action::Delete
        } else if self.records.iter().any(|r| r.action != Action::None) {
            Action::Update
        } else {
            Action::None
        }
    }

    /// A recordset is managed if any of its records is.
    pub fn is_managed(&self) -> bool {
        self.records.iter().any(|r| r.managed)
    }
}

/// A pool NS record: the names served as the zones' apex NS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolNsRecord {
    pub id: Option<Uuid>,
    pub pool_id: Option<Uuid>,
    pub priority: i32,
    pub hostname: String,
}

/// A nameserver the worker polls for the zone serial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolNameserver {
    pub id: Option<Uuid>,
    pub pool_id: Option<Uuid>,
    pub host: String,
    pub port: u16,
    pub tsigkey_id: Option<Uuid>,
}

/// `host:port` pairs: a target's masters, a pool's also-notifies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// A backend option (`rndc_host`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// A pool target: one backend the worker drives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolTarget {
    pub id: Option<Uuid>,
    pub pool_id: Option<Uuid>,
    #[serde(rename = "type")]
    pub backend: String,
    pub tsigkey_id: Option<Uuid>,
    pub description: Option<String>,
    #[serde(with = "nested")]
    pub masters: Vec<HostPort>,
    #[serde(with = "nested")]
    pub options: Vec<KeyValue>,
}

impl PoolTarget {
    /// The value of a target option.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
}

/// A pool with its children (spec/storage.md §2.11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pool {
    pub id: Option<Uuid>,
    pub version: i32,
    #[serde(with = "bus_format")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub updated_at: Option<NaiveDateTime>,
    pub name: String,
    pub description: Option<String>,
    pub tenant_id: Option<String>,
    pub provisioner: Option<String>,
    #[serde(with = "nested")]
    pub ns_records: Vec<PoolNsRecord>,
    #[serde(with = "nested")]
    pub nameservers: Vec<PoolNameserver>,
    #[serde(with = "nested")]
    pub targets: Vec<PoolTarget>,
    #[serde(with = "nested")]
    pub also_notifies: Vec<HostPort>,
    #[serde(with = "nested")]
    pub attributes: Vec<KeyValue>,
}

/// A service heartbeat row (spec/storage.md §2.15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceStatus {
    pub id: Option<Uuid>,
    #[serde(with = "bus_format")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(with = "bus_format")]
    pub updated_at: Option<NaiveDateTime>,
    pub service_name: String,
    pub hostname: String,
    #[serde(with = "bus_format")]
    pub heartbeated_at: Option<NaiveDateTime>,
    /// `UP`, `DOWN`, `WARNING` or `STOPPED`.
    pub status: String,
    pub stats: Value,
    pub capabilities: Value,
}

macro_rules! objects {
    ($( $ty:ident => ($name:literal, $list:literal) ),* $(,)?) => {
        $( impl DesignateObject for $ty {
            const NAME: &'static str = $name;
            const LIST_NAME: &'static str = $list;
        } )*
    };
}

objects! {
    Zone => ("Zone", "ZoneList"),
    ZoneMaster => ("ZoneMaster", "ZoneMasterList"),
    ZoneAttribute => ("ZoneAttribute", "ZoneAttributeList"),
    Record => ("Record", "RecordList"),
    RecordSet => ("RecordSet", "RecordSetList"),
    PoolNsRecord => ("PoolNsRecord", "PoolNsRecordList"),
    PoolNameserver => ("PoolNameserver", "PoolNameserverList"),
    PoolTarget => ("PoolTarget", "PoolTargetList"),
    HostPort => ("PoolTargetMaster", "PoolTargetMasterList"),
    KeyValue => ("PoolTargetOption", "PoolTargetOptionList"),
    Pool => ("Pool", "PoolList"),
    ServiceStatus => ("ServiceStatus", "ServiceStatusList"),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{
        changes_of, from_primitive, list_from_primitive, list_to_primitive, to_primitive,
    };

    fn record(status: Status, action: Action) -> Record {
        Record {
            status,
            action,
            data: "192.0.2.1".into(),
            ..Record::default()
        }
    }

    #[test]
    fn zone_round_trips_as_a_primitive() {
        let zone = Zone {
            id: Some(Uuid::new_v4()),
            name: "example.com.".into(),
            email: "a@example.com".into(),
            ttl: Some(300),
            masters: vec![ZoneMaster {
                host: "192.0.2.9".into(),
                port: 53,
            }],
            ..Zone::default()
        };
        let prim = to_primitive(&zone, &["ttl", "email"]);
        assert_eq!(prim["designate_object.name"], "Zone");
        assert_eq!(prim["designate_object.data"]["type"], "PRIMARY");
        assert_eq!(
            prim["designate_object.data"]["masters"]["designate_object.name"],
            "ZoneMasterList"
        );
        assert!(
            prim["designate_object.data"].get("description").is_none(),
            "unset fields are omitted"
        );
        assert_eq!(changes_of(&prim), vec!["email", "ttl"]);
        assert_eq!(from_primitive::<Zone>(prim).expect("decode"), zone);
    }

    #[test]
    fn list_carries_total_count_and_refuses_wrong_object() {
        let prim = list_to_primitive(&[Zone::default()], Some(7));
        let (items, total) = list_from_primitive::<Zone>(prim.clone()).expect("decode");
        assert_eq!((items.len(), total), (1, Some(7)));
        assert!(from_primitive::<RecordSet>(prim).is_err());
    }

    #[test]
    fn recordset_status_and_action_are_derived() {
        let mut rs = RecordSet::default();
        assert_eq!((rs.status(), rs.action()), (Status::Active, Action::None));
        rs.records = vec![
            record(Status::Active, Action::None),
            record(Status::Pending, Action::Create),
        ];
        assert_eq!(
            (rs.status(), rs.action()),
            (Status::Pending, Action::Update)
        );
        rs.records = vec![
            record(Status::Pending, Action::Create),
            record(Status::Error, Action::Create),
        ];
        assert_eq!((rs.status(), rs.action()), (Status::Error, Action::Create));
        rs.records = vec![record(Status::Pending, Action::Delete)];
        assert_eq!(rs.action(), Action::Delete);
    }
}
