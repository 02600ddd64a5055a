//! The producer service: periodic jobs sharded by Raft group membership.

pub mod rpc;
