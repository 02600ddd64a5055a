//! The step after commit: telling the workers (spec/services.md §5.1). It is a
//! trait so that tests can run central without a bus.
//!
//! Every commit casts its own message; concurrent changes to one zone are not
//! merged here (each cast carries the zone's serial at its commit, and a
//! worker that is already pushing a newer serial has nothing to add).

use std::future::Future;

use delegate_model::{Context, Error, Zone};
use delegate_rpc::WorkerClient;

/// A cast to the workers.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerCast {
    CreateZone(Zone),
    UpdateZone(Zone),
    DeleteZone { zone: Zone, hard_delete: bool },
}

/// Sends casts to the workers.
pub trait WorkerNotifier: Send + Sync + 'static {
    fn cast(
        &self,
        ctx: &Context,
        cast: &WorkerCast,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

/// The real notifier: casts on the bus.
pub struct BusNotifier(pub WorkerClient);

impl WorkerNotifier for BusNotifier {
    async fn cast(&self, ctx: &Context, cast: &WorkerCast) -> Result<(), Error> {
        match cast {
            WorkerCast::CreateZone(zone) => self.0.create_zone(ctx, zone).await,
            WorkerCast::UpdateZone(zone) => self.0.update_zone(ctx, zone).await,
            WorkerCast::DeleteZone { zone, hard_delete } => {
                self.0.delete_zone(ctx, zone, *hard_delete).await
            }
        }
    }
}
