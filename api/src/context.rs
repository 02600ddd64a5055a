//! Who is asking: the request context built from the auth strategy's headers
//! and the flag headers (spec/api-v2.md §3).
//!
//! Only the policy checks of the flags live here (sudo, all projects,
//! managed records, hard delete: all admin-only), as in Designate's context
//! middleware; every resource rule is central's, which knows the resource.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use delegate_model::{Context, ErrorKind};

use crate::error::ApiError;
use crate::query::QueryPairs;
use crate::request_id::RequestId;
use crate::settings::{ApiSettings, AuthStrategy};

/// Query parameters that set context flags; they are removed from the query
/// before filters are checked and links are built.
pub const CONTEXT_PARAMS: &[&str] = &["all_projects", "all_tenants", "edit_managed_records"];

/// The caller's context, ready to send to central.
#[derive(Debug, Clone)]
pub struct RequestContext(pub Context);

impl<S> FromRequestParts<S> for RequestContext
where
    Arc<ApiSettings>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let settings = Arc::<ApiSettings>::from_ref(state);
        let mut ctx = authenticate(settings.auth_strategy, &parts.headers)?;
        ctx.request_id = parts.extensions.get::<RequestId>().map(|id| id.0.clone());
        ctx.client_addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        apply_flags(
            &mut ctx,
            &parts.headers,
            &QueryPairs::parse(parts.uri.query()),
        )?;
        Ok(RequestContext(ctx))
    }
}

/// The identity part of the context, per `[service:api] auth_strategy`.
fn authenticate(strategy: AuthStrategy, headers: &HeaderMap) -> Result<Context, ApiError> {
    match strategy {
        AuthStrategy::Noauth => Ok(noauth(headers)),
        AuthStrategy::Keystone => Err(ApiError::new(
            ErrorKind::ConfigurationError,
            Some("auth_strategy = keystone is not supported yet; set [service:api] auth_strategy = noauth".into()),
        )),
    }
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

/// The flag headers and query parameters of spec/api-v2.md §3.3.
fn apply_flags(ctx: &mut Context, headers: &HeaderMap, query: &QueryPairs) -> Result<(), ApiError> {
    let sudo = header(headers, "x-auth-sudo-tenant-id")
        .filter(|v| !v.is_empty())
        .or_else(|| header(headers, "x-auth-sudo-project-id"))
        .filter(|v| !v.is_empty());
    if let Some(project) = sudo {
        require_admin(ctx)?;
        ctx.original_project_id = ctx.project_id.replace(project);
    }
    let all = query
        .get("all_projects")
        .or_else(|| query.get("all_tenants"))
        .map(str::to_owned)
        .or_else(|| header(headers, "x-auth-all-projects"));
    ctx.all_tenants = admin_flag(ctx, all)?;
    let edit = query
        .get("edit_managed_records")
        .map(str::to_owned)
        .or_else(|| header(headers, "x-designate-edit-managed-records"));
    ctx.edit_managed_records = admin_flag(ctx, edit)?;
    ctx.hard_delete = admin_flag(ctx, header(headers, "x-designate-hard-delete"))?;
    ctx.hide_counts = flag(header(headers, "openstack-dns-hide-counts"));
    ctx.delete_shares = flag(header(headers, "x-designate-delete-shares"));
    Ok(())
}

/// A flag that only admins may set to true.
fn admin_flag(ctx: &Context, value: Option<String>) -> Result<bool, ApiError> {
    let on = flag(value);
    if on {
        require_admin(ctx)?;
    }
    Ok(on)
}

fn require_admin(ctx: &Context) -> Result<(), ApiError> {
    match ctx.has_admin_role() {
        true => Ok(()),
        false => Err(ApiError::new(ErrorKind::Forbidden, None)),
    }
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
        apply_flags(&mut ctx, &h, &QueryPairs::default()).expect("admin may sudo");
        assert_eq!(
            (
                ctx.project_id.as_deref(),
                ctx.original_project_id.as_deref()
            ),
            (Some("b"), Some("a"))
        );
        let h = headers(&[("x-roles", "reader"), ("x-auth-sudo-project-id", "b")]);
        let err =
            apply_flags(&mut noauth(&h), &h, &QueryPairs::default()).expect_err("reader may not");
        assert_eq!(err.status().as_u16(), 403);
    }

    #[test]
    fn all_projects_query_beats_header() {
        let h = headers(&[("x-auth-all-projects", "true")]);
        let mut ctx = noauth(&h);
        apply_flags(&mut ctx, &h, &QueryPairs::parse(Some("all_projects=false"))).expect("flags");
        assert!(!ctx.all_tenants);
        let h = headers(&[("x-auth-all-projects", "yes")]);
        apply_flags(&mut ctx, &h, &QueryPairs::default()).expect("flags");
        assert!(ctx.all_tenants);
    }
}
