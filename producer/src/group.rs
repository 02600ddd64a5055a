//! The replicated state of the producer group: who is a live member, which
//! shards each owns, and whether every member has seen the current split.
//!
//! This is the Raft state machine's data. It holds no clock readings: every
//! change is a command in the log, so every node computes the same state.
//! Time enters only through the leader, which proposes [`Command::Expire`]
//! for a member whose renewals stopped (see `raft::expiry`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Shards are the first three hex digits of a zone id (spec/services.md §6.1).
pub const SHARDS: u32 = 4096;

/// A change to the group, as written in the Raft log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// A member renews its lease; an unknown member joins. `seen_epoch` is
    /// the newest epoch the member has received (its acknowledgement).
    Renew { member: String, seen_epoch: u64 },
    /// The leader retires a member whose last committed renewal is the one
    /// at log index `renewed_at`; a no-op if the member renewed since.
    Expire { member: String, renewed_at: u64 },
    /// A member stopping cleanly hands its shards over at once.
    Leave { member: String },
}

/// What a command's proposer learns, computed when it is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub epoch: u64,
    /// The member's shards `(first, last)`, if it is a member and owns any.
    pub shards: Option<(u16, u16)>,
    /// Whether the member owns shard 0 (and so runs the non-sharded tasks).
    pub first: bool,
    /// Every live member has acknowledged `epoch`: nobody still runs a
    /// shard under an older split.
    pub settled: bool,
}

/// One live member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberState {
    /// Log index of its last committed renewal.
    pub renewed_at: u64,
    /// The newest epoch it has acknowledged.
    pub acked_epoch: u64,
}

/// The group. `epoch` counts changes of the member set (and so of the split).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub epoch: u64,
    pub members: BTreeMap<String, MemberState>,
}

impl Group {
    /// Applies the command at log index `index`.
    pub fn apply(&mut self, index: u64, command: &Command) -> Reply {
        match command {
            Command::Renew { member, seen_epoch } => {
                match self.members.get_mut(member) {
                    Some(m) => {
                        m.renewed_at = index;
                        m.acked_epoch = m.acked_epoch.max(*seen_epoch);
                    }
                    None => {
                        self.epoch += 1;
                        let state = MemberState {
                            renewed_at: index,
                            acked_epoch: *seen_epoch,
                        };
                        self.members.insert(member.clone(), state);
                    }
                }
                self.reply(member)
            }
            Command::Expire { member, renewed_at } => {
                if self
                    .members
                    .get(member)
                    .is_some_and(|m| m.renewed_at == *renewed_at)
                {
                    self.members.remove(member);
                    self.epoch += 1;
                }
                self.reply(member)
            }
            Command::Leave { member } => {
                if self.members.remove(member).is_some() {
                    self.epoch += 1;
                }
                self.reply(member)
            }
        }
    }

    /// What `member` may do under the current state.
    pub fn reply(&self, member: &str) -> Reply {
        Reply {
            epoch: self.epoch,
            shards: self.shards_of(member),
            first: self.shards_of(member).is_some_and(|(first, _)| first == 0),
            settled: self.settled(),
        }
    }

    /// Every live member has acknowledged the current epoch.
    pub fn settled(&self) -> bool {
        self.members.values().all(|m| m.acked_epoch >= self.epoch)
    }

    /// The shards of `member` under spec/services.md §6.1's rule.
    pub fn shards_of(&self, member: &str) -> Option<(u16, u16)> {
        let index = self.members.keys().position(|m| m == member)?;
        partition(self.members.len(), index)
    }

    /// `(member, first, last)` for every member that owns shards.
    pub fn partition(&self) -> Vec<(String, u16, u16)> {
        let n = self.members.len();
        self.members
            .keys()
            .enumerate()
            .filter_map(|(i, m)| partition(n, i).map(|(a, b)| (m.clone(), a, b)))
            .collect()
    }
}

/// Designate's partitioner: members sorted, `size = ceil(4096 / n)`, member
/// `i` owns `[i·size, min((i+1)·size, 4096))` — returned inclusive, `None`
/// when the slice is empty.
pub fn partition(members: usize, index: usize) -> Option<(u16, u16)> {
    let n = u32::try_from(members).ok().filter(|n| *n > 0)?;
    let i = u32::try_from(index).ok().filter(|i| *i < n)?;
    let size = SHARDS.div_ceil(n);
    let first = i * size;
    let end = ((i + 1) * size).min(SHARDS);
    if first >= end {
        return None;
    }
    Some((u16::try_from(first).ok()?, u16::try_from(end - 1).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renew(g: &mut Group, index: u64, member: &str, seen_epoch: u64) -> Reply {
        let command = Command::Renew {
            member: member.into(),
            seen_epoch,
        };
        g.apply(index, &command)
    }

    #[test]
    fn the_split_follows_designate() {
        assert_eq!(partition(1, 0), Some((0, 4095)));
        assert_eq!(partition(3, 0), Some((0, 1365)));
        assert_eq!(partition(3, 1), Some((1366, 2731)));
        assert_eq!(partition(3, 2), Some((2732, 4095)));
        assert_eq!(partition(3, 3), None);
        assert_eq!(partition(0, 0), None);
        // 4096 / 4095 rounds up to 2: the last members get nothing.
        assert_eq!(partition(4095, 2047), Some((4094, 4095)));
        assert_eq!(partition(4095, 2048), None);
        for n in 1..=7 {
            let covered: u32 = (0..n)
                .filter_map(|i| partition(n, i))
                .map(|(a, b)| u32::from(b - a) + 1)
                .sum();
            assert_eq!(covered, SHARDS, "{n} members");
        }
    }

    #[test]
    fn a_join_is_settled_only_once_everyone_acknowledged_it() {
        let mut g = Group::default();
        let r = renew(&mut g, 1, "a", 0);
        assert_eq!((r.epoch, r.shards, r.settled), (1, Some((0, 4095)), false));
        let r = renew(&mut g, 2, "a", 1);
        assert!(r.settled && r.first);
        let r = renew(&mut g, 3, "b", 0);
        assert_eq!(
            (r.epoch, r.shards, r.settled),
            (2, Some((2048, 4095)), false)
        );
        // a has not seen epoch 2 yet: it may still run 2048..4095 under epoch 1.
        assert!(!renew(&mut g, 4, "b", 2).settled);
        let r = renew(&mut g, 5, "a", 2);
        assert_eq!((r.shards, r.settled), (Some((0, 2047)), true));
    }

    #[test]
    fn expiry_loses_to_a_later_renewal() {
        let mut g = Group::default();
        renew(&mut g, 1, "a", 0);
        renew(&mut g, 2, "b", 0);
        renew(&mut g, 3, "b", 2);
        let expire = |at| Command::Expire {
            member: "b".into(),
            renewed_at: at,
        };
        // b renewed at 3 after the leader saw 2: the expiry is stale.
        assert_eq!(g.apply(4, &expire(2)).epoch, 2);
        assert!(g.members.contains_key("b"));
        let r = g.apply(5, &expire(3));
        assert_eq!((r.epoch, r.shards), (3, None));
        assert_eq!(g.partition(), vec![("a".to_owned(), 0, 4095)]);
        // a acknowledged epoch 2 only.
        assert!(!g.settled());
    }

    #[test]
    fn leave_hands_over_at_once() {
        let mut g = Group::default();
        renew(&mut g, 1, "a", 0);
        renew(&mut g, 2, "b", 0);
        let r = g.apply(3, &Command::Leave { member: "a".into() });
        assert_eq!((r.epoch, r.shards), (3, None));
        assert_eq!(g.reply("b").shards, Some((0, 4095)));
        // Leaving twice changes nothing.
        assert_eq!(g.apply(4, &Command::Leave { member: "a".into() }).epoch, 3);
    }
}
