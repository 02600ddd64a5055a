//! `/v2/quotas` (transcripts/admin.md).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

const DEFAULTS: &str = r#"{"zones": 10, "zone_recordsets": 500, "zone_records": 500, "recordset_records": 20, "api_export_size": 1000}"#;

fn as_reader(method: &str, uri: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "127.0.0.1:9001")
        .header("x-auth-project-id", "golden-admin")
        .header("x-roles", "reader")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn get_patch_and_delete_quotas() {
    let (app, central) = test_app();
    let uri = "/v2/quotas/golden-zones";
    let reply = get(&app, uri).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, DEFAULTS, "Designate's key order and separators");
    assert_eq!(get(&app, "/v2/quotas").await.body, DEFAULTS);

    let reply = send_json(
        &app,
        "PATCH",
        uri,
        r#"{"zones": 20, "api_export_size": 500}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        r#"{"zones": 20, "zone_recordsets": 500, "zone_records": 500, "recordset_records": 20, "api_export_size": 500}"#
    );
    assert_eq!(central.state().quotas.len(), 2);

    let reply = send_json(&app, "PATCH", uri, r#"{"zones": "abc"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["message"],
        "Provided object is not valid. Got a ValueError error with message invalid literal for int() with base 10: 'abc'"
    );
    let reply = send_json(&app, "PATCH", uri, r#"{"zones": -2}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send_json(&app, "PATCH", uri, r#"{"domains": 5}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["message"],
        "Provided object does not match schema. Keys ['domains'] are not valid for quota"
    );
    assert_eq!(
        central.state().quotas.len(),
        2,
        "nothing stored by bad bodies"
    );

    let reply = delete(&app, uri).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    assert!(central.state().quotas.is_empty());
    assert_eq!(get(&app, uri).await.body, DEFAULTS);
}

#[tokio::test]
async fn another_projects_quotas_need_all_projects() {
    let (app, central) = test_app();
    let reply = send(
        &app,
        as_reader("GET", "/v2/quotas/golden-admin-somebody-else"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["type"], "forbidden");
    assert_eq!(reply.body.len(), 92, "Content-Length of the transcript");
    let reply = send_json(&app, "PATCH", "/v2/quotas/somebody-else", r#"{"zones": 1}"#).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(central.state().quotas.is_empty());
}

#[tokio::test]
async fn limits_show_the_callers_quotas_and_centrals_limits() {
    let (app, _) = test_app();
    send_json(&app, "PATCH", "/v2/quotas/golden-zones", r#"{"zones": 20}"#).await;
    let reply = get(&app, "/v2/limits").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        r#"{"max_zones": 20, "max_zone_recordsets": 500, "max_zone_records": 500, "max_recordset_records": 20, "min_ttl": 0, "max_zone_name_length": 255, "max_recordset_name_length": 255, "max_page_limit": 1000}"#
    );
}
