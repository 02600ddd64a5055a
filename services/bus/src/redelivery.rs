//! What becomes of a cast whose handler failed: the one rule every consumer
//! follows (issue "nothing accepted is ever stuck").
//!
//! A cast has nobody waiting for it, so a failure must not be the end of it
//! unless it is final. The handler says what kind of failure it was
//! ([`Handler::retry`](crate::Handler::retry)); this module turns that and
//! the number of attempts made so far into a [`Verdict`]:
//!
//! - [`Retry::Never`]: the request was refused for good (a rule said no, the
//!   object is gone): logged and acknowledged.
//! - [`Retry::Transient`]: something that passes (database refusing or losing
//!   connections, a deadlock, the broker, a slow or stopped nameserver): the
//!   message is held for a back-off that grows with its attempts (so a
//!   saturated consumer stops taking new work: held messages fill its
//!   prefetch window), then published again with its attempt count, and only
//!   then acknowledged. Bounded by [`TRANSIENT_ATTEMPTS`] (about an hour).
//! - [`Retry::Bounded`]: an unexpected failure (a bug, a panic, a row the
//!   code cannot read) that may or may not pass: a few attempts, then the
//!   message is *parked*.
//!
//! Parking publishes the message, with its attempt count and last error in
//! headers, to the durable queue `parked.<topic>` and logs an error; nothing
//! consumes that queue, so an operator can inspect it and shovel messages
//! back once the cause is fixed. A poisoned message therefore never loops
//! forever and is never silently lost.

use std::time::Duration;

use lapin::message::Delivery;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::error::BusError;
use crate::link::{Outgoing, Shared};

/// Header carrying how many times a message was already handled and failed.
pub const ATTEMPT_HEADER: &str = "x-delegate-attempt";
/// Header of a parked message: the last error.
pub const ERROR_HEADER: &str = "x-delegate-error";
/// Header of a parked message: the queue it was consumed from.
pub const QUEUE_HEADER: &str = "x-delegate-queue";

/// Attempts of a transiently failing message before it is parked: with
/// [`RETRY_BACKOFF`] capped at 30 s, about an hour of trying.
pub const TRANSIENT_ATTEMPTS: u32 = 130;
/// Attempts of a message failing unexpectedly before it is parked.
pub const BOUNDED_ATTEMPTS: u32 = 5;

/// The wait before attempt `n + 1`: 250 ms doubling to 30 s, jittered.
pub(crate) const RETRY_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(250),
    cap: Duration::from_secs(30),
};

/// How a failure may be retried; the handler's classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Final: acknowledge and forget (logged).
    Never,
    /// It can pass: retry with back-off, for a long time.
    Transient,
    /// Unexpected: retry a few times, then park.
    Bounded,
}

/// What to do with a failed cast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Drop,
    /// Publish again (attempt count + 1) after this delay.
    RetryAfter(Duration),
    Park,
}

/// The verdict for a failure of kind `retry` on a message that had already
/// failed `attempts` times before this one.
pub(crate) fn verdict(retry: Retry, attempts: u32) -> Verdict {
    let limit = match retry {
        Retry::Never => return Verdict::Drop,
        Retry::Transient => TRANSIENT_ATTEMPTS,
        Retry::Bounded => BOUNDED_ATTEMPTS,
    };
    if attempts.saturating_add(1) >= limit {
        Verdict::Park
    } else {
        Verdict::RetryAfter(RETRY_BACKOFF.delay(attempts))
    }
}

/// The attempt count a message carries (0 for a first delivery).
pub(crate) fn attempts_of(headers: Option<&FieldTable>) -> u32 {
    let Some(value) = headers.and_then(|h| h.inner().get(ATTEMPT_HEADER)) else {
        return 0;
    };
    let n = match value {
        AMQPValue::LongLongInt(n) => *n,
        AMQPValue::LongInt(n) => i64::from(*n),
        AMQPValue::LongUInt(n) => i64::from(*n),
        AMQPValue::ShortInt(n) => i64::from(*n),
        _ => 0,
    };
    u32::try_from(n).unwrap_or(0)
}

/// `headers` with the attempt count set to `attempts` (other headers kept).
pub(crate) fn with_attempts(headers: Option<&FieldTable>, attempts: u32) -> FieldTable {
    let mut table = headers.cloned().unwrap_or_default();
    table.insert(
        ShortString::from(ATTEMPT_HEADER),
        AMQPValue::LongLongInt(i64::from(attempts)),
    );
    table
}

/// Headers of a parked message.
pub(crate) fn parked_headers(
    headers: Option<&FieldTable>,
    attempts: u32,
    queue: &str,
    error: &str,
) -> FieldTable {
    let mut table = with_attempts(headers, attempts);
    table.insert(
        ShortString::from(QUEUE_HEADER),
        AMQPValue::LongString(LongString::from(queue)),
    );
    table.insert(
        ShortString::from(ERROR_HEADER),
        AMQPValue::LongString(LongString::from(error)),
    );
    table
}

/// The queue parked messages of `topic` go to.
pub(crate) fn parked_queue(topic: &str) -> String {
    format!("parked.{topic}")
}

/// Publishes a copy of `delivery` (its body and properties, new `headers`)
/// and waits for the broker's confirm.
pub(crate) async fn republish(
    shared: &Shared,
    (exchange, routing_key): (&str, &str),
    delivery: &Delivery,
    headers: FieldTable,
) -> Result<(), BusError> {
    let msg = Outgoing {
        exchange,
        routing_key,
        body: delivery.data.clone(),
        properties: delivery.properties.clone().with_headers(headers),
        mandatory: true,
    };
    let deadline = Instant::now() + shared.cfg.rpc_timeout;
    shared.publish(msg, deadline).await
}

/// Publishes a copy of `delivery` to the durable queue `parked` (declared
/// and bound to the control exchange if needed).
pub(crate) async fn park(
    shared: &Shared,
    parked: &str,
    delivery: &Delivery,
    headers: FieldTable,
) -> Result<(), BusError> {
    let deadline = Instant::now() + shared.cfg.rpc_timeout;
    let link = tokio::time::timeout_at(deadline, shared.wait_link())
        .await
        .map_err(|_| BusError::Unavailable(shared.cfg.rpc_timeout))??;
    let exchange = shared.cfg.exchange.clone();
    link.ensure_durable_queue(&exchange, parked).await?;
    republish(shared, (&exchange, parked), delivery, headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_failures_are_dropped_at_once() {
        assert_eq!(verdict(Retry::Never, 0), Verdict::Drop);
        assert_eq!(verdict(Retry::Never, 1000), Verdict::Drop);
    }

    #[test]
    fn transient_failures_back_off_then_park_after_about_an_hour() {
        let mut total = Duration::ZERO;
        for attempts in 0..TRANSIENT_ATTEMPTS - 1 {
            match verdict(Retry::Transient, attempts) {
                Verdict::RetryAfter(d) => {
                    assert!(d <= RETRY_BACKOFF.cap, "{attempts}: {d:?}");
                    total += d;
                }
                other => panic!("attempt {attempts}: {other:?}"),
            }
        }
        assert_eq!(
            verdict(Retry::Transient, TRANSIENT_ATTEMPTS - 1),
            Verdict::Park
        );
        // Jitter takes up to half of each wait: between 30 min and ~65 min.
        assert!(
            total > Duration::from_secs(1800) && total < Duration::from_secs(3900),
            "{total:?}"
        );
    }

    #[test]
    fn unexpected_failures_are_parked_after_a_few_attempts() {
        for attempts in 0..BOUNDED_ATTEMPTS - 1 {
            assert!(matches!(
                verdict(Retry::Bounded, attempts),
                Verdict::RetryAfter(_)
            ));
        }
        assert_eq!(verdict(Retry::Bounded, BOUNDED_ATTEMPTS - 1), Verdict::Park);
        assert_eq!(verdict(Retry::Bounded, u32::MAX), Verdict::Park);
    }

    #[test]
    fn the_attempt_count_travels_in_a_header() {
        assert_eq!(attempts_of(None), 0);
        let mut other = FieldTable::default();
        other.insert("x-other".into(), AMQPValue::LongString("kept".into()));
        let h = with_attempts(Some(&other), 3);
        assert_eq!(attempts_of(Some(&h)), 3);
        assert!(h.inner().contains_key("x-other"));
        let parked = parked_headers(Some(&h), 4, "worker", "boom");
        assert_eq!(attempts_of(Some(&parked)), 4);
        assert_eq!(
            parked.inner().get(ERROR_HEADER),
            Some(&AMQPValue::LongString("boom".into()))
        );
    }
}
