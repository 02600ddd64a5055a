//! Exchanges and queues: oslo.messaging's names, Delegate's durability.
//!
//! Durable objects are declared durable (topic exchange, shared and host
//! queues as quorum queues). When an object already exists with other
//! properties — e.g. a classic, non-durable `central` queue that a Python
//! Designate declared on the same broker — the broker refuses the
//! redeclaration (406 PRECONDITION_FAILED, which also closes the channel);
//! we then use the existing object as it is, so both can share the bus.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, Connection, ErrorKind, ExchangeKind};

use crate::config::MAX_NAME_LEN;
use crate::error::BusError;

/// oslo's `rabbit_transient_queues_ttl` (1800 s), as the queue's `x-expires`.
const TRANSIENT_QUEUE_TTL_MS: i32 = 1_800_000;

/// An AMQP name, checked against the 255-byte limit instead of panicking.
pub(crate) fn short(name: &str) -> Result<ShortString, BusError> {
    ShortString::try_new(name).map_err(|_| BusError::InvalidName {
        name: name.chars().take(40).collect::<String>() + "…",
        reason: format!("longer than {MAX_NAME_LEN} bytes"),
    })
}

/// Rejects topics that could not name a queue.
pub(crate) fn check_topic(topic: &str) -> Result<(), BusError> {
    if topic.is_empty() {
        return Err(BusError::InvalidName {
            name: String::new(),
            reason: "a topic must not be empty".into(),
        });
    }
    short(topic).map(drop)
}

/// The queues a server of `topic` consumes (spec/services.md §2).
#[derive(Clone, Debug)]
pub(crate) struct ServerQueues {
    /// `<topic>`: shared by every instance; bound with routing key `<topic>`.
    pub shared: String,
    /// `<topic>.<host>`: directed calls to this host.
    pub host: String,
    /// `<topic>_fanout`: exchange for broadcasts.
    pub fanout_exchange: String,
    /// `<topic>_fanout_<uuid hex>`: this instance's private broadcast queue.
    pub fanout_queue: String,
}

impl ServerQueues {
    pub(crate) fn new(topic: &str, host: &str, instance: &str) -> Result<Self, BusError> {
        check_topic(topic)?;
        let names = Self {
            shared: topic.to_owned(),
            host: format!("{topic}.{host}"),
            fanout_exchange: format!("{topic}_fanout"),
            fanout_queue: format!("{topic}_fanout_{instance}"),
        };
        for name in [&names.host, &names.fanout_exchange, &names.fanout_queue] {
            short(name)?;
        }
        Ok(names)
    }
}

fn is_soft(err: &lapin::Error, code: AMQPSoftError) -> bool {
    matches!(err.kind(), ErrorKind::ProtocolError(e) if *e.kind() == AMQPErrorKind::Soft(code))
}

/// Declares a durable exchange, or accepts an existing one as it is.
pub(crate) async fn declare_exchange(
    conn: &Connection,
    name: &str,
    kind: ExchangeKind,
    durable: bool,
) -> Result<(), BusError> {
    let options = ExchangeDeclareOptions {
        durable,
        // oslo's fanout exchanges go away with their last queue.
        auto_delete: !durable,
        ..ExchangeDeclareOptions::default()
    };
    let ch = conn.create_channel().await?;
    let declared = ch
        .exchange_declare(short(name)?, kind.clone(), options, FieldTable::default())
        .await;
    match declared {
        Err(err) if is_soft(&err, AMQPSoftError::PRECONDITIONFAILED) => {
            let passive = ExchangeDeclareOptions {
                passive: true,
                ..options
            };
            let ch = conn.create_channel().await?;
            ch.exchange_declare(short(name)?, kind, passive, FieldTable::default())
                .await?;
            close_quietly(ch).await;
        }
        other => {
            other?;
            close_quietly(ch).await;
        }
    }
    Ok(())
}

/// Declares a durable queue that must survive broker restarts: a quorum queue
/// (replicated, RabbitMQ ≥ 3.8), else a classic durable queue if the broker
/// knows no quorum queues, else whatever queue of that name already exists.
pub(crate) async fn declare_durable_queue(conn: &Connection, name: &str) -> Result<(), BusError> {
    let mut quorum = FieldTable::default();
    quorum.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    let durable = QueueDeclareOptions::durable();
    let ch = conn.create_channel().await?;
    match ch.queue_declare(short(name)?, durable, quorum).await {
        Ok(_) => {
            close_quietly(ch).await;
            return Ok(());
        }
        Err(err) if is_soft(&err, AMQPSoftError::PRECONDITIONFAILED) => {}
        Err(err) => return Err(err.into()),
    }
    let ch = conn.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..durable
    };
    match ch
        .queue_declare(short(name)?, passive, FieldTable::default())
        .await
    {
        Ok(_) => close_quietly(ch).await,
        Err(err) if is_soft(&err, AMQPSoftError::NOTFOUND) => {
            let ch = conn.create_channel().await?;
            ch.queue_declare(short(name)?, durable, FieldTable::default())
                .await?;
            close_quietly(ch).await;
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

/// Declares a transient queue as oslo does for reply and fanout queues:
/// not durable, removed by the broker after 30 min without a consumer.
pub(crate) async fn declare_transient_queue(
    ch: &Channel,
    name: &str,
    auto_delete: bool,
) -> Result<(), BusError> {
    let mut args = FieldTable::default();
    args.insert(
        "x-expires".into(),
        AMQPValue::LongInt(TRANSIENT_QUEUE_TTL_MS),
    );
    let options = QueueDeclareOptions {
        auto_delete,
        ..QueueDeclareOptions::default()
    };
    ch.queue_declare(short(name)?, options, args).await?;
    Ok(())
}

pub(crate) async fn bind(
    ch: &Channel,
    queue: &str,
    exchange: &str,
    key: &str,
) -> Result<(), BusError> {
    ch.queue_bind(
        short(queue)?,
        short(exchange)?,
        short(key)?,
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await?;
    Ok(())
}

/// Closes a helper channel; a failure only means the connection is going away.
pub(crate) async fn close_quietly(ch: Channel) {
    if let Err(err) = ch.close(200, "OK".into()).await {
        tracing::debug!(%err, "closing channel");
    }
}
