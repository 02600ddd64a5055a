//! `/v2/zones` (transcripts/zones.md, basics.md).

mod common;

use axum::body::Body;
use axum::http::StatusCode;
use common::*;
use std::sync::Arc;

use delegate_api::{ApiSettings, Auth, Keystone, KeystoneSettings, app_with_auth};
use serde_json::json;

const ZONE_KEYS: &[&str] = &[
    "id",
    "pool_id",
    "project_id",
    "name",
    "email",
    "description",
    "ttl",
    "serial",
    "shared",
    "status",
    "action",
    "version",
    "attributes",
    "type",
    "masters",
    "created_at",
    "updated_at",
    "transferred_at",
    "links",
];

#[tokio::test]
async fn create_answers_202_with_location_and_designate_key_order() {
    let (app, central) = test_app();
    let body = r#"{"name": "golden-zones-a.test.", "email": "hostmaster@golden-zones-a.test", "ttl": 3600, "description": "zone A"}"#;
    let reply = post_json(&app, "/v2/zones", body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let zone = reply.json();
    let id = zone["id"].as_str().expect("id");
    let self_href = format!("http://127.0.0.1:9001/v2/zones/{id}");
    assert_eq!(reply.header("location"), Some(self_href.as_str()));
    assert_eq!(zone["links"]["self"], self_href);
    let order = reply.key_order(ZONE_KEYS);
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "key order {order:?} in {}",
        reply.body
    );
    assert_eq!(reply.body.len(), 564, "Content-Length of the transcript");
    assert_eq!(
        (
            &zone["status"],
            &zone["action"],
            &zone["updated_at"],
            &zone["masters"],
            &zone["attributes"]
        ),
        (
            &json!("PENDING"),
            &json!("CREATE"),
            &json!(null),
            &json!([]),
            &json!({})
        )
    );
    let sent = central.state().zones[0].clone();
    assert_eq!(
        (sent.name.as_str(), sent.ttl, sent.description.as_deref()),
        ("golden-zones-a.test.", Some(3600), Some("zone A"))
    );
}

#[tokio::test]
async fn show_and_delete() {
    let (app, _) = test_app();
    let id = create_zone(&app, "golden-zones-b.test.").await;
    let reply = get(&app, &format!("/v2/zones/{}", id.to_uppercase())).await;
    assert_eq!(
        (reply.status, reply.json()["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let reply = delete(&app, &format!("/v2/zones/{id}")).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        (
            reply.json()["action"].as_str(),
            reply.json()["status"].as_str()
        ),
        (Some("DELETE"), Some("PENDING"))
    );
    let reply = get(&app, "/v2/zones/3a4f6f8e-1111-2222-3333-444444444444").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let id = reply.header("x-openstack-request-id").expect("id");
    assert_eq!(
        reply.body,
        format!(
            r#"{{"code": 404, "type": "zone_not_found", "message": "Could not find Zone", "request_id": "{id}"}}"#
        )
    );
}

#[tokio::test]
async fn list_pages_with_next_links_and_total_count() {
    let (app, _) = test_app();
    let mut ids = Vec::new();
    for name in [
        "golden-zones-a.test.",
        "golden-zones-c.test.",
        "golden-zones-b.test.",
    ] {
        ids.push(create_zone(&app, name).await);
    }
    let reply = get(&app, "/v2/zones?limit=1").await;
    let page = reply.json();
    assert_eq!(page["zones"][0]["id"], ids[0].as_str());
    assert_eq!(page["metadata"], json!({"total_count": 3}));
    assert_eq!(
        page["links"]["self"],
        "http://127.0.0.1:9001/v2/zones?limit=1"
    );
    let next = format!("http://127.0.0.1:9001/v2/zones?limit=1&marker={}", ids[0]);
    assert_eq!(page["links"]["next"], next.as_str());
    let reply = get(&app, next.trim_start_matches("http://127.0.0.1:9001")).await;
    assert_eq!(reply.json()["zones"][0]["id"], ids[1].as_str());
    let reply = get(&app, "/v2/zones").await;
    assert_eq!(
        reply.json()["links"],
        json!({"self": "http://127.0.0.1:9001/v2/zones"}),
        "no next on a short page"
    );
    assert_eq!(reply.json()["zones"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn filters_reach_central_and_links_repeat_them_encoded() {
    let (app, central) = test_app();
    create_zone(&app, "golden-zones-b.test.").await;
    let reply = get(
        &app,
        "/v2/zones?name=*zones-b*&status=ACTIVE&all_projects=true&limit=2",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["links"]["self"],
        "http://127.0.0.1:9001/v2/zones?name=%2Azones-b%2A&status=ACTIVE&limit=2"
    );
    let state = central.state();
    let paging = state.last_paging.clone().expect("paging");
    assert_eq!(paging.criterion.get("name"), Some(&json!("%zones-b%")));
    assert_eq!(paging.limit, Some(2));
    assert!(state.last_context.as_ref().expect("ctx").all_tenants);
}

#[tokio::test]
async fn nameservers_keep_designate_key_order() {
    let (app, _) = test_app();
    let id = create_zone(&app, "golden-zones-ns.test.").await;
    let reply = get(&app, &format!("/v2/zones/{id}/nameservers")).await;
    assert_eq!(
        reply.body,
        r#"{"nameservers": [{"priority": 1, "hostname": "ns1.anchor.test."}]}"#
    );
}

#[tokio::test]
async fn noauth_defaults_sudo_and_trailing_slash() {
    let (app, central) = test_app();
    let req = axum::http::Request::get("/v2/zones/")
        .header("host", "h")
        .body(Body::empty())
        .expect("req");
    let reply = send(&app, req).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["links"]["self"], "http://h/v2/zones");
    let ctx = central.state().last_context.clone().expect("ctx");
    assert_eq!(
        (ctx.project_id.as_deref(), ctx.roles.clone()),
        (Some("noauth-project"), vec!["admin".to_owned()])
    );
    assert!(
        ctx.request_id
            .as_deref()
            .is_some_and(|id| id == reply.header("x-openstack-request-id").unwrap_or(""))
    );
    let req = request("POST", "/v2/zones")
        .header("content-type", "application/json")
        .header("x-auth-sudo-project-id", "golden-other")
        .body(Body::from(
            r#"{"name": "golden-basics-sudo.test.", "email": "hostmaster@example.org"}"#,
        ))
        .expect("req");
    assert_eq!(send(&app, req).await.json()["project_id"], "golden-other");
}

#[tokio::test]
async fn flag_headers_need_admin() {
    let (app, _) = test_app();
    for (header, value) in [
        ("x-auth-all-projects", "true"),
        ("x-auth-sudo-project-id", "golden-other"),
    ] {
        let req = axum::http::Request::get("/v2/zones")
            .header("x-auth-project-id", "golden-basics")
            .header("x-roles", "reader")
            .header(header, value)
            .body(Body::empty())
            .expect("req");
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let id = reply.header("x-openstack-request-id").expect("id");
        assert_eq!(
            reply.body,
            format!(r#"{{"code": 403, "type": "forbidden", "request_id": "{id}"}}"#)
        );
    }
}

/// Keystone on a closed port: no token is a 401 without asking Keystone; a
/// token that cannot be validated is a bounded 503, never a hang.
#[tokio::test]
async fn keystone_strategy_without_keystone() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let config = delegate_config::Config::from_str_for_tests(&format!(
        "[keystone_authtoken]\nauth_url = http://127.0.0.1:{port}/v3\nusername = designate\n\
         password = secret\nproject_name = service\nwww_authenticate_uri = http://keystone.test/\n\
         http_connect_timeout = 2\n"
    ))
    .expect("config");
    let keystone =
        Keystone::new(KeystoneSettings::from_config(&config.keystone_authtoken).expect("settings"))
            .expect("client");
    let auth = Auth {
        policy: delegate_policy::Policy::defaults(),
        keystone: Some(keystone),
    };
    let central = FakeCentral::default();
    let app = app_with_auth(Arc::new(central), ApiSettings::default(), auth);
    let reply = get(&app, "/v2/zones").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Keystone uri="http://keystone.test/""#)
    );
    assert_eq!(reply.json()["error"]["code"], 401);
    assert!(reply.header("x-openstack-request-id").is_some());
    let started = std::time::Instant::now();
    let req = axum::http::Request::get("/v2/zones")
        .header("x-auth-token", "gAAAAAB-not-checked")
        .body(axum::body::Body::empty())
        .expect("request");
    let reply = send(&app, req).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn secondary_zone_uses_the_managed_email() {
    let (app, central) = test_app();
    let reply = post_json(
        &app,
        "/v2/zones",
        r#"{"name": "golden-zones-sec.test.", "type": "SECONDARY", "masters": ["192.0.2.53"]}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        (
            reply.json()["email"].as_str(),
            reply.json()["masters"].clone()
        ),
        (Some("hostmaster@example.com"), json!(["192.0.2.53"]))
    );
    assert_eq!(central.state().zones[0].masters[0].port, 53);
}
