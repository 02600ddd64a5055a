//! `fake`: logs the action and succeeds (spec/services.md §5.4).

use delegate_model::Zone;

use super::{Backend, BackendFuture};

pub struct Fake;

impl Backend for Fake {
    fn create_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a> {
        tracing::info!(zone = %zone.name, "fake backend: create zone");
        Box::pin(async { Ok(()) })
    }

    fn update_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a> {
        tracing::info!(zone = %zone.name, "fake backend: update zone");
        Box::pin(async { Ok(()) })
    }

    fn delete_zone<'a>(&'a self, zone: &'a Zone, hard_delete: bool) -> BackendFuture<'a> {
        tracing::info!(zone = %zone.name, hard_delete, "fake backend: delete zone");
        Box::pin(async { Ok(()) })
    }
}
