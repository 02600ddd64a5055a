//! The calling side: `call`, `cast`, `notify`, and the reply listener.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use lapin::BasicProperties;
use lapin::options::BasicConsumeOptions;
use lapin::types::FieldTable;
use serde_json::{Map, Value};
use tokio::time::{Instant, sleep, timeout_at};
use tracing::warn;

use crate::Bus;
use crate::envelope::{NotificationMessage, ReplyTo, RequestMessage, new_id};
use crate::error::{BusError, CallError};
use crate::link::{Link, Outgoing, Shared};
use crate::topology::{self, check_topic, short};

/// AMQP delivery mode 2: the broker writes the message to disk.
pub(crate) const PERSISTENT: u8 = 2;
/// Delivery mode 1: replies live in a transient queue, so disk is wasted on them.
pub(crate) const TRANSIENT: u8 = 1;

/// Properties of every message we publish (oslo/kombu's JSON serializer).
pub(crate) fn json_properties(delivery_mode: u8) -> BasicProperties {
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_content_encoding("utf-8".into())
        .with_delivery_mode(delivery_mode)
}

impl Bus {
    /// RPC call with the configured `rpc_response_timeout`: publishes to the
    /// control exchange with routing key `topic` and waits for the reply.
    pub async fn call(
        &self,
        topic: &str,
        version: &str,
        ctx: &Map<String, Value>,
        method: &str,
        args: Map<String, Value>,
    ) -> Result<Value, CallError> {
        let timeout = self.shared.cfg.rpc_timeout;
        self.call_with_timeout(topic, version, ctx, method, args, timeout)
            .await
    }

    /// RPC call with its own timeout. The request carries the timeout as its
    /// AMQP `expiration`, so a server that was down does not run it late.
    pub async fn call_with_timeout(
        &self,
        topic: &str,
        version: &str,
        ctx: &Map<String, Value>,
        method: &str,
        args: Map<String, Value>,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        check_topic(topic)?;
        let deadline = Instant::now() + timeout;
        let msg_id = new_id();
        let (_pending, reply) = self.shared.expect_reply(&msg_id);
        let request = RequestMessage {
            method: method.to_owned(),
            args,
            version: version.to_owned(),
            context: ctx.clone(),
            reply_to: Some(ReplyTo {
                msg_id,
                reply_q: self.shared.reply_queue.clone(),
            }),
        };
        let expiration = timeout.as_millis().max(1).to_string();
        let msg = Outgoing {
            exchange: &self.shared.cfg.exchange,
            routing_key: topic,
            body: request.encode(),
            properties: json_properties(PERSISTENT).with_expiration(expiration.into()),
            mandatory: false,
        };
        self.shared.publish(msg, deadline).await?;
        match timeout_at(deadline, reply).await {
            Err(_) => Err(CallError::Timeout),
            Ok(Err(_)) => Err(CallError::Bus(BusError::Closed)),
            Ok(Ok(outcome)) => outcome.map_err(CallError::Remote),
        }
    }

    /// RPC cast: returns once the broker has confirmed that it stored the
    /// message in the topic's durable shared queue (declared here if no
    /// server declared it yet), so a cast is kept until a server takes it.
    pub async fn cast(
        &self,
        topic: &str,
        version: &str,
        ctx: &Map<String, Value>,
        method: &str,
        args: Map<String, Value>,
    ) -> Result<(), BusError> {
        check_topic(topic)?;
        let request = RequestMessage {
            method: method.to_owned(),
            args,
            version: version.to_owned(),
            context: ctx.clone(),
            reply_to: None,
        };
        let msg = Outgoing {
            exchange: &self.shared.cfg.exchange,
            routing_key: topic,
            body: request.encode(),
            properties: json_properties(PERSISTENT),
            mandatory: true,
        };
        let deadline = Instant::now() + self.shared.cfg.rpc_timeout;
        // Declare the topic's shared queue as its servers would: a cast sent
        // before any server of the topic ever started waits there instead of
        // being lost (design.md: nothing accepted is lost).
        self.ensure_durable_queue(topic, deadline).await?;
        self.shared.publish(msg, deadline).await
    }

    /// Publishes a notification to the control exchange with routing key
    /// `<topic>.<priority lower-case>` (e.g. `notifications.info`), into a
    /// durable queue of that name, declared if missing as oslo's notifier does.
    pub async fn notify(
        &self,
        topic: &str,
        priority: &str,
        event_type: &str,
        publisher_id: &str,
        ctx: &Map<String, Value>,
        payload: Value,
    ) -> Result<(), BusError> {
        check_topic(topic)?;
        let routing_key = format!("{topic}.{}", priority.to_lowercase());
        short(&routing_key)?;
        let note = NotificationMessage {
            publisher_id: publisher_id.to_owned(),
            event_type: event_type.to_owned(),
            priority: priority.to_uppercase(),
            payload,
            context: ctx.clone(),
        };
        let exchange = &self.shared.cfg.exchange;
        let deadline = Instant::now() + self.shared.cfg.rpc_timeout;
        self.ensure_durable_queue(&routing_key, deadline).await?;
        let msg = Outgoing {
            exchange,
            routing_key: &routing_key,
            body: note.encode(),
            properties: json_properties(PERSISTENT),
            mandatory: true,
        };
        self.shared.publish(msg, deadline).await
    }

    /// Declares (once per link) the durable queue `key` bound to the control
    /// exchange, waiting for a healthy link until `deadline`.
    async fn ensure_durable_queue(&self, key: &str, deadline: Instant) -> Result<(), BusError> {
        let link = timeout_at(deadline, self.shared.wait_link())
            .await
            .map_err(|_| BusError::Unavailable(self.shared.cfg.rpc_timeout))??;
        link.ensure_durable_queue(&self.shared.cfg.exchange, key)
            .await
    }
}

/// Consumes this process's reply queue for the life of the bus, across reconnects.
pub(crate) async fn listen_replies(shared: Arc<Shared>) {
    while let Ok(link) = shared.wait_link().await {
        match consume_replies(&shared, &link).await {
            Ok(()) => return,
            Err(_) if shared.is_closed() => return,
            Err(err) => {
                warn!(%err, queue = shared.reply_queue, "reply consumer stopped; resuming");
                shared.report_broken();
                sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// `Ok` when the bus closes, `Err` when the link or the consumer fails.
async fn consume_replies(shared: &Shared, link: &Link) -> Result<(), BusError> {
    let ch = link.conn.create_channel().await?;
    // Re-declared here too: a new broker after failover does not know it yet.
    topology::declare_transient_queue(&ch, &shared.reply_queue, false).await?;
    let options = BasicConsumeOptions {
        // A lost reply only matters to a caller that is itself gone.
        no_ack: true,
        ..BasicConsumeOptions::default()
    };
    let mut consumer = ch
        .basic_consume(
            short(&shared.reply_queue)?,
            "".into(),
            options,
            FieldTable::default(),
        )
        .await?;
    let mut closed = shared.closed_watch();
    loop {
        tokio::select! {
            _ = closed.wait_for(|closed| *closed) => return Ok(()),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => shared.deliver_reply(&delivery.data),
                Some(Err(err)) => return Err(err.into()),
                None => return Err(BusError::Cancelled(shared.reply_queue.clone())),
            },
        }
    }
}
