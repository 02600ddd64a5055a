//! The producer service: periodic jobs sharded by Raft group membership.

pub mod coordination;
pub mod group;
pub mod raft;
pub mod rpc;
pub mod runner;
pub mod tasks;

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use delegate_config::Config;

use coordination::{Alone, Coordination};
use runner::Counters;

/// How this producer coordinates: alone (no `raft_peers`), or as a member
/// of the Raft group (returned so that it can leave on shutdown).
pub async fn coordinate(
    config: &Config,
    counters: Arc<Counters>,
) -> Result<(Arc<dyn Coordination>, Option<Arc<raft::Member>>)> {
    let r = &config.producer.raft;
    if r.peers.is_empty() {
        tracing::info!("no [service:producer] raft_peers: this producer owns all 4096 shards");
        if let Some(listen) = &r.listen {
            // No group to serve, but the run counters are still worth reading.
            let listener = tokio::net::TcpListener::bind(listen.to_string())
                .await
                .with_context(|| {
                    format!("[service:producer] raft_listen {listen}: cannot listen")
                })?;
            runner::serve_metrics(counters, listener);
        }
        let alone = Alone {
            member: config.default.host.clone(),
        };
        return Ok((Arc::new(alone), None));
    }
    let Some(listen) = r.listen.clone() else {
        bail!("[service:producer] raft_listen is required when raft_peers is set");
    };
    let advertise = r.advertise.clone().unwrap_or_else(|| listen.clone());
    if !r.peers.contains(&advertise) {
        bail!(
            "[service:producer] raft_peers must list this producer's address ({advertise}, \
             its raft_advertise or else raft_listen) as written there"
        );
    }
    let settings = raft::Settings {
        host: config.default.host.clone(),
        listen,
        advertise,
        peers: r.peers.clone(),
        data_dir: r.data_dir.clone(),
        lease: r.lease_duration,
    };
    let member = raft::Member::start(settings, counters).await?;
    Ok((member.lease(), Some(member)))
}
