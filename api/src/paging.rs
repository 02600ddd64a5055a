//! Collection queries (spec/api-v2.md §6.2–§6.4): `limit`, `marker`,
//! `sort_key`, `sort_dir`, and the per-collection filter whitelist.
//! Checked in Designate's order: limit, sort direction, sort key, then the
//! filters (duplicates before unknown ones), then the marker's form (whether
//! it exists is central's question: `marker_not_found`).

use delegate_model::ids::parse_uuid;
use delegate_model::{Context, Error, ErrorKind};
use delegate_rpc::Paging;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::context::CONTEXT_PARAMS;
use crate::query::QueryPairs;
use crate::settings::ApiSettings;
use delegate_dns::pycompat;

/// What a collection accepts.
pub struct CollectionSpec {
    pub filters: &'static [&'static str],
    pub sort_keys: &'static [&'static str],
}

pub const ZONES: CollectionSpec = CollectionSpec {
    filters: &["name", "type", "email", "status", "description", "ttl"],
    sort_keys: &[
        "created_at",
        "id",
        "updated_at",
        "name",
        "tenant_id",
        "serial",
        "ttl",
        "status",
    ],
};

pub const RECORDSETS: CollectionSpec = CollectionSpec {
    filters: &["name", "type", "ttl", "data", "status", "description"],
    sort_keys: &[
        "created_at",
        "id",
        "updated_at",
        "zone_id",
        "tenant_id",
        "name",
        "type",
        "ttl",
        "records",
    ],
};

/// The query of a collection request without the context flags: what filters
/// see and what links repeat.
pub fn list_query(raw: Option<&str>) -> QueryPairs {
    let mut query = QueryPairs::parse(raw);
    for param in CONTEXT_PARAMS {
        query.take(param);
    }
    query
}

/// The arguments of a `find_*` call and the page size.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub paging: Paging,
    pub limit: u64,
}

impl Page {
    /// The marker of `links.next`: the last id, when the page is full.
    pub fn next_marker(&self, ids: &[Option<Uuid>]) -> Option<Uuid> {
        match ids.len() as u64 == self.limit {
            true => ids.last().copied().flatten(),
            false => None,
        }
    }
}

/// Validates the query of a collection request.
pub fn page(
    query: &QueryPairs,
    spec: &CollectionSpec,
    settings: &ApiSettings,
    ctx: &Context,
) -> Result<Page, Error> {
    let mut params = query.clone();
    let marker = params.take("marker").filter(|m| !m.is_empty());
    let limit = limit(params.take("limit"), settings)?;
    let sort_dir = params.take("sort_dir").filter(|d| !d.is_empty());
    let sort_key = params.take("sort_key").filter(|k| !k.is_empty());
    if sort_dir
        .as_deref()
        .is_some_and(|d| d != "asc" && d != "desc")
    {
        return Err(Error::new(
            ErrorKind::InvalidSortDir,
            "Unknown sort direction, must be 'desc' or 'asc'",
        ));
    }
    let sort_key = sort_key_of(sort_key, spec, ctx)?;
    let criterion = criterion(&params, spec)?;
    if marker.as_deref().is_some_and(|m| parse_uuid(m).is_none()) {
        return Err(Error::bare(ErrorKind::InvalidMarker));
    }
    let paging = Paging {
        criterion,
        marker,
        limit: Some(u32::try_from(limit).unwrap_or(u32::MAX)),
        sort_key,
        sort_dir,
    };
    Ok(Page { paging, limit })
}

/// `limit`: default, `max`, or an integer ≥ 1 (values above the maximum are
/// not refused, as in Designate).
fn limit(raw: Option<String>, settings: &ApiSettings) -> Result<u64, Error> {
    let max = settings.max_limit;
    match raw.as_deref() {
        None | Some("") => Ok(u64::from(settings.default_limit)),
        Some(text) if text.eq_ignore_ascii_case("max") => Ok(u64::from(max)),
        Some(text) => pycompat::int(text)
            .filter(|n| *n >= 1)
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidLimit,
                    format!("limit should be an integer between 1 and {max}"),
                )
            }),
    }
}

fn sort_key_of(
    key: Option<String>,
    spec: &CollectionSpec,
    ctx: &Context,
) -> Result<Option<String>, Error> {
    let Some(key) = key else { return Ok(None) };
    if !spec.sort_keys.contains(&key.as_str()) {
        let keys: Vec<String> = spec.sort_keys.iter().map(|k| format!("'{k}'")).collect();
        return Err(Error::new(
            ErrorKind::InvalidSortKey,
            format!("sort key must be one of [{}]", keys.join(", ")),
        ));
    }
    match key.as_str() {
        // Accepted by the API but refused by Designate's storage, with this message.
        "records" => Err(Error::new(
            ErrorKind::InvalidSortKey,
            "Sort key supplied is invalid: None",
        )),
        // Sorting by owner only makes sense across projects.
        "tenant_id" if !ctx.all_tenants => Ok(None),
        _ => Ok(Some(key)),
    }
}

/// The filters as a storage criterion; `*` becomes the LIKE wildcard `%`.
fn criterion(params: &QueryPairs, spec: &CollectionSpec) -> Result<Map<String, Value>, Error> {
    let mut seen: Vec<&str> = Vec::new();
    let mut duplicates: Vec<&str> = Vec::new();
    for (key, _) in &params.0 {
        if seen.contains(&key.as_str()) {
            if !duplicates.contains(&key.as_str()) {
                duplicates.push(key);
            }
        } else {
            seen.push(key);
        }
    }
    if !duplicates.is_empty() {
        return Err(Error::bad_request(format!(
            "Duplicate filters {}",
            duplicates.join(", ")
        )));
    }
    let invalid: Vec<&str> = seen
        .iter()
        .copied()
        .filter(|k| !spec.filters.contains(k))
        .collect();
    if !invalid.is_empty() {
        return Err(Error::bad_request(format!(
            "Invalid filters {}",
            invalid.join(", ")
        )));
    }
    Ok(params
        .0
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.replace('*', "%"))))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, spec: &CollectionSpec) -> Result<Page, Error> {
        page(
            &list_query(Some(query)),
            spec,
            &ApiSettings::default(),
            &Context::default(),
        )
    }

    fn refusal(query: &str) -> (String, Option<String>) {
        let e = run(query, &ZONES).expect_err("refused");
        (e.kind.error_type().to_owned(), e.message)
    }

    #[test]
    fn limits_follow_designate() {
        assert_eq!(run("", &ZONES).expect("page").limit, 20);
        assert_eq!(run("limit=max", &ZONES).expect("page").limit, 1000);
        assert_eq!(run("limit=1001", &ZONES).expect("page").limit, 1001);
        for bad in ["limit=abc", "limit=0", "limit=-1"] {
            let (kind, msg) = refusal(bad);
            assert_eq!(
                (kind.as_str(), msg.as_deref()),
                (
                    "invalid_limit",
                    Some("limit should be an integer between 1 and 1000")
                )
            );
        }
    }

    #[test]
    fn sort_and_marker_errors_follow_designate() {
        assert_eq!(
            refusal("sort_dir=DESC").1.as_deref(),
            Some("Unknown sort direction, must be 'desc' or 'asc'")
        );
        assert_eq!(
            refusal("sort_key=email").1.as_deref(),
            Some(
                "sort key must be one of ['created_at', 'id', 'updated_at', 'name', 'tenant_id', 'serial', 'ttl', 'status']"
            )
        );
        assert_eq!(
            refusal("marker=not-a-uuid"),
            ("invalid_marker".into(), None)
        );
        let e = run("sort_key=records", &RECORDSETS).expect_err("refused");
        assert_eq!(
            e.message.as_deref(),
            Some("Sort key supplied is invalid: None")
        );
        assert_eq!(
            run("sort_key=tenant_id", &ZONES)
                .expect("page")
                .paging
                .sort_key,
            None
        );
    }

    #[test]
    fn filters_are_whitelisted_and_wildcards_translated() {
        assert_eq!(
            refusal("foo=bar&zap=1").1.as_deref(),
            Some("Invalid filters foo, zap")
        );
        assert_eq!(
            refusal("foo=1&name=a&name=b").1.as_deref(),
            Some("Duplicate filters name")
        );
        let page = run("name=*zones-b*&all_projects=true&limit=2", &ZONES).expect("page");
        assert_eq!(
            page.paging.criterion.get("name"),
            Some(&Value::String("%zones-b%".into()))
        );
        assert_eq!(page.paging.criterion.len(), 1);
    }
}
