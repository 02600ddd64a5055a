//! `406` for `/v2` requests whose `Accept` matches no JSON type
//! (spec/api-v2.md §4.1); the body is not in the Designate error format.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn require_json(req: Request, next: Next) -> Response {
    match accepts_json(req.headers()) {
        true => next.run(req).await,
        false => StatusCode::NOT_ACCEPTABLE.into_response(),
    }
}

fn accepts_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.trim().is_empty()
        || accept.split(',').any(|item| {
            let media = item
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(media.as_str(), "*/*" | "application/*" | "application/json")
        })
}
