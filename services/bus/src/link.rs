//! The process's one broker connection ("link") and the supervisor that
//! replaces it when it breaks, rotating over the brokers of `transport_url`.
//!
//! Users of the link (publishers, the reply listener, servers) never
//! reconnect themselves: they wait for a healthy link, and report a broken
//! one so that the supervisor notices at once rather than on its next tick.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};
use serde_json::Value;
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::{Instant, sleep, sleep_until, timeout, timeout_at};
use tracing::{debug, info, warn};

use crate::backoff::{Backoff, Rotation};
use crate::config::BusConfig;
use crate::envelope::{ReplyMessage, new_id};
use crate::error::BusError;
use crate::failure::RemoteError;
use crate::topology::{self, short};

/// Upper bound for one connection attempt (TCP + AMQP handshake + setup).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the supervisor checks the link when nobody reports trouble.
const HEALTH_TICK: Duration = Duration::from_secs(1);
/// Pause before re-publishing after a transport error, so a dying link is not hammered.
const REPUBLISH_PAUSE: Duration = Duration::from_millis(100);

pub(crate) type Outcome = Result<Value, RemoteError>;

/// One established connection with its publishing channel (publisher confirms on).
pub(crate) struct Link {
    pub conn: Connection,
    publisher: Channel,
    pub broker: String,
    pub generation: u64,
    /// Notification queues already declared on this link.
    durable_queues: Mutex<HashSet<String>>,
}

impl Link {
    pub(crate) fn healthy(&self) -> bool {
        self.conn.status().connected() && self.publisher.status().connected()
    }

    /// Publishes and waits for the broker's confirm.
    async fn publish(&self, msg: &Outgoing<'_>) -> Result<(), PublishError> {
        let options = BasicPublishOptions {
            mandatory: msg.mandatory,
            ..BasicPublishOptions::default()
        };
        let exchange = short(msg.exchange).map_err(PublishError::Refused)?;
        let key = short(msg.routing_key).map_err(PublishError::Refused)?;
        let confirm = self
            .publisher
            .basic_publish(exchange, key, options, &msg.body, msg.properties.clone())
            .await
            .map_err(PublishError::Transport)?
            .await
            .map_err(PublishError::Transport)?;
        match confirm {
            Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
            Confirmation::Ack(Some(_)) => Err(PublishError::Refused(BusError::Unroutable {
                exchange: msg.exchange.to_owned(),
                routing_key: msg.routing_key.to_owned(),
            })),
            Confirmation::Nack(_) => Err(PublishError::Refused(BusError::Nacked)),
        }
    }

    /// Declares (once per link) the durable queue a notification topic is
    /// stored in until a consumer reads it, as oslo's notifier does.
    pub(crate) async fn ensure_durable_queue(
        &self,
        exchange: &str,
        key: &str,
    ) -> Result<(), BusError> {
        if lock(&self.durable_queues).contains(key) {
            return Ok(());
        }
        topology::declare_durable_queue(&self.conn, key).await?;
        let ch = self.conn.create_channel().await?;
        topology::bind(&ch, key, exchange, key).await?;
        topology::close_quietly(ch).await;
        lock(&self.durable_queues).insert(key.to_owned());
        Ok(())
    }
}

enum PublishError {
    /// The link failed: worth retrying on a new link.
    Transport(lapin::Error),
    /// The broker or our checks refused this message: retrying will not help.
    Refused(BusError),
}

/// A message ready to publish.
pub(crate) struct Outgoing<'a> {
    pub exchange: &'a str,
    pub routing_key: &'a str,
    pub body: Vec<u8>,
    pub properties: BasicProperties,
    /// Ask the broker to return the message when no queue is bound for it.
    pub mandatory: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Our critical sections cannot leave the data half-updated; ignore poisoning.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by every clone of a `Bus` and its background tasks.
pub(crate) struct Shared {
    pub cfg: BusConfig,
    /// This process's reply queue, `reply_<uuid hex>`.
    pub reply_queue: String,
    connection_name: String,
    rotation: Rotation,
    generation: AtomicU64,
    link: watch::Sender<Option<Arc<Link>>>,
    closed: watch::Sender<bool>,
    broken: Notify,
    pending: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
}

impl Shared {
    pub(crate) fn new(cfg: BusConfig) -> Self {
        let instance = new_id();
        // Shown by `rabbitmqctl list_connections client_properties`; lets an
        // operator (and our tests) tell Delegate's connections apart.
        let connection_name = format!(
            "delegate host={} exchange={} pid={} bus={instance}",
            cfg.host,
            cfg.exchange,
            std::process::id()
        );
        Self {
            rotation: Rotation::new(cfg.brokers.len()),
            cfg,
            reply_queue: format!("reply_{instance}"),
            connection_name,
            generation: AtomicU64::new(0),
            link: watch::channel(None).0,
            closed: watch::channel(false).0,
            broken: Notify::new(),
            pending: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn connection_name(&self) -> &str {
        &self.connection_name
    }

    pub(crate) fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    pub(crate) fn closed_watch(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Tells the supervisor to check the link now.
    pub(crate) fn report_broken(&self) {
        self.broken.notify_one();
    }

    /// Marks the bus closed, fails pending calls and returns the last link.
    pub(crate) fn shut(&self) -> Option<Arc<Link>> {
        self.closed.send_replace(true);
        lock(&self.pending).clear();
        self.link.send_replace(None)
    }

    /// Waits for a healthy link; `Closed` once the bus is closed.
    pub(crate) async fn wait_link(&self) -> Result<Arc<Link>, BusError> {
        let mut links = self.link.subscribe();
        let mut closed = self.closed.subscribe();
        loop {
            if *closed.borrow_and_update() {
                return Err(BusError::Closed);
            }
            if let Some(link) = links.borrow_and_update().clone() {
                if link.healthy() {
                    return Ok(link);
                }
                self.report_broken();
            }
            tokio::select! {
                changed = links.changed() => changed.map_err(|_| BusError::Closed)?,
                _ = closed.changed() => {}
            }
        }
    }

    /// Publishes with publisher confirms, moving to a new link (and broker)
    /// on transport errors until `deadline`. A message whose confirm was lost
    /// with its link may be published twice: consumers must be idempotent.
    pub(crate) async fn publish(
        &self,
        msg: Outgoing<'_>,
        deadline: Instant,
    ) -> Result<(), BusError> {
        let unavailable = |started: Instant| BusError::Unavailable(started.elapsed());
        let started = Instant::now();
        loop {
            let link = timeout_at(deadline, self.wait_link())
                .await
                .map_err(|_| unavailable(started))??;
            match timeout_at(deadline, link.publish(&msg)).await {
                Err(_) => return Err(unavailable(started)),
                Ok(Ok(())) => return Ok(()),
                Ok(Err(PublishError::Refused(err))) => return Err(err),
                Ok(Err(PublishError::Transport(err))) => {
                    warn!(broker = %link.broker, %err, "publish failed; retrying on a new connection");
                    self.report_broken();
                    sleep_until(deadline.min(Instant::now() + REPUBLISH_PAUSE)).await;
                }
            }
        }
    }

    /// Registers a call awaiting its reply; the entry goes when the guard drops.
    pub(crate) fn expect_reply(
        &self,
        msg_id: &str,
    ) -> (PendingCall<'_>, oneshot::Receiver<Outcome>) {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(msg_id.to_owned(), tx);
        let guard = PendingCall {
            shared: self,
            msg_id: msg_id.to_owned(),
        };
        (guard, rx)
    }

    /// Hands a reply body to the call waiting for it.
    pub(crate) fn deliver_reply(&self, body: &[u8]) {
        let reply = match ReplyMessage::decode(body) {
            Ok(reply) => reply,
            Err(err) => return warn!(%err, "dropping malformed reply"),
        };
        match lock(&self.pending).remove(&reply.msg_id) {
            // The caller may have given up in the meantime; nothing to do then.
            Some(waiter) => drop(waiter.send(reply.outcome)),
            None => debug!(
                msg_id = reply.msg_id,
                "reply for a call that timed out or is unknown"
            ),
        }
    }

    /// One round over all brokers; the error of the last one if none answers.
    pub(crate) async fn connect_first(&self) -> Result<Arc<Link>, BusError> {
        let mut last = None;
        for _ in 0..self.cfg.brokers.len() {
            match self.establish(self.rotation.next()).await {
                Ok(link) => return Ok(link),
                Err(err) => {
                    warn!(%err, "broker unreachable");
                    last = Some(err);
                }
            }
        }
        Err(last.unwrap_or_else(|| BusError::InvalidConfig("transport_url lists no broker".into())))
    }

    async fn establish(&self, index: usize) -> Result<Arc<Link>, BusError> {
        let broker = self
            .cfg
            .brokers
            .get(index)
            .ok_or_else(|| BusError::InvalidConfig("transport_url lists no broker".into()))?;
        let fail = |reason: String| BusError::Connect {
            broker: broker.to_string(),
            reason,
        };
        let setup = async {
            let props = ConnectionProperties::default()
                .with_connection_name(self.connection_name.clone().into());
            let conn = Connection::connect_uri(broker.amqp_uri(), props).await?;
            let publisher = conn.create_channel().await?;
            publisher
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            topology::declare_exchange(&conn, &self.cfg.exchange, ExchangeKind::Topic, true)
                .await?;
            topology::declare_transient_queue(&publisher, &self.reply_queue, false).await?;
            Ok::<_, BusError>((conn, publisher))
        };
        let (conn, publisher) = timeout(CONNECT_TIMEOUT, setup)
            .await
            .map_err(|_| fail(format!("no answer within {CONNECT_TIMEOUT:?}")))?
            .map_err(|err| fail(err.to_string()))?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        info!(%broker, generation, "connected to the message bus");
        Ok(Arc::new(Link {
            conn,
            publisher,
            broker: broker.to_string(),
            generation,
            durable_queues: Mutex::new(HashSet::new()),
        }))
    }

    pub(crate) fn install(&self, link: Arc<Link>) {
        self.link.send_replace(Some(link));
    }
}

/// Removes a call's waiter when the call returns, whatever the outcome.
pub(crate) struct PendingCall<'a> {
    shared: &'a Shared,
    msg_id: String,
}

impl Drop for PendingCall<'_> {
    fn drop(&mut self) {
        lock(&self.shared.pending).remove(&self.msg_id);
    }
}

/// Keeps the process connected: waits until the link breaks, then connects
/// to the next broker with back-off, for as long as the bus is open.
pub(crate) async fn supervise(shared: Arc<Shared>, mut link: Arc<Link>) {
    loop {
        wait_until_broken(&shared, &link).await;
        if shared.is_closed() {
            return;
        }
        warn!(broker = %link.broker, generation = link.generation, "message bus connection lost");
        shared.link.send_replace(None);
        close_link(&link).await;
        match reconnect(&shared).await {
            Some(next) => link = next,
            None => return,
        }
        shared.install(link.clone());
    }
}

async fn wait_until_broken(shared: &Shared, link: &Link) {
    let mut closed = shared.closed_watch();
    while link.healthy() && !*closed.borrow_and_update() {
        tokio::select! {
            () = shared.broken.notified() => {}
            () = sleep(HEALTH_TICK) => {}
            _ = closed.changed() => {}
        }
    }
}

/// Connects to the next broker, backing off between attempts; `None` once closed.
async fn reconnect(shared: &Shared) -> Option<Arc<Link>> {
    let mut closed = shared.closed_watch();
    for attempt in 0u32.. {
        if *closed.borrow_and_update() {
            return None;
        }
        let index = shared.rotation.next();
        tokio::select! {
            result = shared.establish(index) => match result {
                Ok(link) => return Some(link),
                Err(err) => warn!(%err, attempt, "reconnect failed"),
            },
            _ = closed.changed() => return None,
        }
        tokio::select! {
            () = sleep(Backoff::RECONNECT.delay(attempt)) => {}
            _ = closed.changed() => return None,
        }
    }
    None
}

/// Best-effort close of a link that is being replaced or shut down.
pub(crate) async fn close_link(link: &Link) {
    if link.conn.status().connected()
        && let Err(err) = link.conn.close(200, "OK".into()).await
    {
        debug!(%err, "closing connection");
    }
}
