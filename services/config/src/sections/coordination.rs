//! `[coordination]` and `[heartbeat_emitter]`.

use std::time::Duration;

use crate::error::ConfigError;
use crate::raw::RawConfig;

/// `[coordination]`. Designate's tooz options; Delegate's producers
/// coordinate among themselves (Raft), so `backend_url` is not required.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordination {
    pub backend_url: Option<String>,
    pub heartbeat_interval: Duration,
    /// How often group membership is checked.
    pub run_watchers_interval: Duration,
}

impl Coordination {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("coordination");
        Ok(Coordination {
            backend_url: s.opt_string("backend_url")?,
            heartbeat_interval: s.seconds("heartbeat_interval", Duration::from_secs(5))?,
            run_watchers_interval: s.seconds("run_watchers_interval", Duration::from_secs(10))?,
        })
    }
}

/// How heartbeats are emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitterType {
    /// Cast `update_service_status` to central.
    Rpc,
    /// Only log.
    Noop,
}

/// `[heartbeat_emitter]`.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatEmitter {
    pub heartbeat_interval: Duration,
    pub emitter_type: EmitterType,
}

impl HeartbeatEmitter {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("heartbeat_emitter");
        Ok(HeartbeatEmitter {
            heartbeat_interval: s.seconds("heartbeat_interval", Duration::from_secs(10))?,
            emitter_type: s.choice(
                "emitter_type",
                EmitterType::Rpc,
                &[("rpc", EmitterType::Rpc), ("noop", EmitterType::Noop)],
            )?,
        })
    }
}
