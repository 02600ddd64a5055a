//! Typed sections with the defaults of spec/config.md.

mod api;
mod auth;
mod central;
mod coordination;
mod default;
mod mdns;
mod producer;
mod sink;
mod storage;
mod worker;

pub use api::{Api, AuthStrategy};
pub use auth::{KeystoneAuthtoken, OsloPolicy};
pub use central::Central;
pub use coordination::{Coordination, EmitterType, HeartbeatEmitter};
pub use default::{
    DefaultSection, NotificationPlugin, Notifications, QuotaDriver, SUPPORTED_RECORD_TYPES,
};
pub use mdns::Mdns;
pub use producer::{PRODUCER_TASK_NAMES, Producer, ProducerRaft, ProducerTask, ProducerTasks};
pub use sink::{NotificationHandler, Sink};
pub use storage::{SqlxUrl, Storage, sqlx_url};
pub use worker::Worker;

pub(crate) use default::{DEFAULT_STATE_PATH, machine_hostname};
