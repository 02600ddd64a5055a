//! Reports from the workers and heartbeats from every service
//! (spec/domain-rules.md §7.3, spec/services.md §9).

use delegate_model::{Action, Context, Error, ReportStatus, ServiceStatus, Status};
use delegate_storage::retry::on_deadlock;
use delegate_storage::{MySqlConnection, records, service_statuses, zones};
use uuid::Uuid;

use crate::notify::WorkerNotifier;
use crate::service::Central;
use crate::txn::{OpError, refuse};

impl<N: WorkerNotifier> Central<N> {
    /// Applies a worker's report on a zone: its status/action and those of
    /// its records; a finished deletion soft-deletes the zone.
    pub(crate) async fn update_status_op(
        &self,
        zone_id: Uuid,
        status: ReportStatus,
        serial: i64,
        action: Option<Action>,
    ) -> Result<(), Error> {
        on_deadlock(|| self.update_status_once(zone_id, status, serial, action)).await?;
        Ok(())
    }

    async fn update_status_once(
        &self,
        zone_id: Uuid,
        reported: ReportStatus,
        serial: i64,
        action: Option<Action>,
    ) -> Result<(), OpError> {
        let mut tx = self.storage.begin().await?;
        let mut zone = zones::lock(&mut tx, zone_id).await?;
        let mut report = reported;
        // A report about another action than the zone's current one (an older
        // change) leaves the zone alone; its records are still settled.
        if action.is_none_or(|a| a == zone.action) {
            // Any report finishes a deletion, unless the zone already failed.
            if zone.action == Action::Delete && zone.status != Status::Error {
                report = ReportStatus::NoZone;
            }
            (zone.status, zone.action) = zone_outcome(&zone_state(&zone), report, serial);
        }
        settle_records(&mut tx, zone_id, report, serial).await?;
        if zone.status == Status::Deleted {
            zones::soft_delete(&mut tx, &mut zone).await?;
        } else {
            // Saved even when nothing changed (version + 1), as Designate does.
            zones::update(&mut tx, &mut zone).await?;
        }
        delegate_storage::commit(tx).await?;
        Ok(())
    }

    /// Upserts a heartbeat by `(service_name, hostname)`.
    pub(crate) async fn update_service_status_op(
        &self,
        _ctx: &Context,
        status: ServiceStatus,
    ) -> Result<(), Error> {
        let once = || async {
            if status.service_name.is_empty() || status.hostname.is_empty() {
                return refuse(Error::bad_request("service_name and hostname are required"));
            }
            if !service_statuses::STATUSES.contains(&status.status.as_str()) {
                return refuse(Error::bad_request(format!(
                    "invalid service status {:?}",
                    status.status
                )));
            }
            let mut conn = self.storage.acquire().await?;
            service_statuses::upsert(&mut conn, &status).await?;
            Ok::<_, OpError>(())
        };
        on_deadlock(once).await?;
        Ok(())
    }

    /// Service statuses matching `criterion`; admin only (the producer's
    /// status tasks run with an admin context).
    pub(crate) async fn find_service_statuses_op(
        &self,
        ctx: &Context,
        criterion: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Vec<ServiceStatus>, Error> {
        require_admin(ctx)?;
        let read = async {
            let mut conn = self.storage.acquire().await?;
            Ok::<_, OpError>(service_statuses::find(&mut conn, &criterion).await?)
        };
        Ok(read.await?)
    }

    /// Deletes one service status (already gone is fine: two clean-ups may race).
    pub(crate) async fn delete_service_status_op(
        &self,
        ctx: &Context,
        id: uuid::Uuid,
    ) -> Result<(), Error> {
        require_admin(ctx)?;
        let write = async {
            let mut conn = self.storage.acquire().await?;
            service_statuses::delete(&mut conn, id).await?;
            Ok::<_, OpError>(())
        };
        Ok(write.await?)
    }
}

pub(crate) fn require_admin(ctx: &Context) -> Result<(), Error> {
    if ctx.is_admin {
        Ok(())
    } else {
        // Bare, as oslo.policy's refusal renders (transcripts/admin.md).
        Err(Error::bare(delegate_model::ErrorKind::Forbidden))
    }
}

/// The zone columns a report is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZoneState {
    pub status: Status,
    pub action: Action,
    pub serial: i64,
}

fn zone_state(zone: &delegate_model::Zone) -> ZoneState {
    ZoneState {
        status: zone.status,
        action: zone.action,
        serial: zone.serial,
    }
}

/// The zone's new `(status, action)` after a report (spec/domain-rules.md
/// §7.3 step 3).
pub(crate) fn zone_outcome(
    zone: &ZoneState,
    report: ReportStatus,
    serial: i64,
) -> (Status, Action) {
    let unchanged = (zone.status, zone.action);
    match report {
        ReportStatus::Success => {
            if !matches!(zone.status, Status::Pending | Status::Error) || serial < zone.serial {
                return unchanged;
            }
            match zone.action {
                Action::Create | Action::Update => (Status::Active, Action::None),
                Action::Delete => (Status::Deleted, Action::None),
                Action::None => unchanged,
            }
        }
        ReportStatus::Error => {
            if zone.status == Status::Pending && (serial >= zone.serial || serial == 0) {
                (Status::Error, zone.action)
            } else {
                unchanged
            }
        }
        ReportStatus::NoZone => match zone.action {
            Action::Create | Action::Update => (Status::Error, Action::Create),
            Action::Delete => (Status::Deleted, Action::None),
            Action::None => unchanged,
        },
    }
}

/// Step 4: the zone's records after a report.
async fn settle_records(
    conn: &mut MySqlConnection,
    zone_id: Uuid,
    report: ReportStatus,
    serial: i64,
) -> Result<(), OpError> {
    match report {
        ReportStatus::Success => records::confirm(conn, zone_id, serial).await?,
        ReportStatus::Error if serial == 0 => records::fail_pending(conn, zone_id, None).await?,
        ReportStatus::Error => records::fail_pending(conn, zone_id, Some(serial)).await?,
        ReportStatus::NoZone => records::fail_missing_zone(conn, zone_id).await?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Create, Delete, None as NoAction, Update};
    use ReportStatus::{Error as Failed, NoZone, Success};
    use Status::{Active, Deleted, Error as Errored, Pending};

    /// spec/domain-rules.md §7.3 step 3, case by case.
    #[test]
    fn zone_outcomes_follow_the_state_table() {
        let cases = [
            // (status, action, zone serial), report, reported serial → result
            ((Pending, Create, 10), Success, 10, (Active, NoAction)),
            ((Pending, Update, 10), Success, 11, (Active, NoAction)),
            ((Errored, Update, 10), Success, 10, (Active, NoAction)),
            ((Pending, Update, 10), Success, 9, (Pending, Update)),
            ((Active, NoAction, 10), Success, 10, (Active, NoAction)),
            ((Pending, Delete, 10), Success, 0, (Pending, Delete)),
            ((Pending, Update, 10), Failed, 10, (Errored, Update)),
            ((Pending, Create, 10), Failed, 0, (Errored, Create)),
            ((Pending, Update, 10), Failed, 9, (Pending, Update)),
            ((Active, NoAction, 10), Failed, 10, (Active, NoAction)),
            ((Pending, Create, 10), NoZone, 0, (Errored, Create)),
            ((Pending, Update, 10), NoZone, 0, (Errored, Create)),
            ((Pending, Delete, 10), NoZone, 0, (Deleted, NoAction)),
            ((Errored, Delete, 10), NoZone, 0, (Deleted, NoAction)),
        ];
        for ((status, action, zone_serial), report, serial, expected) in cases {
            let zone = ZoneState {
                status,
                action,
                serial: zone_serial,
            };
            assert_eq!(
                zone_outcome(&zone, report, serial),
                expected,
                "{zone:?} {report:?} {serial}"
            );
        }
    }
}
