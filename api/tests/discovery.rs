//! `/`, `/healthcheck`, unknown paths (transcripts/basics.md).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

#[tokio::test]
async fn version_document_matches_designate() {
    let (app, _) = test_app();
    let reply = send(
        &app,
        Request::get("/")
            .header("host", "127.0.0.1:9001")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.header("x-openstack-request-id"),
        None,
        "no request id outside /v2"
    );
    assert_eq!(reply.body.len(), 1151, "Content-Length of the transcript");
    assert!(reply.body.starts_with(
        r#"{"versions":[{"id":"v2","links":[{"href":"http://127.0.0.1:9001/v2","rel":"self"},{"href":"https://docs.openstack.org/api-ref/dns","rel":"help"}],"status":"SUPPORTED","updated":"2022-06-29T00:00:00Z"}"#
    ));
    assert!(
        reply.body.ends_with("}]}\n"),
        "Flask's jsonify ends with a newline"
    );
    let last = &reply.json()["versions"][5];
    assert_eq!(
        (last["id"].as_str(), last["status"].as_str()),
        (Some("v2.4"), Some("CURRENT"))
    );
}

#[tokio::test]
async fn version_links_follow_host_and_forwarded_proto() {
    let (app, _) = test_app();
    let req = Request::get("/")
        .header("host", "dns.example.org:8080")
        .body(Body::empty())
        .expect("req");
    assert_eq!(send(&app, req).await.body.len(), 1187);
    let req = Request::get("/")
        .header("host", "127.0.0.1:9001")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "dns.example.org")
        .body(Body::empty())
        .expect("req");
    let reply = send(&app, req).await;
    assert_eq!(
        reply.json()["versions"][0]["links"][0]["href"],
        "https://127.0.0.1:9001/v2"
    );
}

#[tokio::test]
async fn v2_root_is_a_json_404_with_request_id() {
    let (app, _) = test_app();
    for path in ["/v2", "/v2/", "/v2/nonexistent"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        let id = reply
            .header("x-openstack-request-id")
            .expect("request id")
            .to_owned();
        assert!(id.starts_with("req-") && id.len() == 40, "{id}");
        assert_eq!(
            reply.body,
            format!(
                r#"{{"code": 404, "type": "not_found", "message": "resource not found", "request_id": "{id}"}}"#
            )
        );
    }
}

#[tokio::test]
async fn paths_outside_v2_get_the_html_404() {
    let (app, _) = test_app();
    for path in ["/v1/", "/nonexistent"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(reply.body.len(), 207);
    }
}

#[tokio::test]
async fn healthcheck_answers_text_json_and_head() {
    let (app, _) = test_app();
    let reply = send(
        &app,
        Request::get("/healthcheck")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "OK"));
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=UTF-8")
    );
    let req = Request::get("/healthcheck")
        .header("accept", "application/json")
        .body(Body::empty())
        .expect("req");
    let reply = send(&app, req).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"detailed": false, "reasons": ["OK"]})
    );
    assert_eq!(reply.body.len(), 62);
    let reply = send(
        &app,
        Request::head("/healthcheck")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
}

#[tokio::test]
async fn healthcheck_is_503_while_the_disable_file_exists() {
    let dir = std::env::temp_dir().join(format!("delegate-api-health-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("healthcheck_disable");
    std::fs::write(&file, b"").expect("file");
    let settings = delegate_api::ApiSettings {
        healthcheck_disable_file: file,
        ..Default::default()
    };
    let (app, _) = test_app_with(settings);
    let reply = send(
        &app,
        Request::get("/healthcheck")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "DISABLED BY FILE")
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
