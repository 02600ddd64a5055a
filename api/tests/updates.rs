//! `PATCH /v2/zones/{id}` and `PUT …/recordsets/{id}` (transcripts/zones.md,
//! recordsets.md, errors.md).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn message(reply: &Reply) -> String {
    reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn patch_changes_email_ttl_and_description_and_answers_202() {
    let (app, central) = test_app();
    let id = create_zone(&app, "golden-zones-a.test.").await;
    let uri = format!("/v2/zones/{id}");
    let body = r#"{"email": "dns-admin@golden-zones-a.test", "ttl": 7200, "description": "zone A updated"}"#;
    let reply = send_json(&app, "PATCH", &uri, body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let zone = reply.json();
    assert_eq!(
        (
            &zone["email"],
            &zone["ttl"],
            &zone["description"],
            &zone["action"],
            &zone["status"]
        ),
        (
            &json!("dns-admin@golden-zones-a.test"),
            &json!(7200),
            &json!("zone A updated"),
            &json!("UPDATE"),
            &json!("PENDING")
        )
    );
    let sent = central.state().zones[0].clone();
    assert_eq!(sent.ttl, Some(7200), "central got the change");

    // Sending back the current name and type is allowed; `{}` is a no-op update.
    let same = r#"{"name": "golden-zones-a.test.", "type": "PRIMARY", "description": null}"#;
    let reply = send_json(&app, "PATCH", &uri, same).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(reply.json()["description"], json!(null));
    let reply = send_json(&app, "PATCH", &uri, "{}").await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
}

#[tokio::test]
async fn patch_errors_match_the_transcripts() {
    let (app, central) = test_app();
    let id = create_zone(&app, "golden-errors.test.").await;
    let uri = format!("/v2/zones/{id}");
    for (body, key) in [
        (r#"{"name": "renamed.test."}"#, "name"),
        (r#"{"foo": "bar"}"#, "foo"),
        (r#"{"type": "SECONDARY"}"#, "type"),
    ] {
        let reply = send_json(&app, "PATCH", &uri, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json()["type"], "invalid_object");
        assert_eq!(
            message(&reply),
            format!("Provided object does not match schema. Keys ['{key}'] are not valid for zone")
        );
        assert_eq!(
            reply.body.len(),
            186 + key.len() - 3,
            "Content-Length of the transcript"
        );
    }
    let reply = send_json(&app, "PATCH", &uri, r#"{"masters": ["192.0.2.1"]}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"]["errors"][0]["validator"], "maxItems");
    let reply = send_json(&app, "PUT", &uri, r#"{"ttl": 60}"#).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(central.state().zones[0].version, 1, "nothing changed");

    let other = axum::http::Request::builder()
        .method("PATCH")
        .uri(&uri)
        .header("host", "127.0.0.1:9001")
        .header("x-auth-project-id", "someone-else")
        .header("x-roles", "admin")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"ttl": 60}"#))
        .expect("request");
    let reply = send(&app, other).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["type"], "zone_not_found");
    assert_eq!(central.state().zones[0].ttl, Some(3600), "nothing changed");
}

#[tokio::test]
async fn patch_of_a_secondary_zone_refuses_email_and_ttl() {
    let (app, _) = test_app();
    let body = r#"{"name": "sec.test.", "type": "SECONDARY", "masters": ["192.0.2.53"]}"#;
    let reply = post_json(&app, "/v2/zones", body).await;
    let id = reply.json()["id"].as_str().expect("id").to_owned();
    let uri = format!("/v2/zones/{id}");
    let reply = send_json(&app, "PATCH", &uri, r#"{"email": "a@b.test"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["errors"]["errors"][0]["message"],
        "'email' can't be specified when type is SECONDARY"
    );
    let reply = send_json(&app, "PATCH", &uri, r#"{"masters": ["192.0.2.54:5353"]}"#).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(reply.json()["masters"], json!(["192.0.2.54:5353"]));
}

#[tokio::test]
async fn put_replaces_records_and_keeps_the_managed_rules() {
    let (app, central) = test_app();
    let zone = create_zone(&app, "golden-rrsets.test.").await;
    let base = format!("/v2/zones/{zone}/recordsets");
    let body = r#"{"name": "www.golden-rrsets.test.", "type": "A", "records": ["192.0.2.10"], "description": "web"}"#;
    let id = post_json(&app, &base, body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let uri = format!("{base}/{id}");

    let reply = send_json(
        &app,
        "PUT",
        &uri,
        r#"{"records": ["192.0.2.20"], "ttl": 600}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let rs = reply.json();
    assert_eq!(
        (
            &rs["records"],
            &rs["ttl"],
            &rs["description"],
            &rs["action"],
            &rs["version"]
        ),
        (
            &json!(["192.0.2.20"]),
            &json!(600),
            &json!("web"),
            &json!("UPDATE"),
            &json!(2)
        )
    );
    let reply = send_json(
        &app,
        "PUT",
        &uri,
        r#"{"description": "web server", "ttl": null}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let rs = reply.json();
    assert_eq!(
        (&rs["records"], &rs["ttl"], &rs["description"]),
        (&json!(["192.0.2.20"]), &json!(null), &json!("web server"))
    );

    for (body, key) in [
        (r#"{"name": "renamed.golden-rrsets.test."}"#, "name"),
        (r#"{"type": "AAAA"}"#, "type"),
        (r#"{"links": {}}"#, "links"),
    ] {
        let reply = send_json(&app, "PUT", &uri, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            message(&reply),
            format!(
                "Provided object does not match schema. Keys ['{key}'] are not valid for recordset"
            )
        );
    }
    let reply = send_json(&app, "PUT", &uri, r#"{"records": ["not-an-ip"]}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["errors"]["errors"][0]["path"],
        json!(["records", 0])
    );
    let reply = send_json(&app, "PATCH", &uri, r#"{"ttl": 900}"#).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);

    let managed: Vec<String> = central
        .state()
        .recordsets
        .iter()
        .filter(|r| r.is_managed())
        .filter_map(|r| r.id.map(|id| id.to_string()))
        .collect();
    for id in managed {
        let reply = send_json(&app, "PUT", &format!("{base}/{id}"), r#"{"ttl": 100}"#).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(message(&reply), "Managed records may not be updated");
        assert_eq!(reply.body.len(), 143, "Content-Length of the transcript");
    }
    let stored = central
        .state()
        .recordsets
        .iter()
        .find(|r| r.id.map(|i| i.to_string()) == Some(id.clone()))
        .map(|r| r.records.len());
    assert_eq!(stored, Some(1));
}

#[tokio::test]
async fn global_recordsets_list_and_redirect() {
    let (app, central) = test_app();
    let zone = create_zone(&app, "golden-rrsets.test.").await;
    let body = r#"{"name": "www.golden-rrsets.test.", "type": "A", "records": ["192.0.2.10"]}"#;
    let id = post_json(&app, &format!("/v2/zones/{zone}/recordsets"), body)
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let reply = get(&app, "/v2/recordsets?type=A&limit=2").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.json()["recordsets"].is_array());
    let paging = central.state().last_paging.clone().expect("paging");
    assert!(
        !paging.criterion.contains_key("zone_id"),
        "no zone scope: the caller's recordsets across zones"
    );
    assert_eq!(paging.criterion.get("type"), Some(&json!("A")));

    let reply = get(&app, &format!("/v2/recordsets/{id}")).await;
    assert_eq!(reply.status, StatusCode::MOVED_PERMANENTLY);
    let url = format!("http://127.0.0.1:9001/v2/zones/{zone}/recordsets/{id}");
    assert_eq!(reply.header("location"), Some(url.as_str()));
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=UTF-8")
    );
    assert_eq!(reply.body.len(), 212, "Content-Length of the transcript");

    let reply = get(&app, "/v2/recordsets/not-a-uuid").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["type"], "invalid_uuid");
    let missing = get(&app, "/v2/recordsets/0e349fa4-8e40-42c5-8b84-17635cf9eb90").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["type"], "recordset_not_found");
}

#[tokio::test]
async fn abandon_answers_204_and_tells_central_to_abandon() {
    let (app, central) = test_app();
    let id = create_zone(&app, "abandon.test.").await;
    let uri = format!("/v2/zones/{id}/tasks/abandon");
    let reply = get(&app, &uri).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = post_json(&app, &uri, "").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    let ctx = central.state().last_context.clone().expect("context");
    assert!(ctx.abandon, "central was asked to abandon, not delete");
    assert_eq!(
        central.state().zones[0].action,
        delegate_model::Action::Delete
    );
}
