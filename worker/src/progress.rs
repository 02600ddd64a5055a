//! Is a zone job still worth running? Asked of the database before a job
//! starts and between polling rounds: this is what coalesces updates across
//! worker processes (a later serial supersedes an earlier one wherever it is
//! queued), and what Designate's "is the current action still valid?"
//! (spec/services.md §5.2 step 5) asks of central.
//!
//! It relies on central's invariant: every commit that bumps a zone's serial
//! or marks it for deletion casts its own message after the commit. A job
//! whose serial is older than the zone's therefore has a newer message
//! somewhere, unacknowledged until it is served; and recovery re-drives a
//! zone whose message was lost (central died between commit and cast).

use std::time::Duration;

use delegate_model::{Action, Status, time};
use delegate_storage::zones::ZoneProgress;

use crate::queue::ZoneJob;

/// Whether a job should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relevance {
    Current,
    /// Nothing to do; the reason is logged.
    Superseded(&'static str),
}

/// The relevance of `job` given where its zone stands (`None`: purged).
pub fn relevance(job: &ZoneJob, now: Option<&ZoneProgress>) -> Relevance {
    let Some(zone) = now else {
        return Relevance::Superseded("zone purged");
    };
    if zone.deleted {
        return Relevance::Superseded("zone already deleted");
    }
    if job.action == Action::Delete {
        return Relevance::Current;
    }
    if zone.action == Action::Delete {
        return Relevance::Superseded("zone is being deleted");
    }
    if zone.serial > job.zone.serial {
        return Relevance::Superseded("a newer serial is queued");
    }
    if zone.serial == job.zone.serial && zone.status == Status::Active {
        return Relevance::Superseded("serial already served");
    }
    Relevance::Current
}

/// True once a change has been propagating for longer than `max_prop_time`:
/// only then may a failure that could still pass be reported as ERROR. The
/// change's time is the zone's `updated_at` (set by the commit that cast
/// it); without one, its serial read as a unix time (central's serials are
/// `max(old + 1, now)`).
pub fn propagation_expired(job: &ZoneJob, max_prop_time: Duration) -> bool {
    let changed_at = job
        .zone
        .updated_at
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(job.zone.serial);
    let age = time::unix_now().saturating_sub(changed_at);
    age > i64::try_from(max_prop_time.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use delegate_model::Zone;

    fn job(action: Action, serial: i64) -> ZoneJob {
        ZoneJob {
            zone: Zone {
                serial,
                action,
                ..Zone::default()
            },
            action,
            hard_delete: false,
        }
    }

    fn at(serial: i64, status: Status, action: Action) -> ZoneProgress {
        ZoneProgress {
            serial,
            status,
            action,
            deleted: false,
        }
    }

    #[test]
    fn newer_serials_and_deletions_supersede_a_job() {
        use Action::{Create, Delete, None, Update};
        use Relevance::{Current, Superseded};
        use Status::{Active, Error, Pending};
        let cases = [
            // (job, zone now, expected)
            (job(Update, 10), Some(at(10, Pending, Update)), Current),
            (job(Create, 10), Some(at(10, Error, Create)), Current),
            (
                job(Update, 10),
                Some(at(11, Pending, Update)),
                Superseded("a newer serial is queued"),
            ),
            (
                job(Update, 10),
                Some(at(10, Active, None)),
                Superseded("serial already served"),
            ),
            (
                job(Update, 10),
                Some(at(10, Pending, Delete)),
                Superseded("zone is being deleted"),
            ),
            (job(Delete, 10), Some(at(10, Pending, Delete)), Current),
            (job(Delete, 10), Some(at(12, Error, Delete)), Current),
            (job(Update, 10), Option::None, Superseded("zone purged")),
        ];
        for (job, zone, want) in cases {
            assert_eq!(
                relevance(&job, zone.as_ref()),
                want,
                "{:?} {} against {zone:?}",
                job.action,
                job.zone.serial
            );
        }
        let mut gone = at(10, Status::Deleted, Action::None);
        gone.deleted = true;
        assert_eq!(
            relevance(&job(Action::Delete, 10), Some(&gone)),
            Relevance::Superseded("zone already deleted")
        );
    }

    #[test]
    fn propagation_expires_after_max_prop_time() {
        let limit = Duration::from_secs(60);
        let mut fresh = job(Action::Update, time::unix_now());
        assert!(!propagation_expired(&fresh, limit));
        fresh.zone.updated_at = Some(time::now() - chrono::Duration::seconds(61));
        assert!(propagation_expired(&fresh, limit), "updated_at wins");
        let old = job(Action::Update, time::unix_now() - 120);
        assert!(propagation_expired(&old, limit));
    }
}
