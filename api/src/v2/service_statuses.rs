//! `/v2/service_statuses` (spec/api-v2.md §14.3): admin only, enforced by central.

use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use delegate_model::time::api_format;
use delegate_model::{Error, ErrorKind, ServiceStatus, ids};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::ApiResult;
use crate::app::App;
use crate::central::Central;
use crate::context::RequestContext;
use crate::links::{BaseUrl, SelfLink};
use crate::pyjson::PyJson;

/// `GET /v2/service_statuses`.
pub async fn list<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    base: BaseUrl,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let found = app.central.find_service_statuses(&ctx, &Map::new()).await?;
    let list = StatusList {
        service_statuses: found.iter().map(|s| StatusView::new(s, &base)).collect(),
        links: SelfLink {
            self_href: format!("{}{}", base.0, uri.path()),
        },
    };
    Ok(PyJson(StatusCode::OK, list).into_response())
}

/// `GET /v2/service_statuses/{id}`: 404 `service_status_not_found`.
pub async fn show<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    base: BaseUrl,
    Path(id): Path<String>,
) -> ApiResult {
    let id: Uuid = ids::parse_uuid(&id).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidUuid,
            format!("Invalid UUID service_status_id: {id}"),
        )
    })?;
    let mut criterion = Map::new();
    criterion.insert("id".into(), Value::String(id.to_string()));
    let found = app.central.find_service_statuses(&ctx, &criterion).await?;
    let status = found
        .iter()
        .find(|s| s.id == Some(id))
        .ok_or_else(|| Error::not_found(ErrorKind::ServiceStatusNotFound, "ServiceStatus"))?;
    Ok(PyJson(StatusCode::OK, StatusView::new(status, &base)).into_response())
}

#[derive(serde::Serialize)]
struct StatusList<'a> {
    service_statuses: Vec<StatusView<'a>>,
    links: SelfLink,
}

/// One service status, in Designate's key order.
#[derive(serde::Serialize)]
struct StatusView<'a> {
    id: Option<Uuid>,
    hostname: &'a str,
    service_name: &'a str,
    status: &'a str,
    stats: &'a Value,
    capabilities: &'a Value,
    heartbeated_at: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    links: SelfLink,
}

impl<'a> StatusView<'a> {
    fn new(s: &'a ServiceStatus, base: &BaseUrl) -> Self {
        let id = s.id.map(|id| id.to_string()).unwrap_or_default();
        StatusView {
            id: s.id,
            hostname: &s.hostname,
            service_name: &s.service_name,
            status: &s.status,
            stats: &s.stats,
            capabilities: &s.capabilities,
            heartbeated_at: s.heartbeated_at.as_ref().map(api_format),
            created_at: s.created_at.as_ref().map(api_format),
            updated_at: s.updated_at.as_ref().map(api_format),
            links: SelfLink {
                self_href: format!("{}/v2/service_statuses/{id}", base.0),
            },
        }
    }
}
