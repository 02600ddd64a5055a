//! Error bodies (transcripts/errors.md).

mod common;

use axum::body::Body;
use axum::http::StatusCode;
use common::*;
use delegate_model::{Error, ErrorKind};
use serde_json::{Value, json};

/// The body without its request id, after checking the id matches the header.
fn without_id(reply: &Reply) -> Value {
    let mut body = reply.json();
    let id = body.as_object_mut().and_then(|o| o.remove("request_id"));
    assert_eq!(
        id.as_ref().and_then(Value::as_str),
        reply.header("x-openstack-request-id"),
        "{}",
        reply.body
    );
    body
}

async fn post_raw(content_type: Option<&str>, body: &str) -> Reply {
    let (app, _) = test_app();
    let mut req = request("POST", "/v2/zones");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    send(&app, req.body(Body::from(body.to_owned())).expect("req")).await
}

#[tokio::test]
async fn malformed_ids_in_the_path() {
    let (app, _) = test_app();
    let reply = get(&app, "/v2/zones/not-a-uuid").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        without_id(&reply),
        json!({"code": 400, "type": "invalid_uuid", "message": "Invalid UUID zone_id: not-a-uuid"})
    );
    let zone = create_zone(&app, "golden-errors.test.").await;
    let reply = get(&app, &format!("/v2/zones/{zone}/recordsets/not-a-uuid")).await;
    assert_eq!(
        without_id(&reply)["message"],
        "Invalid UUID recordset_id: not-a-uuid"
    );
    let reply = get(&app, &format!("/v2/zones/{}", zone.replace('-', ""))).await;
    assert_eq!(reply.status, StatusCode::OK, "32 hex digits are UUID-like");
}

#[tokio::test]
async fn body_problems() {
    let reply = post_raw(
        Some("application/json"),
        r#"{"name": "golden-errors-2.test.", "#,
    )
    .await;
    assert_eq!(
        without_id(&reply),
        json!({"code": 400, "type": "invalid_json",
               "message": "Expecting property name enclosed in double quotes: line 1 column 35 (char 34)"})
    );
    let reply = post_raw(Some("application/json"), "").await;
    assert_eq!(
        without_id(&reply),
        json!({"code": 400, "type": "empty_request_body", "message": "Request Body is empty"})
    );
    for ct in [Some("text/plain"), None] {
        let reply = post_raw(
            ct,
            r#"{"name": "golden-errors-ct.test.", "email": "hostmaster@example.org"}"#,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            without_id(&reply),
            json!({"code": 415, "type": "unsupported_content_type", "message": "Content-type must be application/json"})
        );
    }
    let reply = post_raw(Some("application/json"), r#"["golden-errors-2.test."]"#).await;
    assert_eq!(
        (reply.status, without_id(&reply)["type"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_object"))
    );
    let reply = post_raw(
        Some("application/json; charset=utf-8"),
        r#"{"name": "golden-errors-charset.test.", "email": "hostmaster@example.org"}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let big = format!(
        r#"{{"name": "a.test.", "email": "h@a.test", "description": "{}"}}"#,
        "x".repeat(120_000)
    );
    let reply = post_raw(Some("application/json"), &big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn zone_body_validation_errors() {
    let reply = post_raw(
        Some("application/json"),
        r#"{"name": "golden-errors-2.test.", "email": "hostmaster@example.org", "foo": 1}"#,
    )
    .await;
    assert_eq!(
        without_id(&reply),
        json!({"code": 400, "type": "invalid_object",
               "message": "Provided object does not match schema. Keys ['foo'] are not valid for zone"})
    );
    let reply = post_raw(
        Some("application/json"),
        r#"{"name": "golden-errors-2.test."}"#,
    )
    .await;
    assert_eq!(
        reply.body,
        format!(
            r#"{{"code": 400, "type": "invalid_object", "errors": {{"errors": [{{"path": ["type", "email"], "message": "'email' is a required property", "validator": "required", "validator_value": "email"}}]}}, "request_id": "{}"}}"#,
            reply.header("x-openstack-request-id").unwrap_or_default()
        )
    );
    let reply = post_raw(
        Some("application/json"),
        r#"{"name": "not a zone", "email": "hostmaster@example.org"}"#,
    )
    .await;
    assert_eq!(
        without_id(&reply)["message"],
        "Provided object is not valid. Got a ValueError error with message Domain not a zone does not end with a dot"
    );
}

#[tokio::test]
async fn paging_errors() {
    let (app, _) = test_app();
    let cases = [
        (
            "limit=abc",
            "invalid_limit",
            Some("limit should be an integer between 1 and 1000"),
        ),
        (
            "limit=0",
            "invalid_limit",
            Some("limit should be an integer between 1 and 1000"),
        ),
        ("marker=not-a-uuid", "invalid_marker", None),
        (
            "sort_dir=up",
            "invalid_sort_dir",
            Some("Unknown sort direction, must be 'desc' or 'asc'"),
        ),
        ("foo=bar", "bad_request", Some("Invalid filters foo")),
        (
            "name=a&name=b&foo=1",
            "bad_request",
            Some("Duplicate filters name"),
        ),
    ];
    for (query, kind, message) in cases {
        let reply = get(&app, &format!("/v2/zones?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let body = without_id(&reply);
        assert_eq!(
            (body["type"].as_str(), body["message"].as_str()),
            (Some(kind), message),
            "{query}"
        );
    }
    let reply = get(
        &app,
        "/v2/zones?marker=3a4f6f8e-1111-2222-3333-444444444444",
    )
    .await;
    assert_eq!(
        without_id(&reply),
        json!({"code": 400, "type": "marker_not_found", "message": "Marker None could not be found"})
    );
}

#[tokio::test]
async fn methods_not_allowed() {
    let (app, _) = test_app();
    let zone = create_zone(&app, "golden-errors.test.").await;
    for (method, uri) in [
        ("PUT", format!("/v2/zones/{zone}")),
        ("DELETE", "/v2/zones".to_owned()),
        ("POST", format!("/v2/zones/{zone}")),
    ] {
        let req = request(method, &uri)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("req");
        let reply = send(&app, req).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        assert_eq!(
            without_id(&reply),
            json!({"code": 405, "type": "method_not_allowed"})
        );
    }
}

#[tokio::test]
async fn central_timeouts_and_failures_hide_details() {
    let (app, central) = test_app();
    central.state().fail_with = Some(Error::bare(ErrorKind::Timeout));
    let reply = get(&app, "/v2/zones").await;
    assert_eq!(
        (reply.status, without_id(&reply)),
        (
            StatusCode::GATEWAY_TIMEOUT,
            json!({"code": 504, "type": "timeout"})
        )
    );
    central.state().fail_with = Some(Error::internal("KeyError: 'secret internals'"));
    let reply = get(&app, "/v2/zones").await;
    assert_eq!(
        (reply.status, without_id(&reply)),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"code": 500, "type": "unknown"})
        )
    );
}

#[tokio::test]
async fn unacceptable_accept_header_is_406() {
    let (app, _) = test_app();
    let reply = send(
        &app,
        request("GET", "/v2/zones")
            .header("accept", "text/html")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    let reply = send(
        &app,
        request("GET", "/v2/zones")
            .header("accept", "application/json")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}
