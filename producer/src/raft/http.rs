//! The HTTP service on `raft_listen`: Raft RPCs from peers, group writes and
//! joins forwarded to the leader, status and metrics.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use openraft::raft::{AppendEntriesRequest, InstallSnapshotRequest, VoteRequest};

use super::{Join, Member, NodeId, Retire, Status, TypeConfig};
use crate::group::{Command, Reply};

type Shared = State<Arc<Member>>;

/// Serves until the process ends.
pub fn serve(member: Arc<Member>, listener: tokio::net::TcpListener) {
    let app = Router::new()
        .route("/raft/{to}/append", post(append))
        .route("/raft/{to}/vote", post(vote))
        .route("/raft/{to}/snapshot", post(snapshot))
        .route("/group/write", post(write))
        .route("/group/join", post(join))
        .route("/group/retire", post(retire))
        .route("/group/status", get(status))
        .route("/metrics", get(metrics))
        .with_state(member);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "producer group HTTP service stopped");
        }
    });
}

/// Raft RPCs name the node they are for; another node at that address
/// (a new incarnation after a disk loss) must not answer them.
fn addressed_to_me(m: &Member, to: NodeId) -> Result<(), StatusCode> {
    if to == m.id {
        Ok(())
    } else {
        Err(StatusCode::MISDIRECTED_REQUEST)
    }
}

async fn append(
    State(m): Shared,
    Path(to): Path<NodeId>,
    Json(request): Json<AppendEntriesRequest<TypeConfig>>,
) -> Result<Json<impl serde::Serialize>, StatusCode> {
    addressed_to_me(&m, to)?;
    Ok(Json(m.raft.append_entries(request).await))
}

async fn vote(
    State(m): Shared,
    Path(to): Path<NodeId>,
    Json(request): Json<VoteRequest<NodeId>>,
) -> Result<Json<impl serde::Serialize>, StatusCode> {
    addressed_to_me(&m, to)?;
    Ok(Json(m.raft.vote(request).await))
}

async fn snapshot(
    State(m): Shared,
    Path(to): Path<NodeId>,
    Json(request): Json<InstallSnapshotRequest<TypeConfig>>,
) -> Result<Json<impl serde::Serialize>, StatusCode> {
    addressed_to_me(&m, to)?;
    Ok(Json(m.raft.install_snapshot(request).await))
}

/// A command from a member, written here (this node should be the leader;
/// a stale guess gets an error and the member retries).
async fn write(State(m): Shared, Json(command): Json<Command>) -> Json<Result<Reply, String>> {
    let result = m.raft.client_write(command).await;
    Json(result.map(|r| r.data).map_err(|e| e.to_string()))
}

async fn join(State(m): Shared, Json(request): Json<Join>) -> Json<Result<(), String>> {
    Json(m.join(request).await.map_err(|e| format!("{e:#}")))
}

async fn retire(State(m): Shared, Json(request): Json<Retire>) -> Json<Result<(), String>> {
    Json(m.retire(request).await.map_err(|e| format!("{e:#}")))
}

async fn status(State(m): Shared) -> Json<Status> {
    Json(m.status().await)
}

async fn metrics(State(m): Shared) -> String {
    m.counters.render()
}
