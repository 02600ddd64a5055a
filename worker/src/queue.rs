//! Per-zone coalescing: one action per zone runs at a time in this process.
//!
//! Central casts a zone update as soon as each change commits, so updates of
//! one busy zone can arrive faster than a backend absorbs them. Running them
//! side by side would race rndc calls and NOTIFYs for nothing: the newest
//! serial covers every older one (central's SUCCESS for serial N activates
//! every record of serial ≤ N). So while a zone's action runs, later requests
//! wait in a single slot that keeps only the one worth running: a DELETE
//! wins over everything, otherwise the highest serial (the latest on a tie).
//!
//! Several worker processes may still act on one zone at once; that is safe
//! because each reports its outcome with its serial, and central only moves
//! forward.

use std::collections::HashMap;
use std::sync::Mutex;

use delegate_model::{Action, Zone};
use uuid::Uuid;

/// One zone action to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneJob {
    pub zone: Zone,
    pub action: Action,
    /// `delete_zone(hard_delete=True)`: the backend also removes its files.
    pub hard_delete: bool,
}

impl ZoneJob {
    /// True if `self`, arriving later, should replace `pending`.
    fn supersedes(&self, pending: &ZoneJob) -> bool {
        match (self.action, pending.action) {
            (Action::Delete, _) => true,
            (_, Action::Delete) => false,
            _ => self.zone.serial >= pending.zone.serial,
        }
    }
}

/// Zones with a running action, and the job waiting behind each.
#[derive(Debug, Default)]
pub struct ZoneQueue {
    slots: Mutex<HashMap<Uuid, Option<ZoneJob>>>,
}

impl ZoneQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers a job. Returns it back when nothing runs for its zone: the
    /// caller must run it now (and call [`ZoneQueue::next`] when done).
    /// Otherwise it waits (or is dropped, if the waiting job is worth more).
    pub fn submit(&self, zone_id: Uuid, job: ZoneJob) -> Option<ZoneJob> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        match slots.get_mut(&zone_id) {
            None => {
                slots.insert(zone_id, None);
                Some(job)
            }
            Some(waiting) => {
                match waiting {
                    Some(pending) if !job.supersedes(pending) => {
                        tracing::debug!(%zone_id, serial = job.zone.serial, "older request dropped: a newer one waits");
                    }
                    _ => *waiting = Some(job),
                }
                None
            }
        }
    }

    /// Called when the zone's running job finished: the job to run next, or
    /// `None` (the zone is then free).
    pub fn next(&self, zone_id: Uuid) -> Option<ZoneJob> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        match slots.get_mut(&zone_id).and_then(Option::take) {
            Some(job) => Some(job),
            None => {
                slots.remove(&zone_id);
                None
            }
        }
    }

    /// Zones with a running action.
    pub fn busy_zones(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(action: Action, serial: i64) -> ZoneJob {
        ZoneJob {
            zone: Zone {
                serial,
                ..Zone::default()
            },
            action,
            hard_delete: false,
        }
    }

    #[test]
    fn first_job_runs_and_later_ones_coalesce_to_the_highest_serial() {
        let q = ZoneQueue::new();
        let id = Uuid::new_v4();
        assert_eq!(
            q.submit(id, job(Action::Update, 10)),
            Some(job(Action::Update, 10))
        );
        assert_eq!(q.submit(id, job(Action::Update, 12)), None);
        assert_eq!(
            q.submit(id, job(Action::Update, 11)),
            None,
            "older than the waiting one: dropped"
        );
        assert_eq!(q.submit(id, job(Action::Update, 13)), None);
        assert_eq!(q.next(id), Some(job(Action::Update, 13)));
        assert_eq!(q.next(id), None);
        assert_eq!(q.busy_zones(), 0);
        assert!(
            q.submit(id, job(Action::Update, 14)).is_some(),
            "free again"
        );
    }

    #[test]
    fn delete_wins_over_updates() {
        let q = ZoneQueue::new();
        let id = Uuid::new_v4();
        assert!(q.submit(id, job(Action::Create, 10)).is_some());
        assert_eq!(q.submit(id, job(Action::Delete, 10)), None);
        assert_eq!(q.submit(id, job(Action::Update, 20)), None);
        assert_eq!(q.next(id), Some(job(Action::Delete, 10)));
    }

    #[test]
    fn zones_do_not_wait_for_each_other() {
        let q = ZoneQueue::new();
        assert!(q.submit(Uuid::new_v4(), job(Action::Update, 1)).is_some());
        assert!(q.submit(Uuid::new_v4(), job(Action::Update, 1)).is_some());
        assert_eq!(q.busy_zones(), 2);
    }
}
