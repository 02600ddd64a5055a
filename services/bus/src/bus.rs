//! The `Bus` handle: connect and close.

use std::sync::Arc;

use crate::client::listen_replies;
use crate::config::BusConfig;
use crate::error::BusError;
use crate::link::{Shared, close_link, supervise};

/// A connection to the message bus; cheap to clone, every clone shares the
/// one (reconnecting) broker connection and the process's reply queue.
#[derive(Clone)]
pub struct Bus {
    pub(crate) shared: Arc<Shared>,
    /// Closes the bus when the last handle goes, stopping background tasks.
    _last_handle: Arc<CloseOnDrop>,
}

struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.shut();
    }
}

impl Bus {
    /// Connects to the first broker of `cfg.brokers` that answers (each is
    /// tried once) and starts the reply listener and the reconnect supervisor.
    /// Later connection losses are retried without end, with back-off.
    pub async fn connect(cfg: BusConfig) -> Result<Bus, BusError> {
        if cfg.brokers.is_empty() {
            return Err(BusError::InvalidConfig(
                "transport_url lists no broker".into(),
            ));
        }
        let shared = Arc::new(Shared::new(cfg));
        let link = shared.connect_first().await?;
        shared.install(link.clone());
        tokio::spawn(supervise(shared.clone(), link));
        tokio::spawn(listen_replies(shared.clone()));
        Ok(Bus {
            _last_handle: Arc::new(CloseOnDrop(shared.clone())),
            shared,
        })
    }

    /// Closes the connection. Pending calls fail with `Closed`, `serve`
    /// loops return. To finish running handlers first, resolve the `serve`
    /// shutdown futures and await `serve` before closing.
    pub async fn close(&self) {
        if let Some(link) = self.shared.shut() {
            close_link(&link).await;
        }
    }

    pub fn config(&self) -> &BusConfig {
        &self.shared.cfg
    }

    /// This process's reply queue, `reply_<uuid hex>`.
    pub fn reply_queue(&self) -> &str {
        &self.shared.reply_queue
    }

    /// The `connection_name` client property of our broker connections.
    pub fn connection_name(&self) -> &str {
        self.shared.connection_name()
    }
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("config", &self.shared.cfg)
            .field("reply_queue", &self.shared.reply_queue)
            .finish_non_exhaustive()
    }
}
