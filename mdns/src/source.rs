//! Where mdns reads zones from: a trait, so that the DNS logic can be tested
//! against zones held in memory, and its implementation over MySQL
//! ([`DbSource`], the queries of `delegate_storage::serving`).

use std::future::Future;

use delegate_storage::Storage;
use delegate_storage::error::StorageError;
use delegate_storage::serving;
use futures::StreamExt;
use futures::stream::BoxStream;

pub use delegate_storage::serving::{ServedRecord, ServedRecordSet, ServedZone, ZoneScope};

/// A failure to read zone data (the database is down, a row is unreadable).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SourceError(Box<dyn std::error::Error + Send + Sync>);

impl SourceError {
    pub fn new(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SourceError(err.into())
    }
}

impl From<StorageError> for SourceError {
    fn from(err: StorageError) -> Self {
        SourceError::new(err)
    }
}

/// The read queries mdns needs (spec/storage.md §3.4). Zones are live ones only
/// (not soft-deleted), restricted to `scope`.
pub trait ZoneSource: Send + Sync + 'static {
    /// The longest of `names` that is a zone in `scope`.
    fn find_zone(
        &self,
        names: &[String],
        scope: ZoneScope,
    ) -> impl Future<Output = Result<Option<ServedZone>, SourceError>> + Send;

    /// The zone's SOA record(s), normally exactly one.
    fn soa(
        &self,
        zone: &ServedZone,
    ) -> impl Future<Output = Result<Vec<ServedRecord>, SourceError>> + Send;

    /// The recordset `(zone, name, type)`, with its records whose action is not `DELETE`.
    fn recordset(
        &self,
        zone: &ServedZone,
        name: &str,
        rtype: &str,
    ) -> impl Future<Output = Result<Option<ServedRecordSet>, SourceError>> + Send;

    /// Every non-SOA record of the zone whose action is not `DELETE`, ordered by
    /// recordset, streamed.
    fn records<'a>(
        &'a self,
        zone: &'a ServedZone,
    ) -> BoxStream<'a, Result<ServedRecord, SourceError>>;
}

/// Zones from the Delegate (or Designate) database.
#[derive(Clone, Debug)]
pub struct DbSource {
    storage: Storage,
}

impl DbSource {
    pub fn new(storage: Storage) -> Self {
        DbSource { storage }
    }
}

impl ZoneSource for DbSource {
    async fn find_zone(
        &self,
        names: &[String],
        scope: ZoneScope,
    ) -> Result<Option<ServedZone>, SourceError> {
        Ok(serving::find_closest_zone(&self.storage, names, scope).await?)
    }

    async fn soa(&self, zone: &ServedZone) -> Result<Vec<ServedRecord>, SourceError> {
        Ok(serving::soa_records(&self.storage, &zone.id).await?)
    }

    async fn recordset(
        &self,
        zone: &ServedZone,
        name: &str,
        rtype: &str,
    ) -> Result<Option<ServedRecordSet>, SourceError> {
        Ok(serving::find_recordset(&self.storage, &zone.id, name, rtype).await?)
    }

    fn records<'a>(
        &'a self,
        zone: &'a ServedZone,
    ) -> BoxStream<'a, Result<ServedRecord, SourceError>> {
        serving::zone_records(&self.storage, &zone.id)
            .map(|row| row.map_err(SourceError::from))
            .boxed()
    }
}

/// Zones held in memory, for tests of the DNS logic.
#[cfg(test)]
pub mod memory {
    use super::*;

    /// One zone with its records (the SOA among them).
    #[derive(Debug, Clone)]
    pub struct MemoryZone {
        pub zone: ServedZone,
        pub pool_id: uuid::Uuid,
        pub records: Vec<ServedRecord>,
    }

    #[derive(Debug, Default)]
    pub struct MemorySource {
        pub zones: Vec<MemoryZone>,
        /// When set, every call fails (a database outage).
        pub broken: bool,
    }

    impl MemorySource {
        fn check(&self) -> Result<(), SourceError> {
            if self.broken {
                Err(SourceError::new("database unavailable"))
            } else {
                Ok(())
            }
        }

        fn zone(&self, zone: &ServedZone) -> Option<&MemoryZone> {
            self.zones.iter().find(|z| z.zone.id == zone.id)
        }

        /// The zone's records, none for an unknown zone.
        fn records_of(&self, zone: &ServedZone) -> &[ServedRecord] {
            self.zone(zone)
                .map(|z| z.records.as_slice())
                .unwrap_or_default()
        }

        fn in_scope(z: &MemoryZone, scope: ZoneScope) -> bool {
            match scope {
                ZoneScope::Pool(id) => z.pool_id == id,
                ZoneScope::Zone(id) => z.zone.id == id,
            }
        }
    }

    impl ZoneSource for MemorySource {
        async fn find_zone(
            &self,
            names: &[String],
            scope: ZoneScope,
        ) -> Result<Option<ServedZone>, SourceError> {
            self.check()?;
            let found = self
                .zones
                .iter()
                .filter(|z| Self::in_scope(z, scope))
                .filter(|z| names.iter().any(|n| n.eq_ignore_ascii_case(&z.zone.name)))
                .max_by_key(|z| z.zone.name.len());
            Ok(found.map(|z| z.zone.clone()))
        }

        async fn soa(&self, zone: &ServedZone) -> Result<Vec<ServedRecord>, SourceError> {
            self.check()?;
            let records = self.records_of(zone);
            Ok(records
                .iter()
                .filter(|r| r.rtype == "SOA")
                .cloned()
                .collect())
        }

        async fn recordset(
            &self,
            zone: &ServedZone,
            name: &str,
            rtype: &str,
        ) -> Result<Option<ServedRecordSet>, SourceError> {
            self.check()?;
            let records = self.records_of(zone);
            let matching: Vec<&ServedRecord> = records
                .iter()
                .filter(|r| r.rtype == rtype && r.name.eq_ignore_ascii_case(name))
                .collect();
            Ok(matching.first().map(|first| ServedRecordSet {
                ttl: first.ttl,
                data: matching.iter().map(|r| r.data.clone()).collect(),
            }))
        }

        fn records<'a>(
            &'a self,
            zone: &'a ServedZone,
        ) -> BoxStream<'a, Result<ServedRecord, SourceError>> {
            let records = self.records_of(zone).to_vec();
            let broken = self.broken;
            futures::stream::iter(
                records
                    .into_iter()
                    .filter(|r| r.rtype != "SOA")
                    .map(move |r| {
                        if broken {
                            Err(SourceError::new("database unavailable"))
                        } else {
                            Ok(r)
                        }
                    }),
            )
            .boxed()
        }
    }
}
