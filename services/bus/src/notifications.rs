//! Notification listeners: the consuming side of oslo.messaging's notifier
//! (spec/services.md §2, §7), as designate-sink uses it.
//!
//! Layout (oslo's rabbit driver): for each target `(exchange, topic)` the
//! topic exchange `exchange` and a queue bound to it with routing key
//! `<topic>.info`. The queue is named `<topic>.info`, or the listener pool
//! name when one is given (listeners of one pool share a queue, each pool
//! gets its own copy). Only the `info` priority is consumed. Bodies may be
//! messaging v2 envelopes (`oslo.message` JSON string) or v1 bare messages.
//!
//! Delivery follows the rest of the bus: durable queues; a message is
//! acknowledged only after its handler returned; a failure is dropped,
//! retried with back-off or parked in `parked.<queue>` as
//! [`crate::redelivery`] decides from the handler's [`Retry`]. A body that
//! is not a notification is logged and acknowledged.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::stream::{SelectAll, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, ExchangeKind};
use serde_json::{Map, Value};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::sleep;
use tracing::{debug, error, info, warn};

use crate::Bus;
use crate::backoff::Backoff;
use crate::envelope::unwrap;
use crate::error::BusError;
use crate::failure::RemoteError;
use crate::link::{Link, Shared};
use crate::redelivery::{self, Retry, Verdict};
use crate::server::PREFETCH;
use crate::topology::{self, check_topic, short};

/// The only priority listened to (the sink's endpoints define `info` only).
const PRIORITY: &str = "info";

/// Where notifications come from: oslo's `Target(exchange=…, topic=…)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationTarget {
    pub exchange: String,
    pub topic: String,
}

/// One notification as a handler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// oslo's `message_id` (a hyphenated UUID), if the sender set one.
    pub message_id: Option<String>,
    pub publisher_id: Option<String>,
    pub event_type: String,
    /// As sent, e.g. `INFO`.
    pub priority: String,
    pub payload: Value,
    pub timestamp: Option<String>,
    /// The sender's context, `_context_` prefix stripped.
    pub context: Map<String, Value>,
}

impl Notification {
    /// Decodes a body: a v2 envelope or a v1 bare message.
    pub fn decode(body: &[u8]) -> Result<Notification, BusError> {
        let mut inner = unwrap(body)?;
        let event_type = match inner.remove("event_type") {
            Some(Value::String(e)) if !e.is_empty() => e,
            _ => {
                return Err(BusError::Malformed(
                    "notification without an event_type".into(),
                ));
            }
        };
        let text = |inner: &mut Map<String, Value>, key: &str| match inner.remove(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let message_id = text(&mut inner, "message_id");
        let publisher_id = text(&mut inner, "publisher_id");
        let priority = text(&mut inner, "priority").unwrap_or_else(|| PRIORITY.to_uppercase());
        let timestamp = text(&mut inner, "timestamp");
        let payload = inner.remove("payload").unwrap_or(Value::Null);
        let context = inner
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix("_context_").map(|k| (k.to_owned(), v)))
            .collect();
        Ok(Notification {
            message_id,
            publisher_id,
            event_type,
            priority,
            payload,
            timestamp,
            context,
        })
    }
}

/// Handles notifications. Like RPC handlers, it must be idempotent: a
/// notification whose acknowledgement was lost is delivered again.
pub trait NotificationHandler: Send + Sync + 'static {
    fn handle(
        &self,
        notification: Notification,
    ) -> impl Future<Output = Result<(), RemoteError>> + Send;

    /// How a failure may be retried ([`crate::redelivery`]); by default a
    /// panic a few times, nothing else.
    fn retry(&self, err: &RemoteError) -> Retry {
        if err.class == "RuntimeError" && err.module == "builtins" {
            Retry::Bounded
        } else {
            Retry::Never
        }
    }
}

/// The queue a listener consumes and the bindings that fill it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ListenQueue {
    name: String,
    /// `(exchange, routing key)`.
    bindings: Vec<(String, String)>,
}

/// The queues of `targets` (oslo: queue `pool or <topic>.<priority>`, bound
/// with routing key `<topic>.<priority>`), each once.
fn listen_queues(
    targets: &[NotificationTarget],
    pool: Option<&str>,
) -> Result<Vec<ListenQueue>, BusError> {
    let mut queues: Vec<ListenQueue> = Vec::new();
    for target in targets {
        check_topic(&target.topic)?;
        short(&target.exchange)?;
        let key = format!("{}.{PRIORITY}", target.topic);
        short(&key)?;
        let name = pool.filter(|p| !p.is_empty()).unwrap_or(&key).to_owned();
        short(&redelivery::parked_queue(&name))?;
        let binding = (target.exchange.clone(), key);
        match queues.iter_mut().find(|q| q.name == name) {
            Some(q) if q.bindings.contains(&binding) => {}
            Some(q) => q.bindings.push(binding),
            None => queues.push(ListenQueue {
                name,
                bindings: vec![binding],
            }),
        }
    }
    Ok(queues)
}

struct Listener<H> {
    shared: Arc<Shared>,
    handler: Arc<H>,
    /// Set when the listener stops: held retries go back to the queue at once.
    stop: watch::Sender<bool>,
}

impl Bus {
    /// Listens for `info` notifications of `targets` until `shutdown`
    /// completes or the bus is closed (see the module documentation).
    ///
    /// Up to [`PREFETCH`] notifications are handled at once, each in its own
    /// task. On shutdown it stops taking messages and waits for running
    /// handlers; held retries are given back to the queue. A lost connection
    /// is waited out; only invalid names make this return an error.
    pub async fn listen_notifications<H: NotificationHandler>(
        &self,
        targets: &[NotificationTarget],
        pool: Option<&str>,
        handler: Arc<H>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), BusError> {
        let queues = listen_queues(targets, pool)?;
        if queues.is_empty() {
            return Err(BusError::InvalidConfig(
                "no notification target to listen to".into(),
            ));
        }
        let listener = Arc::new(Listener {
            shared: self.shared.clone(),
            handler,
            stop: watch::channel(false).0,
        });
        let mut shutdown = pin!(shutdown);
        let mut tasks = JoinSet::new();
        let mut failures = 0u32;
        loop {
            let link = tokio::select! {
                link = self.shared.wait_link() => match link {
                    Ok(link) => link,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let outcome = listener
                .run(&link, &queues, shutdown.as_mut(), &mut tasks, &mut failures)
                .await;
            let err = match outcome {
                Ok(()) => break,
                Err(_) if self.shared.is_closed() => break,
                Err(err) => err,
            };
            warn!(%err, "stopped listening for notifications; resuming");
            self.shared.report_broken();
            let delay = Backoff::RECONNECT.delay(failures);
            failures = failures.saturating_add(1);
            tokio::select! {
                () = sleep(delay) => {}
                () = &mut shutdown => break,
            }
        }
        listener.stop.send_replace(true);
        if self.shared.is_closed() {
            tasks.detach_all();
        } else {
            while let Some(done) = tasks.join_next().await {
                log_task_end(done);
            }
        }
        Ok(())
    }
}

impl<H: NotificationHandler> Listener<H> {
    /// Consumes on one link until the link or a consumer fails (`Err`), or
    /// shutdown or the bus closing (`Ok`). On shutdown the consumers are
    /// cancelled but the channel stays open until the running handlers
    /// have acknowledged their messages.
    async fn run<S: Future<Output = ()>>(
        self: &Arc<Self>,
        link: &Link,
        queues: &[ListenQueue],
        mut shutdown: Pin<&mut S>,
        tasks: &mut JoinSet<()>,
        failures: &mut u32,
    ) -> Result<(), BusError> {
        let ch = declare(link, queues).await?;
        let mut deliveries = consume_all(&ch, queues).await?;
        *failures = 0;
        let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
        info!(queues = ?names, broker = %link.broker, "listening for notifications");
        let mut closed = self.shared.closed_watch();
        let outcome = loop {
            tokio::select! {
                () = &mut shutdown => break Ok(()),
                _ = closed.wait_for(|closed| *closed) => return Ok(()),
                Some(done) = tasks.join_next(), if !tasks.is_empty() => log_task_end(done),
                next = deliveries.next() => match next {
                    Some((queue, Ok(delivery))) => {
                        tasks.spawn(self.clone().process(queue, delivery));
                    }
                    Some((_, Err(err))) => break Err(err.into()),
                    None => break Err(BusError::Cancelled(names.join(","))),
                },
            }
        };
        drop(deliveries);
        if outcome.is_ok() {
            self.stop.send_replace(true);
            while let Some(done) = tasks.join_next().await {
                log_task_end(done);
            }
            topology::close_quietly(ch).await;
        }
        outcome
    }

    /// One delivery: decode, handle, then acknowledge — or retry or park a
    /// failure first.
    async fn process(self: Arc<Self>, queue: Arc<str>, delivery: Delivery) {
        let note = match Notification::decode(&delivery.data) {
            Ok(note) => note,
            Err(err) => {
                warn!(queue = %queue, %err, "dropping a message that is not a notification");
                return settle(delivery.acker.ack(BasicAckOptions::default()).await);
            }
        };
        if !note.priority.eq_ignore_ascii_case(PRIORITY) {
            debug!(queue = %queue, priority = note.priority, event_type = note.event_type, "not an info notification; skipped");
            return settle(delivery.acker.ack(BasicAckOptions::default()).await);
        }
        let event_type = note.event_type.clone();
        let message_id = note.message_id.clone().unwrap_or_default();
        let outcome = match AssertUnwindSafe(self.handler.handle(note))
            .catch_unwind()
            .await
        {
            Ok(outcome) => outcome,
            Err(_) => {
                error!(event_type, message_id, "notification handler panicked");
                Err(RemoteError::internal(format!(
                    "handler of {event_type} panicked"
                )))
            }
        };
        match outcome {
            Ok(()) => settle(delivery.acker.ack(BasicAckOptions::default()).await),
            Err(err) => {
                self.failed(&queue, &delivery, &event_type, &message_id, &err)
                    .await
            }
        }
    }

    /// Drops, retries after a back-off, or parks a failed notification, as
    /// [`redelivery::verdict`] says; acknowledged once that is done.
    async fn failed(
        &self,
        queue: &str,
        delivery: &Delivery,
        event_type: &str,
        message_id: &str,
        err: &RemoteError,
    ) {
        let headers = delivery.properties.headers().as_ref();
        let attempts = redelivery::attempts_of(headers);
        let settled = match redelivery::verdict(self.handler.retry(err), attempts) {
            Verdict::Drop => {
                warn!(queue, event_type, message_id, %err, "notification not usable; dropped");
                Ok(())
            }
            Verdict::RetryAfter(delay) => {
                info!(queue, event_type, message_id, attempt = attempts + 1, ?delay, %err, "notification failed; will retry");
                if !self.hold(delay).await {
                    return settle(delivery.acker.nack(requeue()).await);
                }
                let headers = redelivery::with_attempts(headers, attempts + 1);
                // The default exchange routes straight back to `queue`.
                redelivery::republish(&self.shared, ("", queue), delivery, headers).await
            }
            Verdict::Park => {
                let parked = redelivery::parked_queue(queue);
                error!(queue, event_type, message_id, attempts = attempts + 1, %err, parked, "notification keeps failing; parked");
                let headers =
                    redelivery::parked_headers(headers, attempts + 1, queue, &err.to_string());
                redelivery::park(&self.shared, &parked, delivery, headers).await
            }
        };
        match settled {
            Ok(()) => settle(delivery.acker.ack(BasicAckOptions::default()).await),
            Err(e) => {
                warn!(queue, event_type, message_id, %e, "could not re-queue a failed notification; the broker gets it back");
                settle(delivery.acker.nack(requeue()).await);
            }
        }
    }

    /// Sleeps `delay`; false if the listener stops or the bus closes meanwhile.
    async fn hold(&self, delay: Duration) -> bool {
        let mut closed = self.shared.closed_watch();
        let mut stopping = self.stop.subscribe();
        tokio::select! {
            () = sleep(delay) => true,
            _ = closed.wait_for(|closed| *closed) => false,
            _ = stopping.wait_for(|stopping| *stopping) => false,
        }
    }
}

/// Declares the exchanges, queues and bindings; returns the consuming channel.
async fn declare(link: &Link, queues: &[ListenQueue]) -> Result<Channel, BusError> {
    for queue in queues {
        topology::declare_durable_queue(&link.conn, &queue.name).await?;
        for (exchange, _) in &queue.bindings {
            topology::declare_exchange(&link.conn, exchange, ExchangeKind::Topic, true).await?;
        }
    }
    let ch = link.conn.create_channel().await?;
    ch.basic_qos(PREFETCH, BasicQosOptions::default()).await?;
    for queue in queues {
        for (exchange, key) in &queue.bindings {
            topology::bind(&ch, &queue.name, exchange, key).await?;
        }
    }
    Ok(ch)
}

type Deliveries = futures::stream::Map<
    lapin::Consumer,
    Box<dyn FnMut(lapin::Result<Delivery>) -> (Arc<str>, lapin::Result<Delivery>) + Send>,
>;

async fn consume_all(
    ch: &Channel,
    queues: &[ListenQueue],
) -> Result<SelectAll<Deliveries>, BusError> {
    let mut all = SelectAll::new();
    for queue in queues {
        let name: Arc<str> = Arc::from(queue.name.as_str());
        let consumer = ch
            .basic_consume(
                short(&queue.name)?,
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let tag: Box<dyn FnMut(_) -> _ + Send> = Box::new(move |d| (name.clone(), d));
        all.push(consumer.map(tag));
    }
    Ok(all)
}

fn log_task_end(done: Result<(), tokio::task::JoinError>) {
    if let Err(err) = done {
        error!(%err, "notification task ended abnormally");
    }
}

fn requeue() -> BasicNackOptions {
    BasicNackOptions {
        requeue: true,
        multiple: false,
    }
}

/// An ack/nack that did not reach the broker means a redelivery, which
/// idempotent handlers tolerate.
fn settle(result: lapin::Result<bool>) {
    if let Err(err) = result {
        debug!(%err, "acknowledgement failed; the notification will be redelivered");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(exchange: &str, topic: &str) -> NotificationTarget {
        NotificationTarget {
            exchange: exchange.into(),
            topic: topic.into(),
        }
    }

    #[test]
    fn one_info_queue_per_topic_bound_to_every_exchange() {
        let targets = [
            target("nova", "notifications"),
            target("neutron", "notifications"),
            target("nova", "notifications"),
            target("nova", "other"),
        ];
        let queues = listen_queues(&targets, None).unwrap();
        assert_eq!(
            queues,
            vec![
                ListenQueue {
                    name: "notifications.info".into(),
                    bindings: vec![
                        ("nova".into(), "notifications.info".into()),
                        ("neutron".into(), "notifications.info".into()),
                    ],
                },
                ListenQueue {
                    name: "other.info".into(),
                    bindings: vec![("nova".into(), "other.info".into())],
                },
            ]
        );
    }

    #[test]
    fn a_pool_shares_one_queue_named_after_it() {
        let targets = [target("nova", "notifications"), target("neutron", "n2")];
        let queues = listen_queues(&targets, Some("designate-sink")).unwrap();
        assert_eq!(queues.len(), 1);
        assert_eq!(queues[0].name, "designate-sink");
        assert_eq!(
            queues[0].bindings,
            vec![
                ("nova".into(), "notifications.info".into()),
                ("neutron".into(), "n2.info".into()),
            ]
        );
        assert!(listen_queues(&[target("nova", "")], None).is_err());
    }

    #[test]
    fn decodes_v2_envelopes_and_v1_bare_messages() {
        let inner = json!({
            "message_id": "6d1c9e0e-0000-4000-8000-000000000001",
            "publisher_id": "compute.host1",
            "event_type": "compute.instance.create.end",
            "priority": "INFO",
            "payload": {"instance_id": "i1"},
            "timestamp": "2026-01-01 00:00:00.000000",
            "_context_project_name": "demo",
            "_unique_id": "abc",
        });
        let v2 = json!({"oslo.version": "2.0", "oslo.message": inner.to_string()});
        for body in [v2.to_string(), inner.to_string()] {
            let note = Notification::decode(body.as_bytes()).unwrap();
            assert_eq!(note.event_type, "compute.instance.create.end");
            assert_eq!(note.priority, "INFO");
            assert_eq!(note.payload, json!({"instance_id": "i1"}));
            assert_eq!(note.context["project_name"], "demo");
            assert_eq!(note.context.len(), 1);
            assert_eq!(note.publisher_id.as_deref(), Some("compute.host1"));
        }
        for bad in [
            &b"not json"[..],
            br#"{"payload": {}}"#,
            br#"{"oslo.version": "2.0", "oslo.message": "{"}"#,
        ] {
            assert!(Notification::decode(bad).is_err());
        }
    }
}
