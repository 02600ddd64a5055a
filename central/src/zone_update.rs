//! Zone update (PATCH, spec/api-v2.md §7.5, spec/domain-rules.md §2.4).
//!
//! Delegate bumps the serial in the same transaction (as recordset changes
//! do, see [`crate::serial`]) instead of flagging the zone for the producer,
//! so the SOA carries the new email at once and the workers are told after
//! commit.

use delegate_model::{Action, Context, Error, Zone};
use delegate_storage::retry::on_deadlock;
use delegate_storage::zones;

use crate::access;
use crate::notify::{WorkerCast, WorkerNotifier};
use crate::serial;
use crate::service::Central;
use crate::txn::{OpError, refuse};

impl<N: WorkerNotifier> Central<N> {
    /// Saves what `input` changes of the stored zone (email, ttl,
    /// description, masters, attributes), bumps the serial,
    /// rebuilds the SOA and casts `update_zone`.
    pub(crate) async fn update_zone_op(&self, ctx: &Context, input: Zone) -> Result<Zone, Error> {
        let zone_id = input
            .id
            .ok_or_else(|| Error::bad_request("update_zone: zone without id"))?;
        let zone = on_deadlock(|| self.update_zone_once(ctx, zone_id, &input)).await?;
        self.push(ctx, vec![WorkerCast::UpdateZone(zone.clone())])
            .await;
        Ok(zone)
    }

    async fn update_zone_once(
        &self,
        ctx: &Context,
        zone_id: uuid::Uuid,
        input: &Zone,
    ) -> Result<Zone, OpError> {
        let mut tx = self.storage.begin().await?;
        let mut zone = zones::lock(&mut tx, zone_id).await?;
        let shared = access::visible_shared(&mut tx, ctx, &zone).await?;
        access::forbid_catalog(zone.zone_type)?;
        // The policy sees the stored owner and name, not the requested ones.
        let target = access::zone_target(&zone, shared);
        access::enforce(&self.settings.policy, "update_zone", ctx, &target)?;
        if zone.action == Action::Delete {
            return refuse(Error::bad_request("Can not update a deleting zone"));
        }
        if input.tenant_id != zone.tenant_id {
            return refuse(Error::bad_request(
                "Moving a zone between tenants is not allowed",
            ));
        }
        if input.name != zone.name {
            return refuse(Error::bad_request("Renaming a zone is not allowed"));
        }
        if input.ttl != zone.ttl {
            self.check_ttl(ctx, input.ttl.map_or(0, i64::from))?;
        }
        let masters_changed = input.masters != zone.masters;
        let attributes_changed = input.attributes != zone.attributes;
        zone.email = input.email.clone();
        zone.ttl = input.ttl;
        zone.description = input.description.clone();
        // `pool_id` is not taken: Designate writes the column without moving
        // the zone, which would leave it served by the wrong pool.
        if attributes_changed {
            // Designate resets it when attributes change (meant for masters).
            zone.transferred_at = None;
            zone.attributes = input.attributes.clone();
            zones::replace_attributes(&mut tx, zone_id, &zone.attributes).await?;
        }
        if masters_changed {
            zone.masters = input.masters.clone();
            zones::replace_masters(&mut tx, zone_id, &zone.masters).await?;
        }
        serial::bump(&mut zone);
        serial::save_bumped(&mut tx, &mut zone).await?;
        delegate_storage::commit(tx).await?;
        Ok(zone)
    }
}
