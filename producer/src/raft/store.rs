//! Raft storage on local disk: the vote and the log, fsynced before openraft
//! is told they are saved (design.md: a node must never forget a vote or an
//! acknowledged entry), and the state machine with its last snapshot.
//!
//! Layout of `raft_data_dir`: `node_id`, `vote.json`, `log.jsonl` (one entry
//! a line, appended), `purged.json` (the last purged log id),
//! `snapshot.json`. Small files are replaced atomically (write, fsync,
//! rename, fsync the directory).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Cursor, Write};
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use openraft::storage::{LogFlushed, RaftLogStorage, RaftStateMachine, Snapshot};
use openraft::{
    Entry, EntryPayload, LogId, LogState, RaftLogId, RaftLogReader, RaftSnapshotBuilder,
    SnapshotMeta, StorageError, StorageIOError, StoredMembership, Vote,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::{Node, NodeId, TypeConfig};
use crate::group::{Group, Reply};

type Result<T> = std::result::Result<T, StorageError<NodeId>>;

/// Writes `bytes` to `path` so that either the old or the new content
/// survives a crash, and the new one is on disk when this returns.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    sync_dir(path)
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) => File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> std::io::Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The vote and the log.
#[derive(Clone)]
pub struct LogStore {
    inner: Arc<tokio::sync::Mutex<LogInner>>,
}

struct LogInner {
    dir: PathBuf,
    vote: Option<Vote<NodeId>>,
    purged: Option<LogId<NodeId>>,
    log: BTreeMap<u64, Entry<TypeConfig>>,
    /// `log.jsonl`, open for appending.
    file: File,
}

impl LogStore {
    /// Opens (or creates) the log in `dir`. A torn last line (a crash in
    /// the middle of an append, never acknowledged) is dropped.
    pub fn open(dir: &Path) -> std::io::Result<LogStore> {
        let vote = read_json(&dir.join("vote.json"))?;
        let purged = read_json(&dir.join("purged.json"))?;
        let path = dir.join("log.jsonl");
        let mut log = BTreeMap::new();
        let mut torn = false;
        if path.exists() {
            for line in BufReader::new(File::open(&path)?).lines() {
                match serde_json::from_str::<Entry<TypeConfig>>(&line?) {
                    Ok(entry) => {
                        log.insert(entry.log_id.index, entry);
                    }
                    Err(_) => torn = true,
                }
            }
        }
        let mut inner = LogInner {
            file: OpenOptions::new().create(true).append(true).open(&path)?,
            dir: dir.to_owned(),
            vote,
            purged,
            log,
        };
        if torn {
            inner.rewrite()?;
        }
        Ok(LogStore {
            inner: Arc::new(tokio::sync::Mutex::new(inner)),
        })
    }

    /// Whether this node has ever voted or logged anything.
    pub async fn is_empty(&self) -> bool {
        let inner = self.inner.lock().await;
        inner.vote.is_none() && inner.log.is_empty() && inner.purged.is_none()
    }
}

impl LogInner {
    /// Writes the whole log anew (after a truncation or a purge).
    fn rewrite(&mut self) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        for entry in self.log.values() {
            serde_json::to_writer(&mut bytes, entry)?;
            bytes.push(b'\n');
        }
        let path = self.dir.join("log.jsonl");
        write_atomic(&path, &bytes)?;
        self.file = OpenOptions::new().append(true).open(&path)?;
        Ok(())
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry<TypeConfig>>> {
        let inner = self.inner.lock().await;
        Ok(inner.log.range(range).map(|(_, e)| e.clone()).collect())
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = Self;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>> {
        let inner = self.inner.lock().await;
        let last = inner.log.values().next_back().map(|e| *e.get_log_id());
        Ok(LogState {
            last_purged_log_id: inner.purged,
            last_log_id: last.or(inner.purged),
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<()> {
        let mut inner = self.inner.lock().await;
        let bytes = serde_json::to_vec(vote).map_err(|e| StorageIOError::write_vote(&e))?;
        write_atomic(&inner.dir.join("vote.json"), &bytes)
            .map_err(|e| StorageIOError::write_vote(&e))?;
        inner.vote = Some(*vote);
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>> {
        Ok(self.inner.lock().await.vote)
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<()>
    where
        I: IntoIterator<Item = Entry<TypeConfig>>,
    {
        let mut inner = self.inner.lock().await;
        let mut bytes = Vec::new();
        let mut added = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut bytes, &entry)
                .map_err(|e| StorageIOError::write_logs(&e))?;
            bytes.push(b'\n');
            added.push(entry);
        }
        let written = inner
            .file
            .write_all(&bytes)
            .and_then(|()| inner.file.sync_data());
        if let Err(e) = written {
            let error = StorageIOError::write_logs(&e);
            callback.log_io_completed(Err(std::io::Error::other(e.to_string())));
            return Err(error.into());
        }
        for entry in added {
            inner.log.insert(entry.log_id.index, entry);
        }
        callback.log_io_completed(Ok(()));
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId<NodeId>) -> Result<()> {
        let mut inner = self.inner.lock().await;
        inner.log.split_off(&log_id.index);
        inner
            .rewrite()
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }

    async fn purge(&mut self, log_id: LogId<NodeId>) -> Result<()> {
        let mut inner = self.inner.lock().await;
        let bytes = serde_json::to_vec(&log_id).map_err(|e| StorageIOError::write_logs(&e))?;
        write_atomic(&inner.dir.join("purged.json"), &bytes)
            .map_err(|e| StorageIOError::write_logs(&e))?;
        inner.purged = Some(log_id);
        inner.log = inner.log.split_off(&(log_id.index + 1));
        inner
            .rewrite()
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }
}

/// The state machine's data, as snapshotted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Applied {
    pub last_applied: Option<LogId<NodeId>>,
    pub membership: StoredMembership<NodeId, Node>,
    pub group: Group,
}

#[derive(Serialize, Deserialize)]
struct StoredSnapshot {
    meta: SnapshotMeta<NodeId, Node>,
    data: Vec<u8>,
}

/// The group state machine. Cheap to clone (shared).
#[derive(Clone)]
pub struct StateMachine {
    pub applied: Arc<RwLock<Applied>>,
    snapshot: Arc<RwLock<Option<StoredSnapshot>>>,
    /// When this node applied each member's last renewal: the leader expires
    /// members by these (see `expiry`). Never replicated.
    pub seen: Arc<Mutex<HashMap<String, (u64, Instant)>>>,
    dir: PathBuf,
}

impl StateMachine {
    /// Opens the state machine, starting from the stored snapshot if any.
    pub fn open(dir: &Path) -> std::io::Result<StateMachine> {
        let stored: Option<StoredSnapshot> = read_json(&dir.join("snapshot.json"))?;
        let applied = match &stored {
            Some(s) => serde_json::from_slice(&s.data)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            None => Applied::default(),
        };
        Ok(StateMachine {
            applied: Arc::new(RwLock::new(applied)),
            snapshot: Arc::new(RwLock::new(stored)),
            seen: Arc::default(),
            dir: dir.to_owned(),
        })
    }

    async fn store_snapshot(&self, stored: StoredSnapshot) -> Result<()> {
        let signature = Some(stored.meta.signature());
        let bytes = serde_json::to_vec(&stored)
            .map_err(|e| StorageIOError::write_snapshot(signature.clone(), &e))?;
        write_atomic(&self.dir.join("snapshot.json"), &bytes)
            .map_err(|e| StorageIOError::write_snapshot(signature, &e))?;
        *self.snapshot.write().await = Some(stored);
        Ok(())
    }
}

impl RaftSnapshotBuilder<TypeConfig> for StateMachine {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>> {
        let applied = self.applied.read().await.clone();
        let data =
            serde_json::to_vec(&applied).map_err(|e| StorageIOError::read_state_machine(&e))?;
        let snapshot_id = match applied.last_applied {
            Some(l) => format!("{}-{}", l.leader_id, l.index),
            None => "empty".to_owned(),
        };
        let meta = SnapshotMeta {
            last_log_id: applied.last_applied,
            last_membership: applied.membership.clone(),
            snapshot_id,
        };
        self.store_snapshot(StoredSnapshot {
            meta: meta.clone(),
            data: data.clone(),
        })
        .await?;
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = Self;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId<NodeId>>, StoredMembership<NodeId, Node>)> {
        let applied = self.applied.read().await;
        Ok((applied.last_applied, applied.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Reply>>
    where
        I: IntoIterator<Item = Entry<TypeConfig>>,
    {
        let mut applied = self.applied.write().await;
        let mut replies = Vec::new();
        for entry in entries {
            applied.last_applied = Some(entry.log_id);
            let reply = match entry.payload {
                EntryPayload::Blank => Reply::default(),
                EntryPayload::Normal(command) => {
                    let reply = applied.group.apply(entry.log_id.index, &command);
                    if let crate::group::Command::Renew { member, .. } = command {
                        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                        seen.insert(member, (entry.log_id.index, Instant::now()));
                    }
                    reply
                }
                EntryPayload::Membership(m) => {
                    applied.membership = StoredMembership::new(Some(entry.log_id), m);
                    Reply::default()
                }
            };
            replies.push(reply);
        }
        Ok(replies)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, Node>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<()> {
        let data = snapshot.into_inner();
        let mut installed: Applied = serde_json::from_slice(&data)
            .map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &e))?;
        installed.last_applied = meta.last_log_id;
        installed.membership = meta.last_membership.clone();
        let mut applied = self.applied.write().await;
        *applied = installed;
        self.store_snapshot(StoredSnapshot {
            meta: meta.clone(),
            data,
        })
        .await
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>> {
        Ok(self.snapshot.read().await.as_ref().map(|s| Snapshot {
            meta: s.meta.clone(),
            snapshot: Box::new(Cursor::new(s.data.clone())),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use openraft::storage::RaftLogStorageExt;
    use openraft::testing::{StoreBuilder, Suite, blank_ent, log_id};
    use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId};

    use super::*;
    use crate::group::Command;

    /// A fresh directory per store, removed when the guard drops.
    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch() -> Dir {
        static N: AtomicU32 = AtomicU32::new(0);
        // fsync is the slow part; on tmpfs the suite's many stores are quick.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "delegate-producer-store-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Dir(dir)
    }

    struct Builder;

    impl StoreBuilder<TypeConfig, LogStore, StateMachine, Dir> for Builder {
        async fn build(&self) -> Result<(Dir, LogStore, StateMachine)> {
            let dir = scratch();
            let io = |e: std::io::Error| StorageError::from(StorageIOError::read(&e));
            let log = LogStore::open(&dir.0).map_err(io)?;
            let sm = StateMachine::open(&dir.0).map_err(io)?;
            Ok((dir, log, sm))
        }
    }

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// openraft's own conformance suite for storage implementations.
    #[test]
    fn the_store_passes_openraft_suite() -> TestResult {
        Suite::test_all(Builder)?;
        Ok(())
    }

    fn renew(index: u64) -> Entry<TypeConfig> {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(1, 7), index),
            payload: EntryPayload::Normal(Command::Renew {
                member: "m".into(),
                seen_epoch: index,
            }),
        }
    }

    #[tokio::test]
    async fn vote_and_log_survive_a_restart_and_a_torn_line_is_dropped() -> TestResult {
        let dir = scratch();
        let io = |e: std::io::Error| StorageError::<NodeId>::from(StorageIOError::read(&e));
        {
            let mut log = LogStore::open(&dir.0).map_err(io)?;
            assert!(log.is_empty().await);
            log.save_vote(&Vote::new(3, 7)).await?;
            log.blocking_append([blank_ent(1, 7, 1), renew(2), renew(3), renew(4)])
                .await?;
            log.truncate(log_id(1, 7, 4)).await?;
            log.purge(log_id(1, 7, 1)).await?;
        }
        // A crash in the middle of an append leaves half a line.
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.0.join("log.jsonl"))
            .map_err(io)?;
        file.write_all(b"{\"log_id\":").map_err(io)?;
        drop(file);

        let mut log = LogStore::open(&dir.0).map_err(io)?;
        assert!(!log.is_empty().await);
        assert_eq!(log.read_vote().await?, Some(Vote::new(3, 7)));
        let state = log.get_log_state().await?;
        assert_eq!(state.last_purged_log_id, Some(log_id(1, 7, 1)));
        assert_eq!(state.last_log_id, Some(log_id(1, 7, 3)));
        let entries = log.try_get_log_entries(0..10).await?;
        let indexes: Vec<u64> = entries.iter().map(|e| e.log_id.index).collect();
        assert_eq!(indexes, [2, 3]);
        // And appending goes on after the dropped line.
        log.blocking_append([renew(4)]).await?;
        let mut log = LogStore::open(&dir.0).map_err(io)?;
        assert_eq!(
            log.get_log_state().await?.last_log_id,
            Some(log_id(1, 7, 4))
        );
        Ok(())
    }
}
