//! `/v2/service_statuses` (transcripts/admin.md).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use delegate_model::ServiceStatus;
use delegate_model::time::bus_format;
use serde_json::json;

const ID: &str = "1df04fd5-30eb-4cb0-b257-71732c4005bc";

fn central_status() -> ServiceStatus {
    ServiceStatus {
        id: uuid::Uuid::parse_str(ID).ok(),
        created_at: bus_format::parse("2026-11-21T21:17:34Z").ok(),
        updated_at: bus_format::parse("2026-11-21T22:12:19Z").ok(),
        heartbeated_at: bus_format::parse("2026-11-21T22:12:19Z").ok(),
        service_name: "central".into(),
        hostname: "anchor".into(),
        status: "UP".into(),
        stats: json!({}),
        capabilities: json!({}),
    }
}

#[tokio::test]
async fn admins_list_and_show_service_statuses() {
    let (app, central) = test_app();
    central.state().service_statuses.push(central_status());
    let reply = get(&app, &format!("/v2/service_statuses/{ID}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body.len(), 381, "Content-Length of the transcript");
    assert_eq!(
        reply.json()["links"]["self"],
        format!("http://127.0.0.1:9001/v2/service_statuses/{ID}")
    );
    let reply = get(&app, "/v2/service_statuses").await;
    assert_eq!(reply.status, StatusCode::OK);
    let list = reply.json();
    assert_eq!(list["service_statuses"][0]["service_name"], "central");
    assert_eq!(
        list["links"]["self"],
        "http://127.0.0.1:9001/v2/service_statuses"
    );
    assert_eq!(get(&app, "/v2/service_status").await.status, StatusCode::OK);

    let missing = get(
        &app,
        "/v2/service_statuses/2df04fd5-30eb-4cb0-b257-71732c4005bc",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["type"], "service_status_not_found");
}

#[tokio::test]
async fn members_get_a_bare_403() {
    let (app, central) = test_app();
    central.state().service_statuses.push(central_status());
    let req = Request::builder()
        .uri("/v2/service_statuses")
        .header("host", "127.0.0.1:9001")
        .header("x-auth-project-id", "golden-admin")
        .header("x-roles", "member,reader")
        .body(Body::empty())
        .expect("request");
    let reply = send(&app, req).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body.len(), 92, "Content-Length of the transcript");
}
