//! The `/v2` routes (spec/api-v2.md §7–§8). Handlers are thin: extract,
//! turn the body into a domain object, call central, render.

mod quotas;
mod recordsets;
mod service_statuses;
mod zones;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use delegate_model::ErrorKind;
use serde::Serialize;

use crate::app::App;
use crate::central::Central;
use crate::error::ApiError;
use crate::pyjson::PyJson;

type ApiResult = Result<Response, ApiError>;

/// The v2 router, relative to `/v2`.
pub fn routes<C: Central>() -> Router<App<C>> {
    Router::new()
        .route("/zones", get(zones::list::<C>).post(zones::create::<C>))
        .route(
            "/zones/{zone_id}",
            get(zones::show::<C>)
                .patch(zones::update::<C>)
                .delete(zones::delete::<C>),
        )
        .route("/zones/{zone_id}/nameservers", get(zones::nameservers::<C>))
        .route(
            "/zones/{zone_id}/tasks/abandon",
            axum::routing::post(zones::abandon::<C>),
        )
        .route(
            "/zones/{zone_id}/recordsets",
            get(recordsets::list::<C>).post(recordsets::create::<C>),
        )
        .route(
            "/zones/{zone_id}/recordsets/{recordset_id}",
            get(recordsets::show::<C>)
                .put(recordsets::update::<C>)
                .delete(recordsets::delete::<C>),
        )
        .route("/recordsets", get(recordsets::list_all::<C>))
        .route(
            "/recordsets/{recordset_id}",
            get(recordsets::show_global::<C>),
        )
        .route("/quotas", get(quotas::show_own::<C>))
        .route("/limits", get(quotas::limits::<C>))
        .route("/service_statuses", get(service_statuses::list::<C>))
        .route("/service_status", get(service_statuses::list::<C>))
        .route("/service_statuses/{id}", get(service_statuses::show::<C>))
        .route("/service_status/{id}", get(service_statuses::show::<C>))
        .route(
            "/quotas/{project_id}",
            get(quotas::show::<C>)
                .patch(quotas::update::<C>)
                .delete(quotas::reset::<C>),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, Some("resource not found".into()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorKind::MethodNotAllowed, None)
}

/// A JSON body with status `status` (201 or 202) and `Location: <location>`.
fn created<T: Serialize>(status: StatusCode, location: &str, body: T) -> Response {
    let mut response = PyJson(status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
