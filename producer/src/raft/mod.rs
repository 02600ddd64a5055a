//! The producer group on openraft: start-up (form the group or join it),
//! lease renewal, expiry of silent members, and the HTTP service peers talk
//! to. Everything openraft-specific lives under this module.

mod http;
mod network;
pub mod store;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use openraft::{BasicNode, ChangeMembers, ServerState};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use crate::coordination::{Coordination, Lease};
use crate::group::{Command, Reply};
use crate::runner::Counters;
use delegate_config::HostPort;
use network::Network;
use store::{LogStore, StateMachine, write_atomic};

pub type NodeId = u64;
pub type Node = BasicNode;

openraft::declare_raft_types!(
    /// The producer group's Raft types: the log carries group [`Command`]s.
    pub TypeConfig:
        D = Command,
        R = Reply,
);

type Raft = openraft::Raft<TypeConfig>;

/// What `[service:producer]` says about the group.
pub struct Settings {
    pub host: String,
    pub listen: HostPort,
    /// What peers dial (listed in `peers`); usually `listen`.
    pub advertise: HostPort,
    pub peers: Vec<HostPort>,
    pub data_dir: std::path::PathBuf,
    pub lease: Duration,
}

/// This producer as a member of the group.
pub struct Member {
    id: NodeId,
    addr: String,
    peers: Vec<String>,
    raft: Raft,
    sm: StateMachine,
    lease: Arc<Lease>,
    lease_duration: Duration,
    http: reqwest::Client,
    join_lock: tokio::sync::Mutex<()>,
    counters: Arc<Counters>,
}

/// A join request: the new node and where its Raft service listens.
#[derive(Debug, Serialize, Deserialize)]
struct Join {
    id: NodeId,
    addr: String,
    /// Set when a follower passed the request on to the leader.
    forwarded: bool,
}

/// A retirement request: the node to remove from the voters.
#[derive(Debug, Serialize, Deserialize)]
pub struct Retire {
    pub node_id: NodeId,
    #[serde(default)]
    pub forwarded: bool,
}

/// `GET /group/status`: what this node knows, for operators and tests.
#[derive(Debug, Serialize, Deserialize)]
pub struct Status {
    pub node_id: NodeId,
    pub member: String,
    pub initialized: bool,
    pub leader: Option<NodeId>,
    pub voters: Vec<NodeId>,
    pub epoch: u64,
    /// The committed split: `(member, first, last)`.
    pub partition: Vec<(String, u16, u16)>,
    /// What this producer may run now (its current lease), if anything.
    pub owned: Option<(u16, u16)>,
    pub owned_epoch: Option<u64>,
}

impl Member {
    /// Opens the data directory, starts Raft and its HTTP service, and in
    /// the background forms or joins the group and renews the lease.
    pub async fn start(settings: Settings, counters: Arc<Counters>) -> Result<Arc<Member>> {
        let id = node_id(&settings.data_dir)?;
        let log = LogStore::open(&settings.data_dir)
            .with_context(|| data_dir_error(&settings.data_dir))?;
        let sm = StateMachine::open(&settings.data_dir)
            .with_context(|| data_dir_error(&settings.data_dir))?;
        let fresh = log.is_empty().await;
        let lease = settings.lease;
        // Raft's timers scale with the lease: an election fits well inside it.
        let heartbeat = u64::try_from(lease.as_millis() / 20)
            .unwrap_or(u64::MAX)
            .max(20);
        let config = openraft::Config {
            cluster_name: "delegate-producer".into(),
            heartbeat_interval: heartbeat,
            election_timeout_min: heartbeat * 3,
            election_timeout_max: heartbeat * 6,
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(5000),
            max_in_snapshot_log_to_keep: 1000,
            ..Default::default()
        };
        let config = Arc::new(config.validate().context("Raft timing")?);
        // Raft traffic leaves from the address it listens on (multi-homed hosts).
        let local = settings.listen.ip().filter(|ip| !ip.is_unspecified());
        let raft = Raft::new(id, config, Network::new(local), log, sm.clone())
            .await
            .context("start Raft")?;
        let listen = settings.listen.to_string();
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("[service:producer] raft_listen {listen}: cannot listen"))?;
        let addr = settings.advertise.to_string();
        let member = format!("{}:{id:016x}", settings.host);
        let me = Arc::new(Member {
            id,
            peers: settings.peers.iter().map(HostPort::to_string).collect(),
            addr,
            raft,
            sm,
            lease: Arc::new(Lease::new(member)),
            lease_duration: lease,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_millis(500))
                .local_address(local)
                .build()
                .context("HTTP client")?,
            join_lock: tokio::sync::Mutex::new(()),
            counters,
        });
        tracing::info!(node_id = id, member = %me.lease.member(), %listen, advertise = %me.addr, fresh,
            "producer group: Raft started");
        http::serve(me.clone(), listener);
        if fresh {
            let m = me.clone();
            tokio::spawn(async move { m.form_or_join().await });
        }
        Ok(me)
    }

    /// The coordination view the periodic tasks use.
    pub fn lease(&self) -> Arc<Lease> {
        self.lease.clone()
    }

    /// Starts the lease renewal and (when leader) the expiry of silent
    /// members; they run until their handles are aborted (before
    /// [`Member::leave`]).
    pub fn spawn_loops(self: &Arc<Self>) -> Vec<JoinHandle<()>> {
        let renew = self.clone();
        let expire = self.clone();
        vec![
            tokio::spawn(async move { renew.renew_loop().await }),
            tokio::spawn(async move { expire.expiry_loop().await }),
        ]
    }

    /// Leaves the group (its shards move at once) and stops Raft.
    pub async fn leave(&self) {
        self.lease.release();
        let leave = Command::Leave {
            member: self.lease.member().to_owned(),
        };
        match tokio::time::timeout(self.lease_duration, self.propose(leave)).await {
            Ok(Ok(_)) => tracing::info!(member = %self.lease.member(), "left the producer group"),
            _ => tracing::warn!("could not leave the producer group; the lease runs out instead"),
        }
        if let Err(e) = self.raft.shutdown().await {
            tracing::warn!(error = %e, "Raft shutdown");
        }
    }

    /// Writes `command` through the leader: locally if this node leads,
    /// otherwise by HTTP to the leader. Returns once it is committed.
    async fn propose(&self, command: Command) -> Result<Reply> {
        match self.raft.client_write(command.clone()).await {
            Ok(response) => Ok(response.data),
            Err(e) => {
                let leader = e
                    .forward_to_leader()
                    .and_then(|f| f.leader_node.clone())
                    .ok_or_else(|| anyhow!("no leader: {e}"))?;
                let url = format!("http://{}/group/write", leader.addr);
                let reply: Result<Reply, String> = self
                    .http
                    .post(url)
                    .timeout(self.lease_duration)
                    .json(&command)
                    .send()
                    .await?
                    .json()
                    .await?;
                reply.map_err(|e| anyhow!(e))
            }
        }
    }

    /// Renews the lease every fifth of its duration. A renewal sent at `t`
    /// and committed (a quorum has it) is good until `t + lease`: the leader
    /// expires a member only `lease × 1.25` after applying its last renewal,
    /// which happened after `t`.
    async fn renew_loop(&self) {
        let period = self.lease_duration / 5;
        let mut held = false;
        loop {
            let sent = Instant::now();
            let renew = Command::Renew {
                member: self.lease.member().to_owned(),
                seen_epoch: self.lease.seen_epoch(),
            };
            let mut next = sent + period;
            match tokio::time::timeout(self.lease_duration / 2, self.propose(renew)).await {
                Ok(Ok(reply)) => {
                    if reply.epoch > self.lease.seen_epoch() {
                        // Acknowledge a new split at once: the group settles sooner.
                        next = Instant::now();
                    }
                    if let Some(change) = self.lease.renewed(&reply, sent + self.lease_duration) {
                        log_ownership(self.lease.member(), reply.epoch, change.as_ref());
                    }
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "lease renewal failed"),
                Err(_) => tracing::debug!("lease renewal timed out"),
            }
            let holds = self.lease.ownership().is_some();
            if held && !holds {
                tracing::warn!(member = %self.lease.member(),
                    "lease ran out: running no sharded tasks until it is renewed");
            }
            held = holds;
            tokio::time::sleep_until(next.into()).await;
        }
    }

    /// On the leader: expire members whose last renewal was applied here
    /// more than `lease × 1.25` ago (their own lease has ended by then).
    /// A new leader first gives everyone time to renew through it: live
    /// members could not renew during the election either.
    async fn expiry_loop(&self) {
        let grace = self.lease_duration + self.lease_duration / 4;
        let settling = self.lease_duration * 2 / 5;
        let mut leading: Option<(u64, Instant)> = None;
        loop {
            tokio::time::sleep(self.lease_duration / 10).await;
            let (state, term) = {
                let m = self.raft.metrics();
                let m = m.borrow();
                (m.state, m.current_term)
            };
            if state != ServerState::Leader {
                leading = None;
                continue;
            }
            let since = match leading {
                Some((t, since)) if t == term => since,
                _ => leading.insert((term, Instant::now())).1.to_owned(),
            };
            if since.elapsed() < settling {
                continue;
            }
            let members = self.sm.applied.read().await.group.members.clone();
            let mut due = Vec::new();
            {
                let mut seen = self.sm.seen.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                for (member, state) in members {
                    let entry = seen
                        .entry(member.clone())
                        .or_insert((state.renewed_at, now));
                    if entry.0 != state.renewed_at {
                        *entry = (state.renewed_at, now);
                    }
                    if now.duration_since(entry.1) > grace {
                        due.push((member, state.renewed_at));
                    }
                }
            }
            for (member, renewed_at) in due {
                tracing::info!(%member, renewed_at, "member stopped renewing its lease: expiring it");
                if let Err(e) = self.propose(Command::Expire { member, renewed_at }).await {
                    tracing::debug!(error = %e, "expiry not written");
                }
            }
        }
    }

    /// A node with an empty disk: join the running group through any peer,
    /// or, if no peer has a group, the lowest-addressed peer forms it once a
    /// majority of `raft_peers` answers (so a wiped node cannot start a
    /// second group while the first is reachable).
    async fn form_or_join(&self) {
        let others: Vec<&String> = self.peers.iter().filter(|p| **p != self.addr).collect();
        let lowest = self.peers.iter().min().is_none_or(|p| *p == self.addr);
        let started = Instant::now();
        let mut warned = Instant::now();
        loop {
            let mut blank = 1;
            let mut group_seen = false;
            for peer in &others {
                match self.peer_status(peer).await {
                    Some(status) if status.initialized => {
                        group_seen = true;
                        match self.ask_to_join(peer).await {
                            Ok(()) => {
                                tracing::info!(node_id = self.id, via = %peer, "joined the producer group");
                                return;
                            }
                            Err(e) => tracing::debug!(error = %e, %peer, "join refused"),
                        }
                    }
                    Some(_) => blank += 1,
                    None => {}
                }
            }
            if !group_seen && lowest && blank > self.peers.len().max(1) / 2 {
                let nodes = BTreeMap::from([(self.id, BasicNode::new(&self.addr))]);
                match self.raft.initialize(nodes).await {
                    Ok(()) => tracing::info!(node_id = self.id, "formed the producer group"),
                    Err(e) => tracing::warn!(error = %e, "could not form the producer group"),
                }
                return;
            }
            if warned.elapsed() > Duration::from_secs(3) {
                tracing::warn!(peers = ?self.peers, waited_s = started.elapsed().as_secs(),
                    "[service:producer] raft_peers: no group to join yet and not enough peers answer to form one");
                warned = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    async fn peer_status(&self, peer: &str) -> Option<Status> {
        let response = self
            .http
            .get(format!("http://{peer}/group/status"))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .ok()?;
        response.json().await.ok()
    }

    async fn ask_to_join(&self, peer: &str) -> Result<()> {
        let join = Join {
            id: self.id,
            addr: self.addr.clone(),
            forwarded: false,
        };
        self.post_join(peer, &join).await
    }

    async fn post_join(&self, peer: &str, join: &Join) -> Result<()> {
        self.post(peer, "join", join).await
    }

    /// POSTs a membership request to `/group/<what>` on `peer`.
    async fn post<T: Serialize>(&self, peer: &str, what: &str, request: &T) -> Result<()> {
        let result: Result<(), String> = self
            .http
            .post(format!("http://{peer}/group/{what}"))
            .timeout(Duration::from_secs(30))
            .json(request)
            .send()
            .await?
            .json()
            .await?;
        result.map_err(|e| anyhow!(e))
    }

    /// Adds a node as a voter, one membership change at a time; an older
    /// incarnation at the same address (a node that lost its disk) is
    /// removed afterwards.
    async fn join(&self, join: Join) -> Result<()> {
        if self.raft.metrics().borrow().state != ServerState::Leader {
            if join.forwarded {
                return Err(anyhow!("not the leader"));
            }
            let forwarded = Join {
                forwarded: true,
                ..join
            };
            let leader = self.leader_addr().await?;
            return self.post(&leader, "join", &forwarded).await;
        }
        let _one_at_a_time = self.join_lock.lock().await;
        let membership = self.raft.metrics().borrow().membership_config.clone();
        let membership = membership.membership();
        if membership.voter_ids().any(|v| v == join.id) {
            return Ok(());
        }
        let stale: BTreeSet<NodeId> = membership
            .nodes()
            .filter(|(id, node)| node.addr == join.addr && **id != join.id)
            .map(|(id, _)| *id)
            .collect();
        self.raft
            .add_learner(join.id, BasicNode::new(&join.addr), true)
            .await?;
        self.raft
            .change_membership(ChangeMembers::AddVoterIds(BTreeSet::from([join.id])), false)
            .await?;
        tracing::info!(node_id = join.id, addr = %join.addr, "added a producer to the group");
        if !stale.is_empty() {
            self.raft
                .change_membership(ChangeMembers::RemoveVoters(stale.clone()), false)
                .await?;
            tracing::info!(removed = ?stale, addr = %join.addr, "removed the node's previous incarnation");
        }
        Ok(())
    }

    /// The leader's Raft address.
    async fn leader_addr(&self) -> Result<String> {
        let leader = self
            .raft
            .current_leader()
            .await
            .ok_or_else(|| anyhow!("no leader"))?;
        let metrics = self.raft.metrics().borrow().clone();
        let node = metrics
            .membership_config
            .membership()
            .get_node(&leader)
            .cloned()
            .ok_or_else(|| anyhow!("leader address unknown"))?;
        Ok(node.addr)
    }

    /// Retires a node for good (`POST /group/retire`): it stops being a
    /// voter. Stop the producer first; its shards move when its lease ends
    /// (or at once, if it stopped cleanly).
    async fn retire(&self, retire: Retire) -> Result<()> {
        // The leader may be the producer just stopped: retry through the
        // election that follows.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.retire_once(&retire).await {
                Err(e) if Instant::now() < deadline => {
                    tracing::debug!(error = %e, "retire: retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                result => return result,
            }
        }
    }

    async fn retire_once(&self, retire: &Retire) -> Result<()> {
        if self.raft.metrics().borrow().state != ServerState::Leader {
            if retire.forwarded {
                return Err(anyhow!("not the leader"));
            }
            let forwarded = Retire {
                forwarded: true,
                node_id: retire.node_id,
            };
            let leader = self.leader_addr().await?;
            return self.post(&leader, "retire", &forwarded).await;
        }
        let _one_at_a_time = self.join_lock.lock().await;
        let membership = self.raft.metrics().borrow().membership_config.clone();
        if !membership
            .membership()
            .nodes()
            .any(|(id, _)| *id == retire.node_id)
        {
            return Ok(());
        }
        let gone = BTreeSet::from([retire.node_id]);
        self.raft
            .change_membership(ChangeMembers::RemoveVoters(gone), false)
            .await?;
        tracing::info!(
            node_id = retire.node_id,
            "retired a producer from the group"
        );
        Ok(())
    }

    async fn status(&self) -> Status {
        let metrics = self.raft.metrics().borrow().clone();
        let group = self.sm.applied.read().await.group.clone();
        let owned = self.lease.ownership();
        Status {
            node_id: self.id,
            member: self.lease.member().to_owned(),
            initialized: metrics
                .membership_config
                .membership()
                .voter_ids()
                .next()
                .is_some(),
            leader: metrics.current_leader,
            voters: metrics.membership_config.membership().voter_ids().collect(),
            epoch: group.epoch,
            partition: group.partition(),
            owned: owned.as_ref().and_then(|o| o.shards),
            owned_epoch: owned.map(|o| o.epoch),
        }
    }
}

fn log_ownership(member: &str, epoch: u64, ownership: Option<&crate::coordination::Ownership>) {
    match ownership.and_then(|o| o.shards) {
        Some((first, last)) => {
            tracing::info!(member, epoch, shards = %format!("{first}-{last}"), "shards owned")
        }
        None => tracing::info!(member, epoch, "no shards owned"),
    }
}

fn data_dir_error(dir: &Path) -> String {
    format!("[service:producer] raft_data_dir {}", dir.display())
}

/// This node's id: read from the data directory, or new (random) when the
/// directory is empty — a node that lost its disk comes back as a new
/// member, never under its old id (it could vote twice in a term).
fn node_id(dir: &Path) -> Result<NodeId> {
    let context = || format!("{}: not usable", data_dir_error(dir));
    std::fs::create_dir_all(dir).with_context(context)?;
    let path = dir.join("node_id");
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse()
            .with_context(|| format!("{}: bad node_id file", data_dir_error(dir))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = rand::random::<u64>() >> 1 | 1;
            write_atomic(&path, id.to_string().as_bytes()).with_context(context)?;
            Ok(id)
        }
        Err(e) => Err(e).with_context(context),
    }
}
