//! Reconnection pacing: exponential back-off with jitter, and rotation over
//! the brokers of `transport_url`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::Rng;

/// Exponential back-off: `base · 2^attempt`, capped, then jittered down by up
/// to half so that many services losing one broker do not reconnect in lockstep.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    pub(crate) const RECONNECT: Backoff = Backoff {
        base: Duration::from_millis(200),
        cap: Duration::from_secs(5),
    };

    /// The ceiling for `attempt` (0-based), before jitter.
    pub(crate) fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before retry number `attempt`: within [ceiling/2, ceiling].
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        ceiling.mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// Hands out broker indexes round-robin, so each new attempt (and each
/// reconnect after a drop) goes to the next broker in the list.
#[derive(Debug)]
pub(crate) struct Rotation {
    next: AtomicUsize,
    len: usize,
}

impl Rotation {
    pub(crate) fn new(len: usize) -> Self {
        Self {
            next: AtomicUsize::new(0),
            len: len.max(1),
        }
    }

    pub(crate) fn next(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_up_to_the_cap() {
        let backoff = Backoff::RECONNECT;
        let ceilings: Vec<u128> = (0..8).map(|a| backoff.ceiling(a).as_millis()).collect();
        assert_eq!(ceilings, [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn jittered_delay_stays_within_half_and_full_ceiling() {
        let backoff = Backoff::RECONNECT;
        for attempt in 0..10 {
            let ceiling = backoff.ceiling(attempt);
            for _ in 0..50 {
                let delay = backoff.delay(attempt);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{attempt}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn rotation_cycles_through_every_broker() {
        let rotation = Rotation::new(3);
        let picks: Vec<usize> = (0..7).map(|_| rotation.next()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0]);
        let single = Rotation::new(1);
        assert_eq!((single.next(), single.next()), (0, 0));
    }
}
