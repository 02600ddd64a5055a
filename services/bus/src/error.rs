//! Errors of the bus (transport problems) and of calls (which may also fail remotely).

use std::time::Duration;

use crate::failure::RemoteError;

/// A transport or configuration problem; never a remote handler's error.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("invalid transport_url: {0}")]
    InvalidTransportUrl(String),
    #[error("invalid bus configuration: {0}")]
    InvalidConfig(String),
    #[error("invalid AMQP name {name:?}: {reason}")]
    InvalidName { name: String, reason: String },
    #[error("cannot connect to broker {broker}: {reason}")]
    Connect { broker: String, reason: String },
    #[error("no broker connection was usable within {0:?}")]
    Unavailable(Duration),
    #[error("the broker refused to store the message (publisher confirm nack)")]
    Nacked,
    #[error(
        "no queue is bound for routing key {routing_key:?} on exchange {exchange:?}: message dropped"
    )]
    Unroutable {
        exchange: String,
        routing_key: String,
    },
    #[error("AMQP error: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("cannot encode message: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("malformed message from the bus: {0}")]
    Malformed(String),
    #[error("the broker cancelled our consumer of queue {0:?} (queue deleted?)")]
    Cancelled(String),
    #[error("the bus is closed")]
    Closed,
}

/// Why an RPC `call` produced no result.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server's handler failed; class/module/message as oslo.messaging encodes them.
    #[error("remote error: {0}")]
    Remote(RemoteError),
    /// No reply arrived within the call's timeout (oslo's `MessagingTimeout`).
    #[error("no reply within the RPC timeout")]
    Timeout,
    #[error(transparent)]
    Bus(#[from] BusError),
}
