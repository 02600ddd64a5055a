//! The one thing the periodic tasks know about the producer group: which
//! shards this producer may run right now. Raft stays behind this trait
//! (design.md: a later openraft upgrade touches `raft/` only).

use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use crate::group::Reply;

/// Shards held under a lease known to be current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    /// This producer's member id in the group.
    pub member: String,
    /// The split this ownership belongs to.
    pub epoch: u64,
    /// `(first, last)` shard, inclusive; `None` if the split gave it nothing.
    pub shards: Option<(u16, u16)>,
    /// Runs the non-sharded tasks (owns shard 0).
    pub first: bool,
    /// Held under this same split, by this producer, since then. A run for
    /// an interval that began earlier is skipped: the previous owner may
    /// have run it.
    pub since: SystemTime,
}

/// What the periodic-task runner asks.
pub trait Coordination: Send + Sync + 'static {
    /// The shards this producer may run now, or `None` if it holds no
    /// current lease (then it runs nothing sharded or exclusive).
    fn ownership(&self) -> Option<Ownership>;
}

/// No peers configured: this producer owns every shard (spec/services.md
/// §6.1, like Designate without `[coordination] backend_url`).
pub struct Alone {
    pub member: String,
}

impl Coordination for Alone {
    fn ownership(&self) -> Option<Ownership> {
        Some(Ownership {
            member: self.member.clone(),
            epoch: 0,
            shards: Some((0, 4095)),
            first: true,
            since: SystemTime::UNIX_EPOCH,
        })
    }
}

/// The lease a group member holds, from its last committed renewal.
pub struct Lease {
    member: String,
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    /// The newest epoch received (acknowledged in the next renewal).
    seen_epoch: u64,
    /// The last settled ownership and the end of its lease.
    current: Option<(Ownership, Instant)>,
}

impl Lease {
    pub fn new(member: String) -> Self {
        Lease {
            member,
            held: Mutex::new(Held::default()),
        }
    }

    pub fn member(&self) -> &str {
        &self.member
    }

    pub fn seen_epoch(&self) -> u64 {
        self.lock().seen_epoch
    }

    /// Records the reply to a renewal sent at `sent`, committed, and so
    /// good until `valid_until` (sent + lease duration, on this clock).
    /// Returns the new ownership when it differs from the previous one.
    pub fn renewed(&self, reply: &Reply, valid_until: Instant) -> Option<Option<Ownership>> {
        let mut held = self.lock();
        held.seen_epoch = held.seen_epoch.max(reply.epoch);
        let before = held.current.as_ref().map(|(o, _)| o.clone());
        if !reply.settled {
            held.current = None;
        } else {
            let same_split = |o: &Ownership| o.epoch == reply.epoch && o.shards == reply.shards;
            let since = match &before {
                Some(o) if same_split(o) => o.since,
                _ => SystemTime::now(),
            };
            let ownership = Ownership {
                member: self.member.clone(),
                epoch: reply.epoch,
                shards: reply.shards,
                first: reply.first,
                since,
            };
            held.current = Some((ownership, valid_until));
        }
        let after = held.current.as_ref().map(|(o, _)| o.clone());
        (before != after).then_some(after)
    }

    /// Drops the lease at once (clean stop).
    pub fn release(&self) {
        self.lock().current = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Coordination for Lease {
    fn ownership(&self) -> Option<Ownership> {
        let held = self.lock();
        let (ownership, valid_until) = held.current.as_ref()?;
        (Instant::now() < *valid_until).then(|| ownership.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn reply(epoch: u64, shards: Option<(u16, u16)>, settled: bool) -> Reply {
        Reply {
            epoch,
            shards,
            first: shards.is_some_and(|(a, _)| a == 0),
            settled,
        }
    }

    #[test]
    fn a_lease_runs_out_and_an_unsettled_split_holds_nothing() {
        let lease = Lease::new("m".into());
        let later = Instant::now() + Duration::from_secs(60);
        assert!(
            lease
                .renewed(&reply(1, Some((0, 4095)), false), later)
                .is_none()
        );
        assert_eq!(lease.ownership(), None);
        assert_eq!(lease.seen_epoch(), 1);
        let changed = lease.renewed(&reply(1, Some((0, 4095)), true), later);
        let since = changed.flatten().map(|o| o.since);
        assert!(since.is_some());
        // Same split again: no change, same `since`.
        assert!(
            lease
                .renewed(&reply(1, Some((0, 4095)), true), later)
                .is_none()
        );
        assert_eq!(lease.ownership().map(|o| o.since), since);
        // A renewal whose lease already ended holds nothing.
        lease.renewed(&reply(1, Some((0, 4095)), true), Instant::now());
        assert_eq!(lease.ownership(), None);
        let changed = lease.renewed(&reply(2, Some((0, 2047)), true), later);
        assert_eq!(changed.flatten().map(|o| o.epoch), Some(2));
    }
}
