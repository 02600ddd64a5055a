//! The keystone strategy against a fake Keystone (an axum server on
//! loopback): the service token's life cycle, the token cache, and what
//! Keystone's failures become. The real Keystone is driven in
//! tests/tests/keystone.rs.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use common::*;
use delegate_api::{ApiSettings, Auth, Keystone, KeystoneSettings, app_with_auth};
use serde_json::json;

/// What the fake Keystone does and has seen.
#[derive(Default)]
struct Fake {
    logins: AtomicUsize,
    validations: AtomicUsize,
    /// Seconds the next service token lives.
    service_ttl: Mutex<i64>,
    /// Service tokens it no longer accepts (answers 401 to).
    revoked: Mutex<Vec<String>>,
    /// Answer 500 to validations.
    failing: Mutex<bool>,
}

fn expiry(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

async fn login(State(fake): State<Arc<Fake>>) -> Response {
    let n = fake.logins.fetch_add(1, Ordering::SeqCst) + 1;
    let ttl = *fake.service_ttl.lock().expect("lock");
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({"token": {"expires_at": expiry(ttl)}})),
    )
        .into_response();
    let token = format!("service-{n}");
    response
        .headers_mut()
        .insert("x-subject-token", token.parse().expect("header"));
    response
}

async fn validate(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    fake.validations.fetch_add(1, Ordering::SeqCst);
    if *fake.failing.lock().expect("lock") {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let service = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if fake
        .revoked
        .lock()
        .expect("lock")
        .iter()
        .any(|t| t == service)
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match headers.get("x-subject-token").and_then(|v| v.to_str().ok()) {
        Some("good") => axum::Json(json!({"token": {
            "expires_at": expiry(3600),
            "user": {"id": "u1", "domain": {"id": "default"}},
            "project": {"id": "p1", "domain": {"id": "default"}},
            "roles": [{"name": "reader"}, {"name": "member"}]}}))
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A fake Keystone on a free port and the API in front of it.
async fn setup(cache_seconds: u32) -> (Arc<Fake>, delegate_api::AppService, FakeCentral) {
    let fake = Arc::new(Fake {
        service_ttl: Mutex::new(3600),
        ..Fake::default()
    });
    let router = Router::new()
        .route("/v3/auth/tokens", post(login).get(validate))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let config = delegate_config::Config::from_str_for_tests(&format!(
        "[keystone_authtoken]\nauth_url = http://127.0.0.1:{port}\nusername = designate\n\
         password = secret\nproject_name = service\ntoken_cache_time = {cache_seconds}\n\
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
    let app = app_with_auth(Arc::new(central.clone()), ApiSettings::default(), auth);
    (fake, app, central)
}

async fn zones_with(app: &delegate_api::AppService, token: &str) -> StatusCode {
    let req = Request::get("/v2/zones")
        .header("x-auth-token", token)
        .body(Body::empty())
        .expect("request");
    send(app, req).await.status
}

#[tokio::test]
async fn valid_tokens_are_cached_and_invalid_ones_are_401() {
    let (fake, app, _) = setup(300).await;
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(
        fake.validations.load(Ordering::SeqCst),
        1,
        "second use from the cache"
    );
    assert_eq!(fake.logins.load(Ordering::SeqCst), 1);
    assert_eq!(zones_with(&app, "bad").await, StatusCode::UNAUTHORIZED);
    // Invalid tokens are not cached: asked again each time.
    assert_eq!(zones_with(&app, "bad").await, StatusCode::UNAUTHORIZED);
    assert_eq!(fake.validations.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_service_token_is_replaced_and_the_request_retried() {
    let (fake, app, _) = setup(0).await;
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    fake.revoked.lock().expect("lock").push("service-1".into());
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        2,
        "logged in again after the 401"
    );
    // If even the new one is refused, Keystone is failing us: 503.
    fake.revoked.lock().expect("lock").push("service-2".into());
    fake.revoked.lock().expect("lock").push("service-3".into());
    assert_eq!(
        zones_with(&app, "good").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn the_service_token_is_renewed_before_it_expires() {
    let (fake, app, _) = setup(0).await;
    // A service token that expires within the renewal margin.
    *fake.service_ttl.lock().expect("lock") = 30;
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(fake.logins.load(Ordering::SeqCst), 2, "renewed, not reused");
    *fake.service_ttl.lock().expect("lock") = 3600;
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        3,
        "a long-lived one is kept"
    );
}

#[tokio::test]
async fn keystone_errors_are_503() {
    let (fake, app, _) = setup(300).await;
    *fake.failing.lock().expect("lock") = true;
    assert_eq!(
        zones_with(&app, "good").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    *fake.failing.lock().expect("lock") = false;
    assert_eq!(zones_with(&app, "good").await, StatusCode::OK);
}
