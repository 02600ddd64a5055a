//! Who is asking: the request context built by the auth strategy and the
//! flag headers (spec/api-v2.md §3).
//!
//! `noauth` takes identity headers as they are; `keystone` validates
//! `X-Auth-Token` ([`crate::keystone`]) and takes the token's project, user,
//! roles, scope and catalog. The flags are then checked against the policy
//! (`use_sudo`, `all_tenants`, `edit_managed_records`, `hard_delete`), as in
//! Designate's context middleware; every resource rule is central's, which
//! knows the resource.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use delegate_model::{Context, Error};
use delegate_policy::{Denial, Policy, Target};

use crate::error::ApiError;
use crate::keystone::{self, AuthFailure, Keystone};
use crate::query::QueryPairs;
use crate::request_id::RequestId;

/// Query parameters that set context flags; they are removed from the query
/// before filters are checked and links are built.
pub const CONTEXT_PARAMS: &[&str] = &["all_projects", "all_tenants", "edit_managed_records"];

/// How requests are authenticated and which policy applies.
pub struct Auth {
    pub policy: Policy,
    /// `Some` for `auth_strategy = keystone`.
    pub keystone: Option<Keystone>,
}

impl Auth {
    /// `noauth` with Designate's default policy.
    pub fn noauth() -> Self {
        Auth {
            policy: Policy::defaults(),
            keystone: None,
        }
    }
}

/// The caller's context, ready to send to central.
#[derive(Debug, Clone)]
pub struct RequestContext(pub Context);

impl<S> FromRequestParts<S> for RequestContext
where
    Arc<Auth>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Arc::<Auth>::from_ref(state);
        let mut ctx = match &auth.keystone {
            None => noauth(&parts.headers),
            Some(keystone) => keystone_context(keystone, &parts.headers).await?,
        };
        ctx.request_id = parts.extensions.get::<RequestId>().map(|id| id.0.clone());
        ctx.client_addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let query = QueryPairs::parse(parts.uri.query());
        match apply_flags(&mut ctx, &parts.headers, &query, &auth.policy) {
            Ok(()) => Ok(RequestContext(ctx)),
            // Designate's keystone context middleware answers a bare 403.
            Err(_) if auth.keystone.is_some() => Err(StatusCode::FORBIDDEN.into_response()),
            Err(denial) => Err(ApiError::from(Error::from(denial)).into_response()),
        }
    }
}

/// `keystone` (spec/api-v2.md §3.1): the validated token's identity.
async fn keystone_context(keystone: &Keystone, headers: &HeaderMap) -> Result<Context, Response> {
    let token = header(headers, "x-auth-token").unwrap_or_default();
    let identity = match keystone.validate(&token).await {
        Ok(identity) => identity,
        Err(AuthFailure::Invalid) => {
            return Err(keystone::unauthorized(keystone.www_authenticate_uri()));
        }
        Err(AuthFailure::Unavailable(why)) => {
            tracing::error!(%why, "cannot validate a token: Keystone unavailable");
            return Err(keystone::unavailable_response());
        }
    };
    Ok(Context {
        user_id: identity.user_id.clone(),
        project_id: identity.project_id.clone(),
        domain: identity.domain_id.clone(),
        user_domain: identity.user_domain_id.clone(),
        project_domain: identity.project_domain_id.clone(),
        roles: identity.roles.clone(),
        system_scope: identity.system_scope.clone(),
        service_catalog: identity.catalog.clone(),
        auth_token: Some(token),
        ..Context::default()
    })
}

/// `noauth` (spec/api-v2.md §3.2): headers used as-is, with Designate's defaults.
fn noauth(headers: &HeaderMap) -> Context {
    let roles = header(headers, "x-roles").unwrap_or_else(|| "admin".into());
    let roles: Vec<String> = roles.split(',').map(str::to_owned).collect();
    let mut ctx = Context {
        user_id: Some(header(headers, "x-auth-user-id").unwrap_or_else(|| "noauth-user".into())),
        project_id: Some(
            header(headers, "x-auth-project-id").unwrap_or_else(|| "noauth-project".into()),
        ),
        auth_token: header(headers, "x-auth-token"),
        roles,
        ..Context::default()
    };
    ctx.is_admin = ctx.has_admin_role();
    ctx
}

/// The flag headers and query parameters of spec/api-v2.md §3.3, each
/// checked against its policy rule when set (with Designate's empty target).
fn apply_flags(
    ctx: &mut Context,
    headers: &HeaderMap,
    query: &QueryPairs,
    policy: &Policy,
) -> Result<(), Denial> {
    let check = |ctx: &Context, rule: &str| policy.enforce(rule, ctx, &Target::new());
    let sudo = header(headers, "x-auth-sudo-tenant-id")
        .filter(|v| !v.is_empty())
        .or_else(|| header(headers, "x-auth-sudo-project-id"))
        .filter(|v| !v.is_empty());
    if let Some(project) = sudo {
        check(ctx, "use_sudo")?;
        ctx.original_project_id = ctx.project_id.replace(project);
    }
    let all = query
        .get("all_projects")
        .or_else(|| query.get("all_tenants"))
        .map(str::to_owned)
        .or_else(|| header(headers, "x-auth-all-projects"));
    if flag(all) {
        check(ctx, "all_tenants")?;
        ctx.all_tenants = true;
    }
    let edit = query
        .get("edit_managed_records")
        .map(str::to_owned)
        .or_else(|| header(headers, "x-designate-edit-managed-records"));
    if flag(edit) {
        check(ctx, "edit_managed_records")?;
        ctx.edit_managed_records = true;
    }
    ctx.hide_counts = flag(header(headers, "openstack-dns-hide-counts"));
    if flag(header(headers, "x-designate-hard-delete")) {
        check(ctx, "hard_delete")?;
        ctx.hard_delete = true;
    }
    ctx.delete_shares = flag(header(headers, "x-designate-delete-shares"));
    Ok(())
}

/// oslo's `bool_from_string`: true for `1, t, true, on, y, yes` in any case.
pub fn flag(value: Option<String>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "t" | "true" | "on" | "y" | "yes"
        )
    })
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn noauth_defaults_and_untrimmed_roles() {
        let ctx = noauth(&HeaderMap::new());
        assert_eq!(ctx.project_id.as_deref(), Some("noauth-project"));
        assert_eq!(ctx.roles, vec!["admin"]);
        let ctx = noauth(&headers(&[
            ("x-roles", "member, reader"),
            ("x-auth-project-id", "p"),
        ]));
        assert_eq!(ctx.roles, vec!["member", " reader"]);
        assert_eq!(noauth(&headers(&[("x-roles", "")])).roles, vec![""]);
    }

    #[test]
    fn sudo_swaps_the_project_for_admins_only() {
        let h = headers(&[("x-auth-project-id", "a"), ("x-auth-sudo-project-id", "b")]);
        let mut ctx = noauth(&h);
        apply_flags(&mut ctx, &h, &QueryPairs::default(), &policy()).expect("admin may sudo");
        assert_eq!(
            (
                ctx.project_id.as_deref(),
                ctx.original_project_id.as_deref()
            ),
            (Some("b"), Some("a"))
        );
        let h = headers(&[("x-roles", "reader"), ("x-auth-sudo-project-id", "b")]);
        let err = apply_flags(&mut noauth(&h), &h, &QueryPairs::default(), &policy())
            .expect_err("reader may not");
        assert_eq!(err, Denial::Forbidden);
    }

    #[test]
    fn all_projects_query_beats_header() {
        let h = headers(&[("x-auth-all-projects", "true")]);
        let mut ctx = noauth(&h);
        apply_flags(
            &mut ctx,
            &h,
            &QueryPairs::parse(Some("all_projects=false")),
            &policy(),
        )
        .expect("flags");
        assert!(!ctx.all_tenants);
        let h = headers(&[("x-auth-all-projects", "yes")]);
        apply_flags(&mut ctx, &h, &QueryPairs::default(), &policy()).expect("flags");
        assert!(ctx.all_tenants);
    }

    fn policy() -> Policy {
        Policy::defaults()
    }

    #[test]
    fn every_admin_flag_is_checked_against_its_own_rule() {
        let dir = std::env::temp_dir().join(format!("delegate-api-flags-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("policy.yaml");
        // An operator lets "support" use every flag but hard delete.
        std::fs::write(
            &file,
            "use_sudo: role:support\nall_tenants: role:support\nedit_managed_records: role:support\n",
        )
        .expect("write");
        let policy =
            Policy::from_config(&file.display().to_string(), true, "default", &[]).expect("policy");
        let h = headers(&[
            ("x-roles", "support"),
            ("x-auth-sudo-project-id", "b"),
            ("x-auth-all-projects", "1"),
            ("x-designate-edit-managed-records", "true"),
            ("openstack-dns-hide-counts", "true"),
            ("x-designate-delete-shares", "yes"),
        ]);
        let mut ctx = noauth(&h);
        apply_flags(&mut ctx, &h, &QueryPairs::default(), &policy).expect("support may");
        assert!(
            ctx.all_tenants && ctx.edit_managed_records && ctx.hide_counts && ctx.delete_shares
        );
        assert_eq!(ctx.project_id.as_deref(), Some("b"));
        let h = headers(&[("x-roles", "support"), ("x-designate-hard-delete", "true")]);
        let denied = apply_flags(&mut noauth(&h), &h, &QueryPairs::default(), &policy);
        assert_eq!(denied, Err(Denial::Forbidden));
        // The flags that need no policy are open to anyone.
        let h = headers(&[("x-roles", "reader"), ("openstack-dns-hide-counts", "true")]);
        let mut ctx = noauth(&h);
        apply_flags(&mut ctx, &h, &QueryPairs::default(), &Policy::defaults()).expect("open");
        assert!(ctx.hide_counts);
    }

    #[test]
    fn system_scoped_contexts_fail_flag_rules_by_scope() {
        let h = headers(&[("x-auth-all-projects", "true")]);
        let mut ctx = Context {
            roles: vec!["admin".into()],
            system_scope: Some("all".into()),
            ..Context::default()
        };
        let denied = apply_flags(&mut ctx, &h, &QueryPairs::default(), &Policy::defaults());
        assert_eq!(denied, Err(Denial::InvalidScope));
    }
}
