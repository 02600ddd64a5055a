//! `/v2/zones` (spec/api-v2.md §7.2–§7.7).

use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use delegate_model::Status;

use super::{ApiResult, created};
use crate::app::App;
use crate::body::JsonObject;
use crate::central::Central;
use crate::context::RequestContext;
use crate::input::zone::{zone_from_body, zone_update_from_body};
use crate::links::BaseUrl;
use crate::paging::{self, ZONES};
use crate::path::ZoneId;
use crate::pyjson::PyJson;
use crate::render::{Metadata, Nameservers, ZoneList, ZoneView};

/// `POST /v2/zones`: 202 while the zone is PENDING (always, in practice).
pub async fn create<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    base: BaseUrl,
    body: JsonObject,
) -> ApiResult {
    let zone = zone_from_body(&body, &app.settings)?;
    let zone = app.central.create_zone(&ctx, &zone).await?;
    let status = match zone.status {
        Status::Pending => StatusCode::ACCEPTED,
        _ => StatusCode::CREATED,
    };
    let view = ZoneView::new(&zone, &base)?;
    Ok(created(status, &view.links.self_href.clone(), view))
}

/// `GET /v2/zones`.
pub async fn list<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    base: BaseUrl,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let query = paging::list_query(uri.query());
    let page = paging::page(&query, &ZONES, &app.settings, &ctx)?;
    let (zones, total) = app.central.find_zones(&ctx, &page.paging).await?;
    let ids: Vec<_> = zones.iter().map(|z| z.id).collect();
    let list = ZoneList {
        zones: zones
            .iter()
            .map(|z| ZoneView::new(z, &base))
            .collect::<Result<_, _>>()?,
        links: base.collection(uri.path(), &query, page.next_marker(&ids)),
        metadata: Metadata {
            total_count: Some(total),
        },
    };
    Ok(PyJson(StatusCode::OK, list).into_response())
}

/// `GET /v2/zones/{zone_id}`.
pub async fn show<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
    base: BaseUrl,
) -> ApiResult {
    let zone = app.central.get_zone(&ctx, zone_id).await?;
    Ok(PyJson(StatusCode::OK, ZoneView::new(&zone, &base)?).into_response())
}

/// `PATCH /v2/zones/{zone_id}`: 202 while the zone is PENDING (always, in
/// practice), else 200.
pub async fn update<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
    base: BaseUrl,
    body: JsonObject,
) -> ApiResult {
    let current = app.central.get_zone(&ctx, zone_id).await?;
    let shown = serde_json::to_value(ZoneView::new(&current, &base)?)
        .map_err(|e| delegate_model::Error::internal(e.to_string()))?;
    let zone = zone_update_from_body(&body, &current, &shown)?;
    let zone = app.central.update_zone(&ctx, &zone).await?;
    let status = match zone.status {
        Status::Pending => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok(PyJson(status, ZoneView::new(&zone, &base)?).into_response())
}

/// `DELETE /v2/zones/{zone_id}`: always 202, with the zone as it now is.
pub async fn delete<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
    base: BaseUrl,
) -> ApiResult {
    let zone = app.central.delete_zone(&ctx, zone_id).await?;
    Ok(PyJson(StatusCode::ACCEPTED, ZoneView::new(&zone, &base)?).into_response())
}

/// `GET /v2/zones/{zone_id}/nameservers`.
pub async fn nameservers<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
) -> ApiResult {
    let records = app.central.get_zone_ns_records(&ctx, zone_id).await?;
    Ok(PyJson(StatusCode::OK, Nameservers::new(&records)).into_response())
}

/// `POST /v2/zones/{zone_id}/tasks/abandon`: the zone leaves the database
/// without touching the backends (policy `abandon_zone`, admins); 204.
pub async fn abandon<C: Central>(
    State(app): State<App<C>>,
    RequestContext(mut ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
) -> ApiResult {
    ctx.abandon = true;
    app.central.delete_zone(&ctx, zone_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
