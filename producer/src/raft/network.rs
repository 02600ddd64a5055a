//! Raft RPCs between producers over HTTP (axum serves, reqwest sends), never
//! over the message bus: a RabbitMQ outage must not re-shard the group.

use std::time::Duration;

use openraft::error::{
    InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Node, NodeId, TypeConfig};

/// Creates a connection per peer; all share one HTTP client.
#[derive(Clone)]
pub struct Network {
    pub client: reqwest::Client,
}

impl Network {
    /// `local`: the address connections leave from, if set.
    pub fn new(local: Option<std::net::IpAddr>) -> Network {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(500))
            .local_address(local)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Network { client }
    }
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = Connection;

    async fn new_client(&mut self, target: NodeId, node: &Node) -> Connection {
        Connection {
            client: self.client.clone(),
            target,
            addr: node.addr.clone(),
        }
    }
}

/// The way to one peer.
pub struct Connection {
    client: reqwest::Client,
    target: NodeId,
    addr: String,
}

impl Connection {
    async fn send<Req, Resp, Err>(
        &self,
        path: &str,
        request: &Req,
        ttl: Duration,
    ) -> Result<Resp, RPCError<NodeId, Node, Err>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
        Err: std::error::Error + DeserializeOwned,
    {
        // The target id is in the path: a node that lost its disk and came
        // back at the same address under a new id refuses what was meant
        // for its old self (openraft panics on a follower log that shrinks).
        let url = format!("http://{}/raft/{}/{path}", self.addr, self.target);
        let response = self
            .client
            .post(url)
            .timeout(ttl)
            .json(request)
            .send()
            .await
            .map_err(|e| {
                // Unreachable makes openraft back off instead of retrying at once.
                if e.is_connect() {
                    RPCError::Unreachable(Unreachable::new(&e))
                } else {
                    RPCError::Network(NetworkError::new(&e))
                }
            })?;
        if !response.status().is_success() {
            let refused =
                std::io::Error::other(format!("{} answered {}", self.addr, response.status()));
            return Err(RPCError::Unreachable(Unreachable::new(&refused)));
        }
        let result: Result<Resp, Err> = response
            .json()
            .await
            .map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        result.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }
}

type RpcResult<T, E = openraft::error::Infallible> =
    Result<T, RPCError<NodeId, Node, RaftError<NodeId, E>>>;

impl RaftNetwork<TypeConfig> for Connection {
    async fn append_entries(
        &mut self,
        request: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<AppendEntriesResponse<NodeId>> {
        self.send("append", &request, option.hard_ttl()).await
    }

    async fn install_snapshot(
        &mut self,
        request: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<InstallSnapshotResponse<NodeId>, InstallSnapshotError> {
        self.send("snapshot", &request, option.hard_ttl()).await
    }

    async fn vote(
        &mut self,
        request: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> RpcResult<VoteResponse<NodeId>> {
        self.send("vote", &request, option.hard_ttl()).await
    }
}
