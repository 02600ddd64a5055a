//! `/healthcheck`, as oslo.middleware's healthcheck with the
//! `disable_by_file` backend answers it (transcripts/basics.md): `OK` as text
//! or JSON, `204` for HEAD, `503` while the disable file exists.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::settings::ApiSettings;

const DISABLED: &str = "DISABLED BY FILE";

fn healthy(settings: &ApiSettings) -> bool {
    !settings.healthcheck_disable_file.exists()
}

pub async fn get(State(settings): State<Arc<ApiSettings>>, headers: HeaderMap) -> Response {
    let (status, reason) = match healthy(&settings) {
        true => (StatusCode::OK, "OK"),
        false => (StatusCode::SERVICE_UNAVAILABLE, DISABLED),
    };
    if wants_json(&headers) {
        // oslo renders with indent=4.
        let body = format!(
            "{{\n    \"detailed\": false,\n    \"reasons\": [\n        \"{reason}\"\n    ]\n}}"
        );
        return (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
    }
    let plain = HeaderValue::from_static("text/plain; charset=UTF-8");
    (status, [(header::CONTENT_TYPE, plain)], reason).into_response()
}

pub async fn head(State(settings): State<Arc<ApiSettings>>) -> StatusCode {
    match healthy(&settings) {
        true => StatusCode::NO_CONTENT,
        false => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// JSON when the client asks for it and does not also take plain text.
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/plain")
}
