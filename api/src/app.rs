//! The HTTP application: `/` (versions), `/healthcheck`, and `/v2` with its
//! request ids, JSON errors and 406 check (spec/api-v2.md §1).

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request};
use axum::http::uri::{PathAndQuery, Uri};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::Layer;
use tower::util::{MapRequest, MapRequestLayer};

use crate::central::Central;
use crate::context::Auth;
use crate::settings::{ApiSettings, MAX_REQUEST_BODY_SIZE};
use crate::{accept, health, request_id, v2, versions};

/// Shared by every handler: central, the settings and the auth strategy.
pub struct App<C> {
    pub central: Arc<C>,
    pub settings: Arc<ApiSettings>,
    pub auth: Arc<Auth>,
}

impl<C> Clone for App<C> {
    fn clone(&self) -> Self {
        App {
            central: self.central.clone(),
            settings: self.settings.clone(),
            auth: self.auth.clone(),
        }
    }
}

impl<C> FromRef<App<C>> for Arc<Auth> {
    fn from_ref(app: &App<C>) -> Self {
        app.auth.clone()
    }
}

impl<C> FromRef<App<C>> for Arc<ApiSettings> {
    fn from_ref(app: &App<C>) -> Self {
        app.settings.clone()
    }
}

/// The service to serve: the router behind the `/v2` URI normaliser.
pub type AppService = MapRequest<Router, fn(Request) -> Request>;

/// Builds the application around `central`, with `noauth` and the default policy.
pub fn app<C: Central>(central: Arc<C>, settings: ApiSettings) -> AppService {
    app_with_auth(central, settings, Auth::noauth())
}

/// Builds the application around `central` with the given strategy and policy.
pub fn app_with_auth<C: Central>(central: Arc<C>, settings: ApiSettings, auth: Auth) -> AppService {
    let state = App {
        central,
        settings: Arc::new(settings),
        auth: Arc::new(auth),
    };
    let v2 = v2::routes::<C>()
        .layer(from_fn(accept::require_json))
        .layer(from_fn(request_id::assign));
    let router = Router::new()
        .route("/", get(versions::list))
        .route("/healthcheck", get(health::get).head(health::head))
        .nest("/v2", v2)
        .fallback(not_found_page)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_SIZE))
        .with_state(state);
    // Normalising must happen before routing, so it wraps the whole router.
    MapRequestLayer::new(strip_trailing_slash as fn(Request) -> Request).layer(router)
}

/// Designate's URI normaliser: `/v2/zones/` is `/v2/zones`.
fn strip_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    if !path.starts_with("/v2/") || !path.ends_with('/') {
        return req;
    }
    let trimmed = path.trim_end_matches('/');
    let rewritten = match req.uri().query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = PathAndQuery::try_from(rewritten) {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// Outside `/v2`, unknown paths get the HTML page Designate's WSGI stack sends.
async fn not_found_page() -> Response {
    const PAGE: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
    let html = HeaderValue::from_static("text/html; charset=utf-8");
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, html)], PAGE).into_response()
}
