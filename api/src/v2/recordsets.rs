//! `/v2/zones/{zone_id}/recordsets` (spec/api-v2.md §8.2–§8.6).

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use delegate_model::{Error, ErrorKind, RecordSet, Status, ids};
use serde_json::Value;

use super::{ApiResult, created};
use crate::app::App;
use crate::body::JsonObject;
use crate::central::Central;
use crate::context::RequestContext;
use crate::input::recordset::{recordset_from_body, recordset_update_from_body};
use crate::links::BaseUrl;
use crate::paging::{self, RECORDSETS};
use crate::path::{RecordSetId, ZoneId};
use crate::pyjson::PyJson;
use crate::render::{Metadata, RecordSetList, RecordSetView};

/// `POST`: 202 when records are pending, 201 for a recordset without records.
pub async fn create<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
    base: BaseUrl,
    body: JsonObject,
) -> ApiResult {
    let recordset = recordset_from_body(&body, &app.settings)?;
    let recordset = app
        .central
        .create_recordset(&ctx, zone_id, &recordset)
        .await?;
    let status = match recordset.status() {
        Status::Pending => StatusCode::ACCEPTED,
        _ => StatusCode::CREATED,
    };
    let view = RecordSetView::new(&recordset, &base)?;
    Ok(created(status, &view.links.self_href.clone(), view))
}

/// `GET` the zone's recordsets; the zone must be visible first (404 `zone_not_found`).
pub async fn list<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ZoneId(zone_id): ZoneId,
    base: BaseUrl,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    app.central.get_zone(&ctx, zone_id).await?;
    let query = paging::list_query(uri.query());
    let mut page = paging::page(&query, &RECORDSETS, &app.settings, &ctx)?;
    page.paging
        .criterion
        .insert("zone_id".into(), Value::String(zone_id.to_string()));
    let (recordsets, total) = app.central.find_recordsets(&ctx, &page.paging).await?;
    let ids: Vec<_> = recordsets.iter().map(|r| r.id).collect();
    let list = RecordSetList {
        recordsets: recordsets
            .iter()
            .map(|r| RecordSetView::new(r, &base))
            .collect::<Result<_, _>>()?,
        links: base.collection(uri.path(), &query, page.next_marker(&ids)),
        // `OpenStack-DNS-Hide-Counts: true` skips the count (spec/api-v2.md §3.3).
        metadata: Metadata {
            total_count: (!ctx.hide_counts).then_some(total),
        },
    };
    Ok(PyJson(StatusCode::OK, list).into_response())
}

/// `GET /v2/recordsets`: the caller's recordsets across zones (all with
/// all-projects); a `zone_id` filter lists that zone if visible (§8.7).
pub async fn list_all<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    base: BaseUrl,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let query = paging::list_query(uri.query());
    let page = paging::page(&query, &RECORDSETS, &app.settings, &ctx)?;
    let (recordsets, total) = app.central.find_recordsets(&ctx, &page.paging).await?;
    let ids: Vec<_> = recordsets.iter().map(|r| r.id).collect();
    let list = RecordSetList {
        recordsets: recordsets
            .iter()
            .map(|r| RecordSetView::new(r, &base))
            .collect::<Result<_, _>>()?,
        links: base.collection(uri.path(), &query, page.next_marker(&ids)),
        metadata: Metadata {
            total_count: (!ctx.hide_counts).then_some(total),
        },
    };
    Ok(PyJson(StatusCode::OK, list).into_response())
}

/// `GET /v2/recordsets/{id}`: checked as a show, then `301` to the
/// recordset under its zone, built from the request's Host (§8.7).
pub async fn show_global<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let recordset_id = ids::parse_uuid(&id).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidUuid,
            format!("Invalid UUID recordset_id: {id}"),
        )
    })?;
    let rs = app.central.find_recordset(&ctx, recordset_id).await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let zone_id = rs.zone_id.unwrap_or_default();
    let url = format!("http://{host}/v2/zones/{zone_id}/recordsets/{recordset_id}");
    // webob's HTTPMovedPermanently body, as Designate sends it.
    let body = format!(
        "301 Moved Permanently\n\nThe resource has been moved to {url}; you should be redirected automatically.  "
    );
    let mut response = (StatusCode::MOVED_PERMANENTLY, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=UTF-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&url) {
        h.insert(header::LOCATION, value);
    }
    Ok(response)
}

/// `GET` one recordset of the zone.
pub async fn show<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ids: RecordSetId,
    base: BaseUrl,
) -> ApiResult {
    let recordset = fetch(&app, &ctx, ids).await?;
    Ok(PyJson(StatusCode::OK, RecordSetView::new(&recordset, &base)?).into_response())
}

/// `PUT`: records replaced; 202 while records are pending, else 200.
pub async fn update<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ids: RecordSetId,
    base: BaseUrl,
    body: JsonObject,
) -> ApiResult {
    let existing = fetch(&app, &ctx, ids).await?;
    // Designate's pre-checks, in its order (spec/api-v2.md §8.5).
    if existing.is_managed() && !ctx.edit_managed_records {
        return Err(Error::bad_request("Managed records may not be updated").into());
    }
    if existing.rr_type == "SOA" {
        return Err(Error::bad_request("Updating SOA recordsets is not allowed").into());
    }
    if existing.rr_type == "NS" && existing.zone_name.as_deref() == Some(existing.name.as_str()) {
        return Err(Error::bad_request("Updating a root zone NS record is not allowed").into());
    }
    let shown = serde_json::to_value(RecordSetView::new(&existing, &base)?)
        .map_err(|e| Error::internal(e.to_string()))?;
    let recordset = recordset_update_from_body(&body, &existing, &shown, &app.settings)?;
    let recordset = app.central.update_recordset(&ctx, &recordset).await?;
    let status = match recordset.status() {
        Status::Pending => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok(PyJson(status, RecordSetView::new(&recordset, &base)?).into_response())
}

/// `DELETE`: SOA recordsets are refused here, managed ones by central; 202.
pub async fn delete<C: Central>(
    State(app): State<App<C>>,
    RequestContext(ctx): RequestContext,
    ids: RecordSetId,
    base: BaseUrl,
) -> ApiResult {
    let existing = fetch(&app, &ctx, ids).await?;
    if existing.rr_type == "SOA" {
        return Err(Error::bad_request("Deleting a SOA recordset is not allowed").into());
    }
    let recordset = app
        .central
        .delete_recordset(&ctx, ids.zone_id, ids.recordset_id)
        .await?;
    Ok(PyJson(StatusCode::ACCEPTED, RecordSetView::new(&recordset, &base)?).into_response())
}

/// The recordset, which must belong to the zone of the path.
async fn fetch<C: Central>(
    app: &App<C>,
    ctx: &delegate_model::Context,
    ids: RecordSetId,
) -> Result<RecordSet, Error> {
    let recordset = app
        .central
        .get_recordset(ctx, ids.zone_id, ids.recordset_id)
        .await?;
    match recordset.zone_id == Some(ids.zone_id) {
        true => Ok(recordset),
        false => Err(Error::not_found(ErrorKind::RecordSetNotFound, "RecordSet")),
    }
}
