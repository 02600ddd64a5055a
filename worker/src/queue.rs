//! Per-zone coalescing inside one worker process: one action per zone runs
//! at a time.
//!
//! Central casts a zone update as soon as each change commits, so updates of
//! one busy zone can arrive faster than a backend absorbs them. Running them
//! side by side would race rndc calls and NOTIFYs for nothing: the newest
//! serial covers every older one (central's SUCCESS for serial N activates
//! every record of serial ≤ N). So while a zone's action runs, later requests
//! wait in a single slot that keeps only the one worth running: a DELETE
//! wins over everything, otherwise the highest serial (the latest on a tie).
//!
//! Each request is a bus message that stays unacknowledged until its
//! handler returns, so the handler waits here for its [`Turn`]: `Run` when
//! the zone is free (it then runs its own job), or `Superseded` when a newer
//! request took its place (its message can be acknowledged: the newer one,
//! itself unacknowledged, covers it). Across worker processes the same rule
//! is applied against the database ([`crate::progress`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use delegate_model::{Action, Zone};
use tokio::sync::oneshot;
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

/// What a waiting request is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The zone is free: run the job now (and let the [`Slot`] go when done).
    Run,
    /// A newer request replaced this one.
    Superseded,
}

/// A request waiting for its zone.
#[derive(Debug)]
struct Waiting {
    job: ZoneJob,
    tell: oneshot::Sender<Turn>,
}

/// Zones with a running action, and the request waiting behind each.
#[derive(Debug, Default)]
pub struct ZoneQueue {
    slots: Mutex<HashMap<Uuid, Option<Waiting>>>,
}

/// The right to run a zone's action; dropping it hands the zone to the
/// request waiting behind, or frees it (also on panic or cancellation).
#[derive(Debug)]
pub struct Slot {
    queue: Arc<ZoneQueue>,
    zone_id: Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.queue.release(self.zone_id);
    }
}

/// The answer of [`ZoneQueue::admit`].
#[derive(Debug)]
pub enum Admission {
    /// Run now, holding the slot.
    Run(Slot),
    /// Wait for the turn.
    Wait(oneshot::Receiver<Turn>),
    /// A waiting request is worth more: this one is covered already.
    Covered,
}

impl ZoneQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Offers a job for its zone.
    pub fn admit(self: &Arc<Self>, zone_id: Uuid, job: &ZoneJob) -> Admission {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let Some(waiting) = slots.get_mut(&zone_id) else {
            slots.insert(zone_id, None);
            return Admission::Run(self.slot(zone_id));
        };
        if let Some(pending) = waiting.as_ref()
            && !job.supersedes(&pending.job)
        {
            tracing::debug!(%zone_id, serial = job.zone.serial, "older request covered by a waiting one");
            return Admission::Covered;
        }
        let (tell, turn) = oneshot::channel();
        let replaced = waiting.replace(Waiting {
            job: job.clone(),
            tell,
        });
        if let Some(old) = replaced {
            let _ = old.tell.send(Turn::Superseded);
        }
        Admission::Wait(turn)
    }

    /// The slot of a zone whose turn came (after [`Turn::Run`]).
    pub fn slot(self: &Arc<Self>, zone_id: Uuid) -> Slot {
        Slot {
            queue: self.clone(),
            zone_id,
        }
    }

    /// The running action ended: wake the waiting request, or free the zone.
    fn release(&self, zone_id: Uuid) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = slots.get_mut(&zone_id).and_then(Option::take);
        while let Some(waiting) = next.take() {
            if waiting.tell.send(Turn::Run).is_ok() {
                return; // the slot stays taken, now by that request
            }
            // Its handler is gone (cancelled); nobody else waits.
        }
        slots.remove(&zone_id);
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

    fn run(a: Admission) -> Slot {
        match a {
            Admission::Run(slot) => slot,
            other => panic!("expected to run, got {other:?}"),
        }
    }

    fn wait(a: Admission) -> oneshot::Receiver<Turn> {
        match a {
            Admission::Wait(rx) => rx,
            other => panic!("expected to wait, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn later_requests_coalesce_to_the_highest_serial() {
        let q = ZoneQueue::new();
        let id = Uuid::new_v4();
        let running = run(q.admit(id, &job(Action::Update, 10)));
        let twelve = wait(q.admit(id, &job(Action::Update, 12)));
        assert!(
            matches!(q.admit(id, &job(Action::Update, 11)), Admission::Covered),
            "older than the waiting one"
        );
        let thirteen = wait(q.admit(id, &job(Action::Update, 13)));
        assert_eq!(twelve.await, Ok(Turn::Superseded));
        drop(running);
        assert_eq!(thirteen.await, Ok(Turn::Run));
        let slot = q.slot(id);
        assert_eq!(q.busy_zones(), 1);
        drop(slot);
        assert_eq!(q.busy_zones(), 0);
        let _free_again = run(q.admit(id, &job(Action::Update, 14)));
    }

    #[tokio::test]
    async fn delete_wins_over_updates() {
        let q = ZoneQueue::new();
        let id = Uuid::new_v4();
        let _running = run(q.admit(id, &job(Action::Create, 10)));
        let delete = wait(q.admit(id, &job(Action::Delete, 10)));
        assert!(matches!(
            q.admit(id, &job(Action::Update, 20)),
            Admission::Covered
        ));
        drop(_running);
        assert_eq!(delete.await, Ok(Turn::Run));
    }

    #[tokio::test]
    async fn a_cancelled_waiter_frees_the_zone() {
        let q = ZoneQueue::new();
        let id = Uuid::new_v4();
        let running = run(q.admit(id, &job(Action::Update, 1)));
        drop(wait(q.admit(id, &job(Action::Update, 2))));
        drop(running);
        assert_eq!(q.busy_zones(), 0);
    }

    #[test]
    fn zones_do_not_wait_for_each_other() {
        let q = ZoneQueue::new();
        let _a = run(q.admit(Uuid::new_v4(), &job(Action::Update, 1)));
        let _b = run(q.admit(Uuid::new_v4(), &job(Action::Update, 1)));
        assert_eq!(q.busy_zones(), 2);
    }
}
