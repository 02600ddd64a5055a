//! The `keystone` strategy: what keystonemiddleware's `auth_token` does in
//! front of Designate (spec/api-v2.md §3.1), in process.
//!
//! A request's `X-Auth-Token` is validated with `GET /v3/auth/tokens`
//! (`X-Subject-Token`), authenticated by the service's own token, which it
//! gets by password from `[keystone_authtoken]` and renews a minute before it
//! expires and whenever Keystone answers 401 to it. Validated tokens are
//! cached until `min(expires_at, token_cache_time)`, so a revoked token keeps
//! working for at most `token_cache_time`, as with keystonemiddleware's
//! default cache. Every call to Keystone is bounded by
//! `http_connect_timeout` (default 5 s): Keystone down or failing is a 503,
//! never a hung request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use delegate_config::KeystoneAuthtoken;
use serde_json::{Value, json};

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub user_id: Option<String>,
    pub user_domain_id: Option<String>,
    pub project_id: Option<String>,
    pub project_domain_id: Option<String>,
    /// Set for a domain-scoped token.
    pub domain_id: Option<String>,
    pub roles: Vec<String>,
    /// `all` for a system-scoped token.
    pub system_scope: Option<String>,
    pub catalog: Vec<Value>,
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No token, or Keystone says it is invalid or expired: 401.
    Invalid,
    /// Keystone unreachable, too slow or failing: 503.
    Unavailable(String),
}

/// The parts of `[keystone_authtoken]` in use, with defaults applied.
#[derive(Debug, Clone)]
pub struct KeystoneSettings {
    /// `…/v3`.
    identity_url: String,
    username: String,
    password: String,
    project_name: String,
    user_domain_name: String,
    project_domain_name: String,
    pub www_authenticate_uri: String,
    token_cache_time: Duration,
    timeout: Duration,
}

impl KeystoneSettings {
    /// Checks that the options a password login needs are there.
    pub fn from_config(c: &KeystoneAuthtoken) -> Result<Self, String> {
        let need = |v: &Option<String>, name: &str| {
            v.clone().ok_or_else(|| {
                format!("[keystone_authtoken] {name} must be set for auth_strategy = keystone")
            })
        };
        let auth_url = need(&c.auth_url, "auth_url")?;
        let base = auth_url.trim_end_matches('/');
        let identity_url = match base.ends_with("/v3") {
            true => base.to_owned(),
            false => format!("{base}/v3"),
        };
        Ok(KeystoneSettings {
            identity_url,
            username: need(&c.username, "username")?,
            password: c
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .ok_or("[keystone_authtoken] password must be set for auth_strategy = keystone")?,
            project_name: need(&c.project_name, "project_name")?,
            user_domain_name: c.user_domain_name.clone(),
            project_domain_name: c.project_domain_name.clone(),
            // keystonemiddleware falls back to the identity endpoint.
            www_authenticate_uri: c.www_authenticate_uri.clone().unwrap_or(auth_url),
            token_cache_time: c.token_cache_time,
            timeout: c.http_connect_timeout.unwrap_or(Duration::from_secs(5)),
        })
    }
}

struct ServiceToken {
    token: String,
    renew_at: Instant,
}

struct Cached {
    identity: Arc<Identity>,
    until: Instant,
}

/// Renew the service token this long before Keystone says it expires.
const RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Bound on cached tokens; the cache is emptied of stale entries when full.
const CACHE_LIMIT: usize = 10_000;

/// The token validator.
pub struct Keystone {
    settings: KeystoneSettings,
    http: reqwest::Client,
    service: tokio::sync::Mutex<Option<ServiceToken>>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl Keystone {
    pub fn new(settings: KeystoneSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            // Keystone under gunicorn closes connections after each answer:
            // never reuse one that may be gone. Validations are cache misses.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| format!("HTTP client for Keystone: {e}"))?;
        Ok(Keystone {
            settings,
            http,
            service: tokio::sync::Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn www_authenticate_uri(&self) -> &str {
        &self.settings.www_authenticate_uri
    }

    /// The identity behind `token`, from the cache or Keystone.
    pub async fn validate(&self, token: &str) -> Result<Arc<Identity>, AuthFailure> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthFailure::Invalid);
        }
        if let Some(hit) = self.cached(token) {
            return Ok(hit);
        }
        let mut renewed = false;
        loop {
            let service = self.service_token(renewed).await?;
            let url = format!("{}/auth/tokens", self.settings.identity_url);
            let request = self
                .http
                .get(&url)
                .header("X-Auth-Token", &service)
                .header("X-Subject-Token", token);
            let response = send_with_retry(request)
                .await
                .map_err(|e| unavailable("validating a token", &e))?;
            match response.status() {
                StatusCode::OK => {
                    let body: Value = response
                        .json()
                        .await
                        .map_err(|e| unavailable("reading a token", &e))?;
                    return self.remember(token, &body);
                }
                // Not found: unknown, revoked or expired.
                StatusCode::NOT_FOUND => return Err(AuthFailure::Invalid),
                // Our own token went bad: log in again, once.
                StatusCode::UNAUTHORIZED if !renewed => renewed = true,
                status => {
                    return Err(AuthFailure::Unavailable(format!(
                        "Keystone answered {status} to a token validation"
                    )));
                }
            }
        }
    }

    fn cached(&self, token: &str) -> Option<Arc<Identity>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .get(token)
            .filter(|c| c.until > Instant::now())
            .map(|c| c.identity.clone())
    }

    fn remember(&self, token: &str, body: &Value) -> Result<Arc<Identity>, AuthFailure> {
        let t = &body["token"];
        let left = expires_in(t).ok_or(AuthFailure::Invalid)?;
        if left.is_zero() {
            return Err(AuthFailure::Invalid);
        }
        let identity = Arc::new(identity(t));
        let until = Instant::now() + left.min(self.settings.token_cache_time);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE_LIMIT {
            let now = Instant::now();
            cache.retain(|_, c| c.until > now);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
        }
        cache.insert(
            token.to_owned(),
            Cached {
                identity: identity.clone(),
                until,
            },
        );
        Ok(identity)
    }

    /// The service's own token, logging in when there is none, when it is
    /// about to expire, or when `force` (Keystone refused it).
    async fn service_token(&self, force: bool) -> Result<String, AuthFailure> {
        let mut slot = self.service.lock().await;
        if let Some(current) = slot.as_ref()
            && !force
            && current.renew_at > Instant::now()
        {
            return Ok(current.token.clone());
        }
        let s = &self.settings;
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": s.username, "password": s.password,
                "domain": {"name": s.user_domain_name}}}},
            "scope": {"project": {"name": s.project_name,
                "domain": {"name": s.project_domain_name}}}}});
        let request = self
            .http
            .post(format!("{}/auth/tokens?nocatalog", s.identity_url))
            .json(&body);
        let response = send_with_retry(request)
            .await
            .map_err(|e| unavailable("logging in as the service user", &e))?;
        if response.status() != StatusCode::CREATED {
            return Err(AuthFailure::Unavailable(format!(
                "Keystone answered {} to the service user's login (check [keystone_authtoken])",
                response.status()
            )));
        }
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| AuthFailure::Unavailable("Keystone sent no X-Subject-Token".into()))?;
        let body: Value = response
            .json()
            .await
            .map_err(|e| unavailable("reading the service token", &e))?;
        let left = expires_in(&body["token"]).unwrap_or_default();
        *slot = Some(ServiceToken {
            token: token.clone(),
            renew_at: Instant::now() + left.saturating_sub(RENEW_MARGIN),
        });
        Ok(token)
    }
}

/// Sends, and once more if the connection failed before an answer (not on
/// a timeout, which already used the whole bound): keystoneauth retries too.
async fn send_with_retry(
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let retry = request.try_clone();
    match request.send().await {
        Err(e) if !e.is_timeout() && retry.is_some() => {
            tracing::warn!(error = %chain(&e), "Keystone request failed; retrying once");
            match retry {
                Some(again) => again.send().await,
                None => Err(e),
            }
        }
        other => other,
    }
}

fn unavailable(what: &str, e: &reqwest::Error) -> AuthFailure {
    let why = chain(e);
    tracing::error!(error = %why, "Keystone unavailable while {what}");
    AuthFailure::Unavailable(format!("{what}: {why}"))
}

/// The error with its causes ("error sending request: … : connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Time left until the token's `expires_at` (zero when past).
fn expires_in(token: &Value) -> Option<Duration> {
    let at = token["expires_at"].as_str()?;
    let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let left = at.signed_duration_since(chrono::Utc::now());
    Some(left.to_std().unwrap_or_default())
}

/// The context fields of a v3 token body (keystonemiddleware's `X-*` headers).
fn identity(t: &Value) -> Identity {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let system_scope = match t.get("system") {
        Some(Value::Object(system)) if system.get("all") == Some(&Value::Bool(true)) => {
            Some("all".to_owned())
        }
        _ => None,
    };
    Identity {
        user_id: text(&t["user"]["id"]),
        user_domain_id: text(&t["user"]["domain"]["id"]),
        project_id: text(&t["project"]["id"]),
        project_domain_id: text(&t["project"]["domain"]["id"]),
        domain_id: text(&t["domain"]["id"]),
        roles: t["roles"]
            .as_array()
            .map(|roles| roles.iter().filter_map(|r| text(&r["name"])).collect())
            .unwrap_or_default(),
        system_scope,
        catalog: t["catalog"].as_array().cloned().unwrap_or_default(),
    }
}

/// keystonemiddleware's 401: its JSON body and where to authenticate.
pub fn unauthorized(www_authenticate_uri: &str) -> Response {
    const BODY: &str = r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#;
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        BODY,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("Keystone uri=\"{www_authenticate_uri}\"")) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// keystonemiddleware's 503 (webob's plain-text page).
pub fn unavailable_response() -> Response {
    const BODY: &str = "503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.\n\n The Keystone service is temporarily unavailable.  ";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=UTF-8"),
        )],
        BODY,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_scoped_token_body_gives_system_scope_and_no_project() {
        let t = json!({"user": {"id": "u", "domain": {"id": "default"}},
            "system": {"all": true}, "roles": [{"id": "1", "name": "admin"}, {"id": "2", "name": "reader"}],
            "expires_at": "2099-01-01T00:00:00.000000Z"});
        let id = identity(&t);
        assert_eq!(id.system_scope.as_deref(), Some("all"));
        assert_eq!(id.project_id, None);
        assert_eq!(id.roles, vec!["admin", "reader"]);
        assert!(expires_in(&t).is_some_and(|d| d > Duration::from_secs(3600)));
    }

    #[test]
    fn expired_tokens_are_invalid_and_live_ones_are_cached_no_longer_than_configured() {
        let config = delegate_config::Config::from_str_for_tests(
            "[keystone_authtoken]\nauth_url = http://k/\nusername = d\npassword = p\nproject_name = s\ntoken_cache_time = 1\n",
        )
        .expect("config");
        let k =
            Keystone::new(KeystoneSettings::from_config(&config.keystone_authtoken).expect("s"))
                .expect("client");
        let expired = json!({"token": {"expires_at": "2001-01-01T00:00:00.000000Z", "roles": []}});
        assert_eq!(k.remember("old", &expired), Err(AuthFailure::Invalid));
        assert!(k.cached("old").is_none());
        let live = json!({"token": {"expires_at": "2099-01-01T00:00:00.000000Z",
            "project": {"id": "p1"}, "roles": [{"name": "reader"}]}});
        let id = k.remember("new", &live).expect("valid");
        assert_eq!(id.project_id.as_deref(), Some("p1"));
        assert!(k.cached("new").is_some());
        std::thread::sleep(Duration::from_millis(1100));
        assert!(
            k.cached("new").is_none(),
            "token_cache_time bounds the cache"
        );
    }

    #[test]
    fn identity_url_accepts_the_root_or_v3() {
        let mut c = delegate_config::Config::from_str_for_tests(
            "[keystone_authtoken]\nauth_url = http://k:5000/\nusername = d\npassword = p\nproject_name = service\n",
        )
        .expect("config")
        .keystone_authtoken;
        let s = KeystoneSettings::from_config(&c).expect("settings");
        assert_eq!(s.identity_url, "http://k:5000/v3");
        assert_eq!(s.www_authenticate_uri, "http://k:5000/");
        c.auth_url = Some("http://k:5000/v3".into());
        c.www_authenticate_uri = Some("http://public/identity".into());
        let s = KeystoneSettings::from_config(&c).expect("settings");
        assert_eq!(s.identity_url, "http://k:5000/v3");
        assert_eq!(s.www_authenticate_uri, "http://public/identity");
        c.password = None;
        assert!(
            KeystoneSettings::from_config(&c)
                .unwrap_err()
                .contains("password")
        );
    }
}
