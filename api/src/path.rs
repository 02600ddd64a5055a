//! Ids in the path. Every `{…_id}` segment is checked to be UUID-like before
//! anything else happens; a bad one is `400 invalid_uuid` "Invalid UUID
//! <param>: <value>" (spec/api-v2.md §4.3).

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use delegate_model::ErrorKind;
use delegate_model::ids::parse_uuid;
use uuid::Uuid;

use crate::error::ApiError;

/// `/v2/zones/{zone_id}…`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneId(pub Uuid);

/// `/v2/zones/{zone_id}/recordsets/{recordset_id}`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSetId {
    pub zone_id: Uuid,
    pub recordset_id: Uuid,
}

impl<S: Send + Sync> FromRequestParts<S> for ZoneId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state).await?;
        Ok(ZoneId(find(&ids, "zone_id")?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RecordSetId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state).await?;
        Ok(RecordSetId {
            zone_id: find(&ids, "zone_id")?,
            recordset_id: find(&ids, "recordset_id")?,
        })
    }
}

/// All path parameters, in path order, each parsed as a UUID.
async fn path_ids<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Vec<(String, Uuid)>, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::new(ErrorKind::NotFound, Some("resource not found".into())))?;
    params
        .iter()
        .map(|(name, value)| match parse_uuid(value) {
            Some(id) => Ok((name.to_owned(), id)),
            None => Err(ApiError::new(
                ErrorKind::InvalidUuid,
                Some(format!("Invalid UUID {name}: {value}")),
            )),
        })
        .collect()
}

fn find(ids: &[(String, Uuid)], name: &str) -> Result<Uuid, ApiError> {
    ids.iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| *id)
        // A route without this parameter is a programming error, not bad input.
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::Unknown,
                Some(format!("route has no {name} parameter")),
            )
        })
}
