//! `/v2/zones/{zone_id}/recordsets` (transcripts/recordsets.md, errors.md).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const RECORDSET_KEYS: &[&str] = &[
    "id",
    "zone_id",
    "project_id",
    "name",
    "zone_name",
    "type",
    "records",
    "description",
    "ttl",
    "status",
    "action",
    "version",
    "created_at",
    "updated_at",
    "links",
];

async fn zone_app() -> (delegate_api::AppService, FakeCentral, String) {
    let (app, central) = test_app();
    let zone = create_zone(&app, "golden-rrsets.test.").await;
    (app, central, zone)
}

fn errors(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    reply.json()["errors"]["errors"].clone()
}

#[tokio::test]
async fn create_show_list_delete() {
    let (app, _, zone) = zone_app().await;
    let base = format!("/v2/zones/{zone}/recordsets");
    let body = r#"{"name": "www.golden-rrsets.test.", "type": "A", "ttl": 300, "records": ["192.0.2.10", "192.0.2.11"], "description": "web"}"#;
    let reply = post_json(&app, &base, body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let rs = reply.json();
    let id = rs["id"].as_str().expect("id").to_owned();
    let self_href = format!("http://127.0.0.1:9001/v2/zones/{zone}/recordsets/{id}");
    assert_eq!(
        (reply.header("location"), rs["links"]["self"].as_str()),
        (Some(self_href.as_str()), Some(self_href.as_str()))
    );
    let order = reply.key_order(RECORDSET_KEYS);
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "key order {order:?} in {}",
        reply.body
    );
    assert_eq!(
        (
            &rs["zone_name"],
            &rs["records"],
            &rs["status"],
            &rs["action"]
        ),
        (
            &json!("golden-rrsets.test."),
            &json!(["192.0.2.10", "192.0.2.11"]),
            &json!("PENDING"),
            &json!("CREATE")
        )
    );

    assert_eq!(get(&app, &format!("{base}/{id}")).await.json(), rs);
    let list = get(&app, &format!("{base}?limit=2")).await.json();
    assert_eq!(
        list["metadata"],
        json!({"total_count": 3}),
        "SOA, NS and the new A"
    );
    assert!(
        list["links"]["next"]
            .as_str()
            .is_some_and(|n| n.ends_with(&format!(
                "recordsets?limit=2&marker={}",
                list["recordsets"][1]["id"].as_str().unwrap_or("")
            )))
    );

    let reply = delete(&app, &format!("{base}/{id}")).await;
    assert_eq!(
        (reply.status, reply.json()["action"].as_str()),
        (StatusCode::ACCEPTED, Some("DELETE"))
    );
    let reply = get(&app, &format!("{base}/{id}")).await;
    assert_eq!(
        (reply.status, reply.json()["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("recordset_not_found"))
    );
}

#[tokio::test]
async fn empty_recordset_is_201_and_duplicates_collapse() {
    let (app, central, zone) = zone_app().await;
    let base = format!("/v2/zones/{zone}/recordsets");
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "empty.golden-rrsets.test.", "type": "A", "records": []}"#,
    )
    .await;
    assert_eq!(
        (reply.status, reply.json()["status"].as_str()),
        (StatusCode::CREATED, Some("ACTIVE"))
    );
    let reply = post_json(&app, &base, r#"{"name": "dup.golden-rrsets.test.", "type": "A", "records": ["192.0.2.1", "192.0.2.1"]}"#).await;
    assert_eq!(
        (reply.status, reply.json()["records"].clone()),
        (StatusCode::ACCEPTED, json!(["192.0.2.1"]))
    );
    assert_eq!(
        central.state().recordsets.last().map(|r| r.records.len()),
        Some(1)
    );
}

#[tokio::test]
async fn record_data_errors_are_structured() {
    let (app, _, zone) = zone_app().await;
    let base = format!("/v2/zones/{zone}/recordsets");
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "www.golden-errors.test.", "type": "A", "records": ["192.0.2.300"]}"#,
    )
    .await;
    assert_eq!(
        reply.body,
        format!(
            r#"{{"code": 400, "type": "invalid_object", "errors": {{"errors": [{{"path": ["records", 0], "message": "'192.0.2.300' is not a 'A' Record", "validator": "format", "validator_value": ["A"]}}]}}, "request_id": "{}"}}"#,
            reply.header("x-openstack-request-id").unwrap_or_default()
        )
    );
    assert_eq!(reply.body.len(), 244, "Content-Length of the transcript");
    let reply = post_json(&app, &base, r#"{"name": "txt.golden-rrsets.test.", "type": "TXT", "records": ["\"v=spf1 -all\"", "\"two\" \"strings\""]}"#).await;
    assert_eq!(
        errors(&reply)[0]["message"],
        r#"'"two" "strings"' is not a 'TXT' Record"#
    );
    assert_eq!(errors(&reply)[0]["path"], json!(["records", 1]));
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "www.golden-rrsets.test.", "type": "AAAA", "records": ["192.0.2.1"]}"#,
    )
    .await;
    assert_eq!(
        errors(&reply)[0]["message"],
        "'192.0.2.1' is not a 'AAAA' Record"
    );
}

#[tokio::test]
async fn type_soa_and_key_errors() {
    let (app, _, zone) = zone_app().await;
    let base = format!("/v2/zones/{zone}/recordsets");
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "lower.golden-rrsets.test.", "type": "a", "records": ["192.0.2.50"]}"#,
    )
    .await;
    assert_eq!(
        errors(&reply),
        json!([{"path": ["recordset", "type"], "message": "'a' is not a valid record type", "validator": "value", "validator_value": ["a"]}])
    );
    let reply = post_json(&app, &base, r#"{"name": "golden-rrsets.test.", "type": "SOA", "records": ["ns1.example.org. hostmaster.example.org. 1 3600 600 86400 3600"]}"#).await;
    assert_eq!(
        (
            reply.status,
            reply.json()["type"].as_str(),
            reply.json()["message"].as_str()
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("bad_request"),
            Some("Creating a SOA recordset is not allowed")
        )
    );
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "www.golden-rrsets.test.", "type": "A", "records": ["192.0.2.1"], "foo": 1}"#,
    )
    .await;
    assert_eq!(
        reply.json()["message"],
        "Provided object does not match schema. Keys ['foo'] are not valid for recordset"
    );
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "www", "type": "A", "records": ["192.0.2.1"]}"#,
    )
    .await;
    assert_eq!(
        reply.json()["message"],
        "Provided object is not valid. Got a ValueError error with message Host name www does not end with a dot"
    );
    let reply = post_json(
        &app,
        &base,
        r#"{"name": "www.example.org.", "type": "A", "records": ["192.0.2.1"]}"#,
    )
    .await;
    assert_eq!(
        reply.json()["type"],
        "invalid_recordset_location",
        "central's rule comes back as its error"
    );
}

#[tokio::test]
async fn soa_cannot_be_deleted_and_unknown_zone_is_404() {
    let (app, central, zone) = zone_app().await;
    let soa = central
        .state()
        .recordsets
        .iter()
        .find(|r| r.rr_type == "SOA")
        .and_then(|r| r.id)
        .expect("soa");
    let reply = delete(&app, &format!("/v2/zones/{zone}/recordsets/{soa}")).await;
    assert_eq!(
        (reply.status, reply.json()["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("Deleting a SOA recordset is not allowed")
        )
    );
    let reply = get(
        &app,
        "/v2/zones/3a4f6f8e-1111-2222-3333-444444444444/recordsets",
    )
    .await;
    assert_eq!(
        (reply.status, reply.json()["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("zone_not_found"))
    );
    let reply = get(
        &app,
        &format!("/v2/zones/{zone}/recordsets?sort_key=records"),
    )
    .await;
    assert_eq!(
        reply.json()["message"],
        "Sort key supplied is invalid: None"
    );
}
