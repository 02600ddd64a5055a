//! Request ids: every `/v2` response carries `x-openstack-request-id:
//! req-<uuid4>` and error bodies repeat it as `request_id` (spec/api-v2.md §1).
//! A client-supplied id is not echoed, as in Designate (transcripts/basics.md).

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

use crate::error::ErrorBody;

/// The response header, as Designate spells it.
pub static HEADER: HeaderName = HeaderName::from_static("x-openstack-request-id");

/// This request's id; handlers and extractors find it in the request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    fn generate() -> Self {
        RequestId(format!("req-{}", Uuid::new_v4()))
    }
}

/// Assigns the id, then stamps it on the response and into an error body.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = RequestId::generate();
    req.extensions_mut().insert(id.clone());
    let mut response = next.run(req).await;
    if let Some(mut body) = response.extensions_mut().remove::<ErrorBody>() {
        body.request_id = Some(id.0.clone());
        *response.body_mut() = body.to_bytes().into();
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER.clone(), value);
    }
    response
}
