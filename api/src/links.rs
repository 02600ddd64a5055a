//! Links: the base URL every `links.self`, `links.next` and `Location` starts
//! with (spec/api-v2.md §2, §6.1, §6.5).
//!
//! With `enable_host_header` (the default) the base is the request's host URL,
//! `scheme://host[:port]`, the port dropped when it is the scheme's default
//! (WebOb's `host_url`). The scheme honours `X-Forwarded-Proto`; the host does
//! not follow `X-Forwarded-Host`, as Designate behind uwsgi does not
//! (transcripts/basics.md). Otherwise the base is `api_base_uri` without its
//! trailing `/`.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::HOST;
use axum::http::request::Parts;
use serde::Serialize;
use uuid::Uuid;

use crate::query::QueryPairs;
use crate::settings::ApiSettings;

/// The base URL of this request's links, e.g. `http://127.0.0.1:9001`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(pub String);

impl<S> FromRequestParts<S> for BaseUrl
where
    Arc<ApiSettings>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let settings = Arc::<ApiSettings>::from_ref(state);
        if !settings.enable_host_header {
            return Ok(BaseUrl(
                settings.api_base_uri.trim_end_matches('/').to_owned(),
            ));
        }
        Ok(BaseUrl(host_url(parts)))
    }
}

fn host_url(parts: &Parts) -> String {
    let scheme = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("http");
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{}", strip_default_port(scheme, &host))
}

fn strip_default_port<'a>(scheme: &str, host: &'a str) -> &'a str {
    let default = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return host,
    };
    host.strip_suffix(default).unwrap_or(host)
}

impl BaseUrl {
    pub fn zone(&self, zone_id: Uuid) -> String {
        format!("{}/v2/zones/{zone_id}", self.0)
    }

    pub fn recordset(&self, zone_id: Uuid, recordset_id: Uuid) -> String {
        format!("{}/v2/zones/{zone_id}/recordsets/{recordset_id}", self.0)
    }

    /// `links` of a collection page: `self` is the request path with its
    /// remaining query; `next` is present iff the page is full and adds
    /// `marker=<last id>` as the last parameter (spec/api-v2.md §6.1).
    pub fn collection(
        &self,
        path: &str,
        query: &QueryPairs,
        next_marker: Option<Uuid>,
    ) -> CollectionLinks {
        let href = |q: &QueryPairs| match q.0.is_empty() {
            true => format!("{}{path}", self.0),
            false => format!("{}{path}?{}", self.0, q.encode()),
        };
        let next = next_marker.map(|id| {
            let mut q = query.clone();
            q.set_last("marker", &id.to_string());
            href(&q)
        });
        CollectionLinks {
            self_href: href(query),
            next,
        }
    }
}

/// The `links` object of a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionLinks {
    #[serde(rename = "self")]
    pub self_href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The `links` object of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfLink {
    #[serde(rename = "self")]
    pub self_href: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut req = Request::builder().uri("/v2/zones");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(()).expect("request").into_parts().0
    }

    #[test]
    fn host_url_follows_host_and_forwarded_proto_only() {
        assert_eq!(
            host_url(&parts(&[("host", "dns.example.org:8080")])),
            "http://dns.example.org:8080"
        );
        let forwarded = parts(&[
            ("host", "127.0.0.1:9001"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "dns.example.org"),
        ]);
        assert_eq!(host_url(&forwarded), "https://127.0.0.1:9001");
        assert_eq!(
            host_url(&parts(&[("host", "example.org:80")])),
            "http://example.org"
        );
    }

    #[test]
    fn next_link_appends_the_marker_last() {
        let base = BaseUrl("http://h".into());
        let id = Uuid::nil();
        let q = QueryPairs::parse(Some("limit=1&marker=x&sort_key=name"));
        let links = base.collection("/v2/zones", &q, Some(id));
        assert_eq!(
            links.self_href,
            "http://h/v2/zones?limit=1&marker=x&sort_key=name"
        );
        assert_eq!(
            links.next.as_deref(),
            Some(
                "http://h/v2/zones?limit=1&sort_key=name&marker=00000000-0000-0000-0000-000000000000"
            )
        );
        assert_eq!(
            base.collection("/v2/zones", &QueryPairs::default(), None)
                .self_href,
            "http://h/v2/zones"
        );
    }
}
