//! `/v2/quotas` and `/v2/limits` (spec/api-v2.md §14.1–§14.2).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use delegate_model::{Context, Error, ErrorKind};
use serde_json::{Map, Value};

use super::ApiResult;
use crate::app::App;
use crate::body::JsonObject;
use crate::central::Central;
use crate::context::RequestContext;
use crate::input::quota_from_body;
use crate::pyjson::PyJson;

/// `GET /v2/quotas`: the caller's own project.
pub async fn show_own<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
) -> ApiResult {
    let project = ctx.project_id.clone().unwrap_or_default();
    let quotas = app.central.get_quotas(&ctx, &project).await?;
    Ok(PyJson(StatusCode::OK, view(quotas)).into_response())
}

/// `GET /v2/quotas/{project_id}`.
pub async fn show<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    Path(project): Path<String>,
) -> ApiResult {
    own_or_all_projects(&ctx, &project)?;
    let quotas = app.central.get_quotas(&ctx, &project).await?;
    Ok(PyJson(StatusCode::OK, view(quotas)).into_response())
}

/// `PATCH /v2/quotas/{project_id}`: each given limit stored, then the whole
/// merged set answered.
pub async fn update<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    Path(project): Path<String>,
    body: JsonObject,
) -> ApiResult {
    if ctx.project_id.is_none() && !ctx.all_tenants {
        return Err(Error::new(
            ErrorKind::MissingProjectId,
            "A project ID must be specified when not using a project scoped token.",
        )
        .into());
    }
    own_or_all_projects(&ctx, &project)?;
    let limits = quota_from_body(&body)?;
    for (resource, limit) in &limits {
        app.central
            .set_quota(&ctx, &project, resource, *limit)
            .await?;
    }
    let quotas = app.central.get_quotas(&ctx, &project).await?;
    Ok(PyJson(StatusCode::OK, view(quotas)).into_response())
}

/// `DELETE /v2/quotas/{project_id}`: every override removed; 204.
pub async fn reset<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    Path(project): Path<String>,
) -> ApiResult {
    app.central.reset_quotas(&ctx, &project).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Another project's quotas need all-projects: a bare 403 `forbidden`.
fn own_or_all_projects(ctx: &Context, project: &str) -> Result<(), Error> {
    match ctx.all_tenants || ctx.project_id.as_deref() == Some(project) {
        true => Ok(()),
        false => Err(Error::bare(ErrorKind::Forbidden)),
    }
}

/// A quota set in Designate's key order (`serde_json::Map` would sort it).
#[derive(serde::Serialize)]
struct QuotaView {
    zones: Value,
    zone_recordsets: Value,
    zone_records: Value,
    recordset_records: Value,
    api_export_size: Value,
}

fn view(mut quotas: Map<String, Value>) -> QuotaView {
    let mut take = |k: &str| quotas.remove(k).unwrap_or(Value::Null);
    QuotaView {
        zones: take("zones"),
        zone_recordsets: take("zone_recordsets"),
        zone_records: take("zone_records"),
        recordset_records: take("recordset_records"),
        api_export_size: take("api_export_size"),
    }
}

/// `GET /v2/limits`: the caller's effective quotas and central's limits.
pub async fn limits<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
) -> ApiResult {
    let project = ctx.project_id.clone().unwrap_or_default();
    let q = view(app.central.get_quotas(&ctx, &project).await?);
    let s = &app.settings;
    let limits = LimitsView {
        max_zones: q.zones,
        max_zone_recordsets: q.zone_recordsets,
        max_zone_records: q.zone_records,
        max_recordset_records: q.recordset_records,
        min_ttl: s.min_ttl,
        max_zone_name_length: s.max_zone_name_len,
        max_recordset_name_length: s.max_recordset_name_len,
        max_page_limit: s.max_limit,
    };
    Ok(PyJson(StatusCode::OK, limits).into_response())
}

/// `GET /v2/limits`, in Designate's key order.
#[derive(serde::Serialize)]
struct LimitsView {
    max_zones: Value,
    max_zone_recordsets: Value,
    max_zone_records: Value,
    max_recordset_records: Value,
    min_ttl: u32,
    max_zone_name_length: u32,
    max_recordset_name_length: u32,
    max_page_limit: u32,
}
