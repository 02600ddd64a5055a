//! Nova and neutron as the sink sees them: their notifications, shaped as
//! those services send them (legacy unversioned payloads), published with
//! oslo.messaging's notifier layout (exchange `nova` / `neutron`, routing
//! key `notifications.info`) on a platform's vhost.

use std::time::Duration;

use anyhow::{Context, Result};
use delegate_bus::{Bus, BusConfig};
use serde_json::{Map, Value, json};

use crate::Platform;

/// A notifier bus of one service (`nova` or `neutron`) on `p`'s vhost.
pub async fn notifier(p: &Platform, exchange: &str) -> Result<Bus> {
    let url = format!("rabbit://guest:guest@127.0.0.1:5672/{}", p.vhost);
    let cfg = BusConfig::from_transport_url(&url, exchange, "compute1", Duration::from_secs(10))?;
    Bus::connect(cfg).await.context("notifier bus")
}

/// The request context nova/neutron attach (`_context_*`).
pub fn context() -> Map<String, Value> {
    let ctx = json!({
        "user_id": "6f6b0b1a0a8b4d0c9c3f2f1e0d9c8b7a", "project_id": "d4c1b5a0e3f24a6b8c9d0e1f2a3b4c5d",
        "project_name": "demo", "user_name": "demo", "is_admin": false, "roles": ["member", "reader"],
        "request_id": "req-7a7e0b7c-1d2e-4f5a-8b9c-0d1e2f3a4b5c", "read_only": false,
        "show_deleted": false, "auth_token": null, "timestamp": "2026-12-02T06:00:00.000000",
    });
    ctx.as_object().cloned().unwrap_or_default()
}

/// nova `compute.instance.create.end`: `fixed_ips` is `[(address, version)]`.
pub fn nova_create<S: AsRef<str>>(
    instance_id: &str,
    hostname: &str,
    fixed_ips: &[(S, u8)],
) -> Value {
    let ips: Vec<Value> = fixed_ips
        .iter()
        .map(|(address, version)| {
            let address = address.as_ref();
            json!({"address": address, "floating_ips": [], "label": "private", "meta": {},
                   "type": "fixed", "version": version, "vif_mac": "fa:16:3e:4c:2c:30"})
        })
        .collect();
    let mut payload = nova_instance(instance_id, hostname, "active");
    payload["fixed_ips"] = Value::Array(ips);
    payload["message"] = json!("Success");
    payload
}

/// nova `compute.instance.delete.start`.
pub fn nova_delete(instance_id: &str, hostname: &str) -> Value {
    nova_instance(instance_id, hostname, "active")
}

fn nova_instance(instance_id: &str, hostname: &str, state: &str) -> Value {
    json!({
        "tenant_id": "d4c1b5a0e3f24a6b8c9d0e1f2a3b4c5d", "user_id": "6f6b0b1a0a8b4d0c9c3f2f1e0d9c8b7a",
        "instance_id": instance_id, "instance_type": "m1.tiny", "instance_type_id": 6,
        "display_name": hostname, "reservation_id": "r-3fhpjulb", "hostname": hostname,
        "host": "compute1", "node": "compute1", "availability_zone": "nova", "cell_name": "",
        "architecture": null, "os_type": null, "memory_mb": 512, "disk_gb": 1, "root_gb": 1,
        "ephemeral_gb": 0, "vcpus": 1, "kernel_id": "", "ramdisk_id": "",
        "image_ref_url": "http://192.0.2.1:9292/images/3f1f1c1e-6f0b-4c55-8d2a-1f8f0b6c1a2b",
        "state": state, "old_state": "building", "state_description": "", "progress": "",
        "launched_at": "2026-12-02T06:00:01.000000", "created_at": "2026-12-02 06:00:00+00:00",
        "terminated_at": "", "deleted_at": "", "access_ip_v4": null, "access_ip_v6": null,
        "metadata": {}, "image_meta": {"min_disk": "1", "container_format": "bare", "min_ram": "0",
                                       "disk_format": "qcow2", "base_image_ref": "3f1f1c1e"},
    })
}

/// neutron `floatingip.update.end` (associated when `fixed` is set).
pub fn neutron_update(fip_id: &str, floating: &str, fixed: Option<&str>) -> Value {
    json!({"floatingip": {
        "id": fip_id, "floating_ip_address": floating, "fixed_ip_address": fixed,
        "router_id": fixed.map(|_| "0c8e2d1a-7d55-4f3e-9a4c-2b6f5d8e9a10"),
        "port_id": fixed.map(|_| "5a2f1c3e-0b8d-4e6f-9a1b-3c5d7e9f0a2b"),
        "floating_network_id": "8d2e6f0a-1b3c-4d5e-9f6a-7b8c9d0e1f2a",
        "tenant_id": "d4c1b5a0e3f24a6b8c9d0e1f2a3b4c5d", "project_id": "d4c1b5a0e3f24a6b8c9d0e1f2a3b4c5d",
        "status": "DOWN", "description": "", "tags": [], "revision_number": 2,
        "created_at": "2026-12-02T06:00:00Z", "updated_at": "2026-12-02T06:00:02Z",
        "dns_domain": "", "dns_name": "", "qos_policy_id": null,
    }})
}

/// neutron `floatingip.delete.start`.
pub fn neutron_delete(fip_id: &str) -> Value {
    json!({"floatingip_id": fip_id})
}

/// Publishes one `info` notification as nova (`compute.<host>`) or neutron
/// (`network.<host>`) would.
pub async fn publish(bus: &Bus, event_type: &str, payload: Value) -> Result<()> {
    let publisher = match bus.config().exchange.as_str() {
        "nova" => "compute.compute1",
        _ => "network.controller1",
    };
    bus.notify(
        "notifications",
        "INFO",
        event_type,
        publisher,
        &context(),
        payload,
    )
    .await
    .with_context(|| format!("publish {event_type}"))
}

/// A UUID with a recognisable prefix (`<tag>` = 8 hex digits) and index.
pub fn resource_id(tag: &str, n: usize) -> String {
    format!("{tag}-0000-4000-8000-{n:012x}")
}
