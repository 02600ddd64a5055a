//! The request context: who asks, for which project, with which flags.
//!
//! On the bus it is spread into `_context_<key>` entries of the message
//! (spec/services.md §2); [`Context::to_map`] and [`Context::from_map`] give the
//! key/value form without the prefix, which the bus adds and strips.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Designate's `DesignateContext`, the keys it sends and reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// User id (`user` on the wire).
    #[serde(rename = "user")]
    pub user_id: Option<String>,
    pub project_id: Option<String>,
    pub domain: Option<String>,
    pub user_domain: Option<String>,
    pub project_domain: Option<String>,
    pub is_admin: bool,
    pub read_only: bool,
    pub show_deleted: bool,
    pub auth_token: Option<String>,
    pub request_id: Option<String>,
    pub global_request_id: Option<String>,
    pub roles: Vec<String>,
    pub original_project_id: Option<String>,
    /// "all projects": the caller sees every project's resources.
    pub all_tenants: bool,
    pub abandon: bool,
    pub edit_managed_records: bool,
    pub hard_delete: bool,
    pub hide_counts: bool,
    pub delete_shares: bool,
    pub tsigkey_id: Option<String>,
    pub client_addr: Option<String>,
    /// `all` for a system-scoped Keystone token (oslo.context's `system_scope`).
    pub system_scope: Option<String>,
    /// The token's service catalog (Keystone strategy), as Keystone gives it.
    #[serde(deserialize_with = "null_as_empty")]
    pub service_catalog: Vec<Value>,
}

/// Python peers send `null` for an absent catalog.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(Option::<Vec<Value>>::deserialize(d)?.unwrap_or_default())
}

impl Context {
    /// The context of a service acting on its own behalf (producer jobs, worker
    /// reports, heartbeats): admin, all projects.
    pub fn admin() -> Self {
        Context {
            is_admin: true,
            all_tenants: true,
            roles: vec!["admin".into()],
            ..Context::default()
        }
    }

    /// True when the role list contains `admin` (roles compare case-insensitively).
    pub fn has_admin_role(&self) -> bool {
        self.roles.iter().any(|r| r.eq_ignore_ascii_case("admin"))
    }

    /// The key/value form of the bus, without the `_context_` prefix. Adds the
    /// derived keys Python peers expect (`project`, `user_identity`, …).
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        map.insert("project".into(), self.project_id.clone().into());
        map.insert("user_identity".into(), self.user_identity().into());
        map.insert("resource_uuid".into(), Value::Null);
        map.insert("is_admin_project".into(), true.into());
        map
    }

    /// Reads the bus form; unknown keys are ignored, as receivers must.
    pub fn from_map(map: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        let mut ctx: Context = serde_json::from_value(Value::Object(map.clone()))?;
        if ctx.project_id.is_none() {
            ctx.project_id = map
                .get("project")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        Ok(ctx)
    }

    /// `"<user> <project_id> <domain> <user_domain> <project_domain>"`, `-` for gaps.
    fn user_identity(&self) -> String {
        let user = match (&self.user_id, &self.tsigkey_id) {
            (None, Some(key)) => Some(format!("TSIG:{key}")),
            (user, _) => user.clone(),
        };
        [
            user,
            self.project_id.clone(),
            self.domain.clone(),
            self.user_domain.clone(),
            self.project_domain.clone(),
        ]
        .into_iter()
        .map(|p| p.unwrap_or_else(|| "-".into()))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_bus_form() {
        let ctx = Context {
            project_id: Some("p1".into()),
            roles: vec!["member".into(), "reader".into()],
            all_tenants: true,
            request_id: Some("req-1".into()),
            system_scope: Some("all".into()),
            service_catalog: vec![serde_json::json!({"type": "dns"})],
            ..Context::default()
        };
        let map = ctx.to_map();
        assert_eq!(map["project"], "p1");
        assert_eq!(map["user_identity"], "- p1 - - -");
        assert_eq!(Context::from_map(&map).expect("decode"), ctx);
    }

    #[test]
    fn accepts_python_peers_extra_keys() {
        let mut map = Map::new();
        map.insert("project".into(), "p2".into());
        map.insert("trace_info".into(), Value::Null);
        map.insert("service_catalog".into(), Value::Null);
        let ctx = Context::from_map(&map).expect("decode");
        assert_eq!(ctx.project_id.as_deref(), Some("p2"));
    }
}
