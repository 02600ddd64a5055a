//! delegate-bus: oslo.messaging-compatible RPC over RabbitMQ (AMQP 0-9-1, lapin).
//!
//! Wire format (spec/services.md §2): every body is the oslo 2.0 envelope
//! `{"oslo.version": "2.0", "oslo.message": "<inner JSON>"}`; requests go to
//! the topic exchange `control_exchange` with routing key `<topic>`; replies
//! go through the default exchange to the caller's `reply_<uuid hex>` queue;
//! errors travel as oslo "failure" JSON ([`RemoteError`]). Context and
//! arguments are plain JSON maps: this crate knows nothing of the domain.
//!
//! Delivery guarantees (design.md, "The message bus"):
//! - The topic exchange is durable; shared and host queues are durable
//!   quorum queues (an existing queue of another kind is used as it is);
//!   casts and calls are persistent; `cast` returns only once the broker
//!   confirmed the message (publisher confirms).
//! - A server acknowledges a request only after its handler returned (and,
//!   for a call, after the broker confirmed the reply). A request in flight
//!   when a server dies or loses its connection is delivered again, and a
//!   publish whose confirm was lost is retried: delivery is *at least once*,
//!   so **handlers must be idempotent**.
//! - The process keeps one connection. When it drops, a supervisor connects
//!   to the next broker of `transport_url` with exponential back-off (capped
//!   at 5 s); `call`/`cast` wait for it within their timeout, `serve`
//!   re-declares its queues and resumes. Nothing exits because the broker went away.

mod backoff;
mod bus;
mod client;
mod config;
mod envelope;
mod error;
mod failure;
mod link;
mod notifications;
pub mod redelivery;
mod server;
mod topology;
mod version;

pub use bus::Bus;
pub use config::{BrokerAddress, BusConfig};
pub use error::{BusError, CallError};
pub use failure::{DISPATCHER_MODULE, RemoteError};
pub use notifications::{Notification, NotificationHandler, NotificationTarget};
pub use redelivery::Retry;
pub use server::{Handler, PREFETCH, Request};
