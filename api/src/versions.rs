//! `GET /`: the version discovery document (spec/api-v2.md §2). openstacksdk
//! reads it to find the v2 endpoint.
//!
//! Designate serves it from a small Flask app, so it is Flask's `jsonify`
//! output: keys sorted, compact separators and a final newline.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::links::BaseUrl;

/// `(id, status, updated)` of every advertised version.
const VERSIONS: &[(&str, &str, &str)] = &[
    ("v2", "SUPPORTED", "2022-06-29T00:00:00Z"),
    ("v2.0", "SUPPORTED", "2022-06-29T00:00:00Z"),
    ("v2.1", "SUPPORTED", "2023-01-25T00:00:00Z"),
    ("v2.2", "SUPPORTED", "2025-08-25T00:00:00Z"),
    ("v2.3", "SUPPORTED", "2026-04-06T00:00:00Z"),
    ("v2.4", "CURRENT", "2026-04-13T00:00:00Z"),
];

const HELP: &str = "https://docs.openstack.org/api-ref/dns";

#[derive(Serialize)]
struct Versions {
    versions: Vec<Version>,
}

#[derive(Serialize)]
struct Version {
    id: &'static str,
    links: [Link; 2],
    status: &'static str,
    updated: &'static str,
}

#[derive(Serialize)]
struct Link {
    href: String,
    rel: &'static str,
}

pub async fn list(base: BaseUrl) -> Response {
    let versions = VERSIONS
        .iter()
        .map(|(id, status, updated)| Version {
            id,
            links: [
                Link {
                    href: format!("{}/v2", base.0),
                    rel: "self",
                },
                Link {
                    href: HELP.into(),
                    rel: "help",
                },
            ],
            status,
            updated,
        })
        .collect();
    match serde_json::to_vec(&Versions { versions }) {
        Ok(mut body) => {
            body.push(b'\n');
            let json = HeaderValue::from_static("application/json");
            (StatusCode::OK, [(header::CONTENT_TYPE, json)], body).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise the version document");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
