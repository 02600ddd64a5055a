//! The serving side: consume a topic's queues and dispatch each request to a handler.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{Pin, pin};
use std::sync::Arc;

use futures::FutureExt;
use futures::stream::{SelectAll, StreamExt};
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Consumer, ExchangeKind};
use serde_json::{Map, Value};
use tokio::task::{JoinError, JoinSet};
use tokio::time::{Instant, sleep};
use tracing::{debug, error, info, warn};

use crate::Bus;
use crate::backoff::Backoff;
use crate::client::{TRANSIENT, json_properties};
use crate::envelope::{ReplyMessage, ReplyTo, RequestMessage, new_id};
use crate::error::BusError;
use crate::failure::RemoteError;
use crate::link::{Link, Outcome, Outgoing, Shared};
use crate::redelivery::{self, Retry, Verdict};
use crate::topology::{self, ServerQueues, short};
use crate::version::is_compatible;

/// Unacknowledged deliveries per consumer: bounds the handlers running at once.
pub const PREFETCH: u16 = 64;

/// One RPC request as a handler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: String,
    pub args: Map<String, Value>,
    /// The caller's context, `_context_` prefix stripped.
    pub context: Map<String, Value>,
    /// The API version the caller sent (already checked against the server's).
    pub version: String,
}

/// Serves the methods of one topic.
///
/// Requests may be delivered more than once (after a crash or a lost
/// connection, a request whose acknowledgement did not reach the broker is
/// delivered again), so handlers must be idempotent. A handler should answer
/// an unknown method with [`RemoteError::no_such_method`].
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, request: Request) -> impl Future<Output = Result<Value, RemoteError>> + Send;

    /// How a failed *cast* may be retried ([`crate::redelivery`]). Calls are
    /// never retried here: their caller is waiting for the answer. The
    /// default retries a panic a few times and nothing else.
    fn retry(&self, err: &RemoteError) -> Retry {
        if err.class == "RuntimeError" && err.module == "builtins" {
            Retry::Bounded
        } else {
            Retry::Never
        }
    }
}

struct Server<H> {
    shared: Arc<Shared>,
    handler: Arc<H>,
    topic: String,
    version: String,
}

impl Bus {
    /// Serves `topic` until `shutdown` completes or the bus is closed.
    ///
    /// Consumes the shared queue `<topic>`, the directed queue `<topic>.<host>`
    /// and a private queue on the fanout exchange `<topic>_fanout`. Requests
    /// whose `version` has another major or a newer minor than `version` (the
    /// server's API version, e.g. `"6.12"`) are answered with oslo's
    /// `UnsupportedVersion`. Each request runs in its own task (at most
    /// [`PREFETCH`] per queue); its message is acknowledged only after the
    /// handler returned and, for a call, the broker confirmed the reply.
    ///
    /// A handler that panics is answered with a `RuntimeError` failure (calls)
    /// or logged (casts), and its message acknowledged: a panic is a bug that
    /// a redelivery would only repeat. On shutdown, serving stops taking
    /// messages and waits for the running handlers to finish and be
    /// acknowledged. When the bus is closed instead, it returns at once and
    /// running handlers finish unacknowledged (their messages are redelivered).
    /// A lost connection is waited out; only invalid names or versions make
    /// this return an error.
    pub async fn serve<H: Handler>(
        &self,
        topic: &str,
        version: &str,
        handler: Arc<H>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), BusError> {
        let queues = ServerQueues::new(topic, &self.shared.cfg.host, &new_id())?;
        if !is_compatible(version, version) {
            return Err(BusError::InvalidConfig(format!(
                "server API version {version:?} is not of the form MAJOR.MINOR"
            )));
        }
        let server = Arc::new(Server {
            shared: self.shared.clone(),
            handler,
            topic: topic.to_owned(),
            version: version.to_owned(),
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
            let err = match server
                .run(&link, &queues, shutdown.as_mut(), &mut tasks, &mut failures)
                .await
            {
                Ok(()) => break,
                Err(_) if self.shared.is_closed() => break,
                Err(err) => err,
            };
            warn!(topic, %err, "stopped consuming; resuming");
            self.shared.report_broken();
            let delay = Backoff::RECONNECT.delay(failures);
            failures = failures.saturating_add(1);
            tokio::select! {
                () = sleep(delay) => {}
                () = &mut shutdown => break,
            }
        }
        if self.shared.is_closed() {
            // Their acknowledgements cannot reach the broker any more; let
            // them finish on their own rather than hold up the caller.
            tasks.detach_all();
        } else {
            drain(&mut tasks).await;
        }
        Ok(())
    }
}

impl<H: Handler> Server<H> {
    /// Consumes on one link. `Ok` on shutdown (after the running handlers
    /// finished), `Err` when the link or a consumer fails.
    async fn run<S: Future<Output = ()>>(
        self: &Arc<Self>,
        link: &Link,
        queues: &ServerQueues,
        mut shutdown: Pin<&mut S>,
        tasks: &mut JoinSet<()>,
        failures: &mut u32,
    ) -> Result<(), BusError> {
        let ch = self.declare(link, queues).await?;
        let mut deliveries = consume_all(&ch, queues).await?;
        *failures = 0;
        info!(topic = self.topic, broker = %link.broker, "serving");
        let mut closed = self.shared.closed_watch();
        let outcome = loop {
            tokio::select! {
                () = &mut shutdown => break Ok(()),
                _ = closed.wait_for(|closed| *closed) => break Ok(()),
                Some(done) = tasks.join_next(), if !tasks.is_empty() => log_task_end(done),
                next = deliveries.next() => match next {
                    Some((queue, Ok(delivery))) => {
                        tasks.spawn(self.clone().process(queue, delivery));
                    }
                    Some((_, Err(err))) => break Err(err.into()),
                    None => break Err(BusError::Cancelled(self.topic.clone())),
                },
            }
        };
        // Dropping the consumers cancels them; the channel must stay open
        // until the running handlers have acknowledged their messages.
        drop(deliveries);
        if outcome.is_ok() && !self.shared.is_closed() {
            drain(tasks).await;
            topology::close_quietly(ch).await;
        }
        outcome
    }

    /// Declares the topic's exchanges and queues; returns the consuming channel.
    async fn declare(&self, link: &Link, queues: &ServerQueues) -> Result<Channel, BusError> {
        let exchange = &self.shared.cfg.exchange;
        topology::declare_exchange(&link.conn, exchange, ExchangeKind::Topic, true).await?;
        topology::declare_exchange(
            &link.conn,
            &queues.fanout_exchange,
            ExchangeKind::Fanout,
            false,
        )
        .await?;
        topology::declare_durable_queue(&link.conn, &queues.shared).await?;
        topology::declare_durable_queue(&link.conn, &queues.host).await?;
        let ch = link.conn.create_channel().await?;
        ch.basic_qos(PREFETCH, BasicQosOptions::default()).await?;
        topology::declare_transient_queue(&ch, &queues.fanout_queue, true).await?;
        topology::bind(&ch, &queues.shared, exchange, &queues.shared).await?;
        topology::bind(&ch, &queues.host, exchange, &queues.host).await?;
        topology::bind(
            &ch,
            &queues.fanout_queue,
            &queues.fanout_exchange,
            &self.topic,
        )
        .await?;
        Ok(ch)
    }

    /// Handles one delivery: dispatch, reply (calls), then acknowledge; a
    /// failed cast is retried or parked first ([`redelivery`]).
    async fn process(self: Arc<Self>, queue: Arc<str>, delivery: Delivery) {
        let request = match RequestMessage::decode(&delivery.data) {
            Ok(request) => request,
            Err(err) => {
                warn!(topic = self.topic, %err, "dropping a message that is not an RPC request");
                return settle(
                    delivery
                        .acker
                        .reject(BasicRejectOptions { requeue: false })
                        .await,
                );
            }
        };
        let method = request.method.clone();
        let reply_to = request.reply_to.clone();
        let outcome = self.dispatch(request).await;
        match (reply_to, &outcome) {
            (Some(reply_to), _) => {
                if let Err(err) = self.reply(reply_to, outcome).await {
                    return self.reply_failed(&delivery, &method, err).await;
                }
            }
            (None, Err(err)) => return self.cast_failed(&queue, &delivery, &method, err).await,
            (None, Ok(_)) => {}
        }
        settle(delivery.acker.ack(BasicAckOptions::default()).await);
    }

    /// A cast failed: drop it, publish it again after a back-off, or park
    /// it, as [`redelivery::verdict`] says; acknowledged only once that is done.
    async fn cast_failed(&self, queue: &str, delivery: &Delivery, method: &str, err: &RemoteError) {
        let retry = self.handler.retry(err);
        let headers = delivery.properties.headers().as_ref();
        let attempts = redelivery::attempts_of(headers);
        let verdict = redelivery::verdict(retry, attempts);
        let topic = &self.topic;
        let settled = match verdict {
            Verdict::Drop => {
                warn!(topic, method, %err, "cast failed for good; dropped");
                Ok(())
            }
            Verdict::RetryAfter(delay) => {
                info!(topic, method, attempt = attempts + 1, ?delay, %err, "cast failed; will retry");
                if !self.hold(delay).await {
                    // Shutting down: give it back to the queue at once.
                    return settle(delivery.acker.nack(requeue()).await);
                }
                let headers = redelivery::with_attempts(headers, attempts + 1);
                redelivery::republish(&self.shared, ("", queue), delivery, headers).await
            }
            Verdict::Park => {
                let parked = redelivery::parked_queue(topic);
                error!(topic, method, attempts = attempts + 1, %err, queue = parked, "cast keeps failing; parked");
                let headers =
                    redelivery::parked_headers(headers, attempts + 1, queue, &err.to_string());
                redelivery::park(&self.shared, &parked, delivery, headers).await
            }
        };
        match settled {
            Ok(()) => settle(delivery.acker.ack(BasicAckOptions::default()).await),
            Err(e) => {
                warn!(topic, method, %e, "could not re-queue a failed cast; the broker gets it back");
                settle(delivery.acker.nack(requeue()).await);
            }
        }
    }

    /// Sleeps `delay`; false if the bus closed meanwhile.
    async fn hold(&self, delay: std::time::Duration) -> bool {
        let mut closed = self.shared.closed_watch();
        tokio::select! {
            () = sleep(delay) => true,
            _ = closed.wait_for(|closed| *closed) => false,
        }
    }

    async fn dispatch(&self, request: RequestMessage) -> Outcome {
        if !is_compatible(&self.version, &request.version) {
            return Err(RemoteError::unsupported_version(
                &request.version,
                &request.method,
            ));
        }
        let method = request.method.clone();
        let request = Request {
            method: request.method,
            args: request.args,
            context: request.context,
            version: request.version,
        };
        match AssertUnwindSafe(self.handler.handle(request))
            .catch_unwind()
            .await
        {
            Ok(outcome) => outcome,
            Err(panic) => {
                let what = panic_message(panic.as_ref());
                error!(topic = self.topic, method, panic = what, "handler panicked");
                Err(RemoteError::internal(format!(
                    "handler of {method} panicked: {what}"
                )))
            }
        }
    }

    async fn reply(&self, reply_to: ReplyTo, outcome: Outcome) -> Result<(), BusError> {
        if let Err(err) = &outcome {
            // Expected errors (not found, validation…) are the caller's business.
            debug!(topic = self.topic, %err, "call failed");
        }
        let body = ReplyMessage {
            msg_id: reply_to.msg_id,
            outcome,
        }
        .encode();
        let msg = Outgoing {
            // The default exchange routes to the queue named by the routing key.
            exchange: "",
            routing_key: &reply_to.reply_q,
            body,
            properties: json_properties(TRANSIENT),
            mandatory: false,
        };
        short(&reply_to.reply_q)?;
        let deadline = Instant::now() + self.shared.cfg.rpc_timeout;
        self.shared.publish(msg, deadline).await
    }

    /// Requeues when the bus was unreachable (the caller may still be
    /// waiting); drops the request when the reply itself was refused.
    async fn reply_failed(&self, delivery: &Delivery, method: &str, err: BusError) {
        let transient = matches!(err, BusError::Unavailable(_) | BusError::Amqp(_));
        warn!(topic = self.topic, method, %err, requeue = transient, "could not send the reply");
        let options = BasicNackOptions {
            requeue: transient,
            multiple: false,
        };
        settle(delivery.acker.nack(options).await);
    }
}

/// A consumer's deliveries, each with the queue it came from.
type Deliveries = futures::stream::Map<
    Consumer,
    Box<dyn FnMut(lapin::Result<Delivery>) -> (Arc<str>, lapin::Result<Delivery>) + Send>,
>;

/// Consumes the three queues of a topic on one channel, as one stream.
async fn consume_all(
    ch: &Channel,
    queues: &ServerQueues,
) -> Result<SelectAll<Deliveries>, BusError> {
    let mut all = SelectAll::new();
    for queue in [&queues.shared, &queues.host, &queues.fanout_queue] {
        let name: Arc<str> = Arc::from(queue.as_str());
        let consumer = ch
            .basic_consume(
                short(queue)?,
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

fn requeue() -> BasicNackOptions {
    BasicNackOptions {
        requeue: true,
        multiple: false,
    }
}

/// Logs an ack/nack that did not reach the broker: the message will be
/// redelivered, which idempotent handlers tolerate.
fn settle(result: lapin::Result<bool>) {
    match result {
        Ok(true) => {}
        Ok(false) => {
            debug!("delivery already settled or its channel is gone; it will be redelivered")
        }
        Err(err) => debug!(%err, "acknowledgement failed; the message will be redelivered"),
    }
}

async fn drain(tasks: &mut JoinSet<()>) {
    while let Some(done) = tasks.join_next().await {
        log_task_end(done);
    }
}

fn log_task_end(done: Result<(), JoinError>) {
    if let Err(err) = done {
        error!(%err, "request task ended abnormally");
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}
