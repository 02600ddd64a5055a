//! The notification handlers of spec/services.md §7: which events each one
//! claims and what it makes of them. Pure functions of the notification and
//! the configuration: a [`Plan`] that [`crate::listener`] carries out.

use std::net::IpAddr;

use delegate_config::NotificationHandler as HandlerConfig;
use delegate_model::ids;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::format;

pub const NOVA_FIXED: &str = "nova_fixed";
pub const NEUTRON_FLOATINGIP: &str = "neutron_floatingip";
pub const FAKE: &str = "fake";
/// `managed_plugin_type` of every sink record.
pub const PLUGIN_TYPE: &str = "handler";

const NOVA_EVENTS: &[&str] = &[
    "compute.instance.create.end",
    "compute.instance.delete.start",
];
const NEUTRON_EVENTS: &[&str] = &["floatingip.update.end", "floatingip.delete.start"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NovaFixed,
    NeutronFloatingIp,
    Fake,
}

/// One enabled handler with its `[handler:<name>]` settings.
#[derive(Debug, Clone)]
pub struct Handler {
    pub kind: Kind,
    pub name: &'static str,
    pub exchange: String,
    pub topics: Vec<String>,
    /// `None` when `zone_id` is unset: events are then ignored (logged).
    pub zone_id: Option<Uuid>,
    pub formatv4: Vec<String>,
    pub formatv6: Vec<String>,
    event_types: Vec<String>,
}

/// Why a handler cannot be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "[service:sink] enabled_notification_handlers: unknown handler {0:?} (known: nova_fixed, neutron_floatingip, fake)"
    )]
    UnknownHandler(String),
    #[error("[handler:{handler}] zone_id: {value:?} is not a UUID")]
    BadZoneId { handler: String, value: String },
}

impl Handler {
    pub fn new(name: &str, cfg: &HandlerConfig) -> Result<Handler, ConfigError> {
        let (kind, name, events) = match name {
            NOVA_FIXED => (Kind::NovaFixed, NOVA_FIXED, strings(NOVA_EVENTS)),
            NEUTRON_FLOATINGIP => (
                Kind::NeutronFloatingIp,
                NEUTRON_FLOATINGIP,
                strings(NEUTRON_EVENTS),
            ),
            FAKE => (Kind::Fake, FAKE, cfg.allowed_event_types.clone()),
            other => return Err(ConfigError::UnknownHandler(other.to_owned())),
        };
        let zone_id = match cfg.zone_id.as_deref().filter(|z| !z.is_empty()) {
            None => None,
            Some(text) => Some(ids::parse_uuid(text).ok_or_else(|| ConfigError::BadZoneId {
                handler: name.to_owned(),
                value: text.to_owned(),
            })?),
        };
        Ok(Handler {
            kind,
            name,
            exchange: cfg.control_exchange.clone(),
            topics: cfg.notification_topics.clone(),
            zone_id,
            formatv4: cfg.formatv4.clone(),
            formatv6: cfg.formatv6.clone(),
            event_types: events,
        })
    }

    pub fn claims(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|e| e == event_type)
    }

    /// What to do with a claimed event.
    pub fn plan(
        &self,
        event_type: &str,
        payload: &Value,
        context: &Map<String, Value>,
    ) -> Result<Plan, Unusable> {
        if self.kind == Kind::Fake {
            return Ok(Plan::LogOnly);
        }
        let Some(zone_id) = self.zone_id else {
            return Ok(Plan::NoZone);
        };
        let project = context.get("project_name").cloned().unwrap_or(Value::Null);
        match (self.kind, event_type) {
            (Kind::NovaFixed, "compute.instance.create.end") => {
                let mut variables = object(payload, "payload")?.clone();
                variables.insert("project".into(), project);
                let addresses = match field(payload, "fixed_ips")? {
                    Value::Array(items) => items
                        .iter()
                        .map(|a| Address::from_fixed_ip(a, true))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(Unusable::new("payload.fixed_ips is not a list")),
                };
                Ok(Plan::Create(self.create(
                    zone_id,
                    "instance",
                    payload,
                    "instance_id",
                    addresses,
                    variables,
                )?))
            }
            (Kind::NovaFixed, "compute.instance.delete.start") => Ok(Plan::Delete(self.delete(
                zone_id,
                "instance",
                resource_id(payload, "instance_id")?,
            ))),
            (Kind::NeutronFloatingIp, "floatingip.delete.start") => Ok(Plan::Delete(self.delete(
                zone_id,
                "floatingip",
                resource_id(payload, "floatingip_id")?,
            ))),
            (Kind::NeutronFloatingIp, "floatingip.update.end") => {
                let fip = field(payload, "floatingip")?;
                let mut variables = object(fip, "payload.floatingip")?.clone();
                // Python truthiness of `fixed_ip_address`.
                let associated = match field(fip, "fixed_ip_address")? {
                    Value::Null => false,
                    Value::String(s) => !s.is_empty(),
                    Value::Bool(b) => *b,
                    _ => true,
                };
                if !associated {
                    return Ok(Plan::Delete(self.delete(
                        zone_id,
                        "floatingip",
                        resource_id(fip, "id")?,
                    )));
                }
                variables.insert("project".into(), project);
                // Always IPv4, as Designate's handler has it.
                let address = Address::parse(field(fip, "floating_ip_address")?, 4)?;
                Ok(Plan::Create(self.create(
                    zone_id,
                    "floatingip",
                    fip,
                    "id",
                    vec![address],
                    variables,
                )?))
            }
            _ => Ok(Plan::LogOnly),
        }
    }

    fn create(
        &self,
        zone_id: Uuid,
        resource_type: &'static str,
        source: &Value,
        id_key: &str,
        addresses: Vec<Address>,
        variables: Map<String, Value>,
    ) -> Result<Create, Unusable> {
        Ok(Create {
            target: self.delete(zone_id, resource_type, resource_id(source, id_key)?),
            addresses,
            variables,
            formatv4: self.formatv4.clone(),
            formatv6: self.formatv6.clone(),
        })
    }

    fn delete(&self, zone_id: Uuid, resource_type: &'static str, resource_id: String) -> Target {
        Target {
            zone_id,
            plugin_name: self.name,
            resource_type,
            resource_id,
        }
    }
}

/// The managed resource a handler writes records for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub zone_id: Uuid,
    pub plugin_name: &'static str,
    pub resource_type: &'static str,
    pub resource_id: String,
}

impl Target {
    /// `delete_managed_records`' criterion for this resource.
    pub fn criterion(&self) -> Map<String, Value> {
        let mut c = Map::new();
        c.insert("managed".into(), true.into());
        c.insert("managed_plugin_name".into(), self.plugin_name.into());
        c.insert("managed_plugin_type".into(), PLUGIN_TYPE.into());
        c.insert(
            "managed_resource_id".into(),
            self.resource_id.clone().into(),
        );
        c.insert("managed_resource_type".into(), self.resource_type.into());
        c.insert("zone_id".into(), self.zone_id.to_string().into());
        c
    }
}

/// Records to create for a resource, once the zone name is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    pub target: Target,
    pub addresses: Vec<Address>,
    /// The event data (nova: the payload; neutron: the floating IP) and `project`.
    pub variables: Map<String, Value>,
    pub formatv4: Vec<String>,
    pub formatv6: Vec<String>,
}

/// One recordset to write: `(name, A|AAAA, address)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub name: String,
    pub rr_type: &'static str,
    pub data: String,
}

impl Create {
    /// Every recordset, formats applied: all or nothing, before any write.
    pub fn recordsets(&self, zone_name: &str) -> Result<Vec<Wanted>, Unusable> {
        let mut out = Vec::new();
        for address in &self.addresses {
            let mut vars = self.variables.clone();
            vars.insert("zone".into(), zone_name.into());
            address.add_variables(&mut vars);
            let (formats, rr_type) = match address.ip {
                IpAddr::V4(_) => (&self.formatv4, "A"),
                IpAddr::V6(_) => (&self.formatv6, "AAAA"),
            };
            for f in formats {
                let name = format::apply(f, &vars).map_err(|e| Unusable::new(e.to_string()))?;
                out.push(Wanted {
                    name,
                    rr_type,
                    data: address.text.clone(),
                });
            }
        }
        Ok(out)
    }
}

/// An address of the notification, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// As sent (the record data and the `ip_address`/`octet` variables use it).
    pub text: String,
    pub ip: IpAddr,
    pub label: Option<Value>,
}

impl Address {
    /// A nova `fixed_ips` entry: `address`, `version` (4 or 6), `label`.
    fn from_fixed_ip(entry: &Value, with_label: bool) -> Result<Address, Unusable> {
        let version = match field(entry, "version")? {
            Value::Number(n) => n.as_u64().unwrap_or(0),
            Value::String(s) => s.parse().unwrap_or(0),
            _ => 0,
        };
        let mut address = Address::parse(field(entry, "address")?, version)?;
        if with_label {
            address.label = Some(field(entry, "label")?.clone());
        }
        Ok(address)
    }

    fn parse(value: &Value, version: u64) -> Result<Address, Unusable> {
        let text = value
            .as_str()
            .ok_or_else(|| Unusable::new(format!("address {value} is not a string")))?;
        let ip: IpAddr = text
            .parse()
            .map_err(|_| Unusable::new(format!("{text:?} is not an IP address")))?;
        match (version, ip) {
            (4, IpAddr::V4(_)) | (6, IpAddr::V6(_)) => Ok(Address {
                text: text.to_owned(),
                ip,
                label: None,
            }),
            _ => Err(Unusable::new(format!(
                "{text:?} is not an IPv{version} address"
            ))),
        }
    }

    /// `ip_version`, `ip_address` and `octet<N>` as Designate derives them
    /// from the address text, and nova's `label`.
    fn add_variables(&self, vars: &mut Map<String, Value>) {
        let (version, sep) = match self.ip {
            IpAddr::V4(_) => (4, '.'),
            IpAddr::V6(_) => (6, ':'),
        };
        vars.insert("ip_version".into(), version.into());
        vars.insert("ip_address".into(), self.text.replace(sep, "-").into());
        let parts: Vec<&str> = match self.ip {
            IpAddr::V4(_) => self.text.split('.').collect(),
            // re.split('::|:', ip)
            IpAddr::V6(_) => self.text.split("::").flat_map(|p| p.split(':')).collect(),
        };
        for (i, part) in parts.iter().enumerate() {
            vars.insert(format!("octet{i}"), (*part).into());
        }
        if let Some(label) = &self.label {
            vars.insert("label".into(), label.clone());
        }
    }
}

/// What a handler makes of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Create(Create),
    Delete(Target),
    /// The handler's `zone_id` is unset: ignored (logged).
    NoZone,
    /// `fake`, or an event the handler claims but does nothing with.
    LogOnly,
}

/// A notification the handler cannot use (missing keys, bad addresses,
/// formats that do not apply): logged and dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unusable(pub String);

impl Unusable {
    fn new(message: impl Into<String>) -> Unusable {
        Unusable(message.into())
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn field<'a>(value: &'a Value, key: &str) -> Result<&'a Value, Unusable> {
    value
        .get(key)
        .ok_or_else(|| Unusable::new(format!("no {key:?} in the notification")))
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Unusable> {
    value
        .as_object()
        .ok_or_else(|| Unusable::new(format!("{what} is not an object")))
}

/// A resource id: a string UUID (the column is `CHAR(32)`).
fn resource_id(value: &Value, key: &str) -> Result<String, Unusable> {
    match field(value, key)? {
        Value::String(s) if ids::parse_uuid(s).is_some() => Ok(s.clone()),
        other => Err(Unusable::new(format!("{key} {other} is not a UUID"))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const ZONE: &str = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";
    const VM: &str = "6d1c9e0e-1234-4000-8000-000000000001";
    const FIP: &str = "2f245a7b-796b-4f26-9cf9-9e82d248fda7";

    fn handler(name: &str, formatv4: &[&str], formatv6: &[&str]) -> Handler {
        let cfg = HandlerConfig {
            notification_topics: vec!["notifications".into()],
            control_exchange: "nova".into(),
            zone_id: Some(ZONE.into()),
            formatv4: formatv4.iter().map(|s| (*s).to_owned()).collect(),
            formatv6: formatv6.iter().map(|s| (*s).to_owned()).collect(),
            allowed_event_types: vec!["compute.instance.exists".into()],
        };
        Handler::new(name, &cfg).unwrap()
    }

    fn ctx() -> Map<String, Value> {
        json!({"project_name": "demo", "project_id": "p1"})
            .as_object()
            .cloned()
            .unwrap()
    }

    /// A trimmed `compute.instance.create.end` payload as nova sends it.
    fn nova_create() -> Value {
        json!({
            "tenant_id": "p1", "user_id": "u1", "instance_id": VM,
            "display_name": "Web 1", "hostname": "web-1", "host": "compute1",
            "state": "active", "instance_type": "m1.small",
            "fixed_ips": [
                {"address": "10.0.0.5", "version": 4, "label": "private", "type": "fixed",
                 "floating_ips": [], "meta": {}, "vif_mac": "fa:16:3e:00:00:01"},
                {"address": "2001:db8::5", "version": 6, "label": "private", "type": "fixed",
                 "floating_ips": [], "meta": {}, "vif_mac": "fa:16:3e:00:00:01"}
            ]
        })
    }

    fn names(plan: Plan) -> Vec<(String, &'static str, String)> {
        let Plan::Create(create) = plan else {
            panic!("{plan:?}")
        };
        create
            .recordsets("example.test.")
            .unwrap()
            .into_iter()
            .map(|w| (w.name, w.rr_type, w.data))
            .collect()
    }

    #[test]
    fn nova_create_gives_a_name_per_format_and_address() {
        let h = handler(
            NOVA_FIXED,
            &[
                "%(hostname)s.%(zone)s",
                "%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(label)s.%(zone)s",
            ],
            &[
                "%(hostname)s.%(zone)s",
                "%(ip_address)s.%(project)s.%(zone)s",
            ],
        );
        let plan = h
            .plan("compute.instance.create.end", &nova_create(), &ctx())
            .unwrap();
        assert_eq!(
            names(plan),
            vec![
                ("web-1.example.test.".into(), "A", "10.0.0.5".into()),
                (
                    "10-0-0-5.private.example.test.".into(),
                    "A",
                    "10.0.0.5".into()
                ),
                ("web-1.example.test.".into(), "AAAA", "2001:db8::5".into()),
                (
                    "2001-db8--5.demo.example.test.".into(),
                    "AAAA",
                    "2001:db8::5".into()
                ),
            ]
        );
    }

    #[test]
    fn deletes_name_the_managed_resource() {
        let h = handler(NOVA_FIXED, &["%(hostname)s.%(zone)s"], &[]);
        let plan = h
            .plan(
                "compute.instance.delete.start",
                &json!({"instance_id": VM}),
                &ctx(),
            )
            .unwrap();
        let Plan::Delete(target) = plan else { panic!() };
        assert_eq!(
            Value::Object(target.criterion()),
            json!({"managed": true, "managed_plugin_name": "nova_fixed", "managed_plugin_type": "handler",
                   "managed_resource_id": VM, "managed_resource_type": "instance", "zone_id": ZONE})
        );
        let n = handler(NEUTRON_FLOATINGIP, &["fip-%(octet3)s.%(zone)s"], &[]);
        let plan = n
            .plan(
                "floatingip.delete.start",
                &json!({"floatingip_id": FIP}),
                &ctx(),
            )
            .unwrap();
        assert!(
            matches!(plan, Plan::Delete(t) if t.resource_type == "floatingip" && t.resource_id == FIP)
        );
    }

    #[test]
    fn neutron_update_creates_when_associated_and_deletes_when_not() {
        let n = handler(
            NEUTRON_FLOATINGIP,
            &["fip-%(ip_address)s.%(project)s.%(zone)s"],
            &[],
        );
        let fip = |fixed: Value| {
            json!({"floatingip": {"id": FIP, "floating_ip_address": "203.0.113.7",
                   "fixed_ip_address": fixed, "port_id": null, "router_id": null,
                   "tenant_id": "p1", "project_id": "p1", "status": "ACTIVE",
                   "floating_network_id": "n1", "description": ""}})
        };
        let plan = n
            .plan("floatingip.update.end", &fip(json!("10.0.0.5")), &ctx())
            .unwrap();
        assert_eq!(
            names(plan),
            vec![(
                "fip-203-0-113-7.demo.example.test.".into(),
                "A",
                "203.0.113.7".into()
            )]
        );
        let plan = n
            .plan("floatingip.update.end", &fip(Value::Null), &ctx())
            .unwrap();
        assert!(matches!(plan, Plan::Delete(t) if t.resource_id == FIP));
    }

    #[test]
    fn unusable_notifications_are_refused_before_any_write() {
        let h = handler(
            NOVA_FIXED,
            &["%(hostname)s.%(zone)s"],
            &["%(hostname)s.%(zone)s"],
        );
        let event = "compute.instance.create.end";
        let mut no_ips = nova_create();
        no_ips.as_object_mut().unwrap().remove("fixed_ips");
        let mut bad_ip = nova_create();
        bad_ip["fixed_ips"][1]["address"] = json!("2001:db8::zz");
        let mut wrong_family = nova_create();
        wrong_family["fixed_ips"][0]["version"] = json!(6);
        let mut no_label = nova_create();
        no_label["fixed_ips"][0]
            .as_object_mut()
            .unwrap()
            .remove("label");
        let mut bad_id = nova_create();
        bad_id["instance_id"] = json!("vm-1");
        for payload in [no_ips, bad_ip, wrong_family, no_label, bad_id, json!([1])] {
            assert!(h.plan(event, &payload, &ctx()).is_err(), "{payload}");
        }
        let mut no_hostname = nova_create();
        no_hostname.as_object_mut().unwrap().remove("hostname");
        let Plan::Create(create) = h.plan(event, &no_hostname, &ctx()).unwrap() else {
            panic!()
        };
        let err = create.recordsets("example.test.").unwrap_err();
        assert!(err.0.contains("hostname"), "{err}");
        let n = handler(NEUTRON_FLOATINGIP, &["x.%(zone)s"], &[]);
        assert!(
            n.plan(
                "floatingip.update.end",
                &json!({"floatingip": {"id": FIP}}),
                &ctx()
            )
            .is_err()
        );
    }

    #[test]
    fn configuration_is_checked() {
        let h = handler(FAKE, &[], &[]);
        assert!(h.claims("compute.instance.exists") && !h.claims("compute.instance.create.end"));
        assert_eq!(
            h.plan("compute.instance.exists", &json!({}), &ctx())
                .unwrap(),
            Plan::LogOnly
        );
        let mut cfg = HandlerConfig {
            notification_topics: vec![],
            control_exchange: "nova".into(),
            zone_id: None,
            formatv4: vec![],
            formatv6: vec![],
            allowed_event_types: vec![],
        };
        let no_zone = Handler::new(NOVA_FIXED, &cfg).unwrap();
        assert_eq!(
            no_zone
                .plan("compute.instance.delete.start", &json!({}), &ctx())
                .unwrap(),
            Plan::NoZone
        );
        assert!(Handler::new("nova_floating", &cfg).is_err());
        cfg.zone_id = Some("zone-1".into());
        assert!(Handler::new(NOVA_FIXED, &cfg).is_err());
    }
}
