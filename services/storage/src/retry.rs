//! Re-running a whole transaction when the database picks it as a deadlock
//! victim (spec/storage.md §3.9: up to 150 attempts, 50 ms apart), or when
//! the connection fails ("Too many connections", a lost or refused
//! connection, a full pool): then with a growing back-off, for at most
//! [`CONNECTION_BUDGET`]. What still fails after that reaches the caller as a
//! transient error, and a cast is retried later by the bus.

use std::future::Future;
use std::time::Duration;

use crate::error::StorageError;

/// How many times an operation is attempted.
pub const MAX_ATTEMPTS: u32 = 150;
/// The pause between attempts.
pub const DELAY: Duration = Duration::from_millis(50);

/// How long connection failures are retried in place before giving up.
pub const CONNECTION_BUDGET: Duration = Duration::from_secs(10);
/// The first pause after a connection failure; it doubles up to 2 s.
const CONNECTION_DELAY: Duration = Duration::from_millis(100);

/// Errors that can tell whether the failed transaction may simply be re-run.
pub trait Retryable {
    /// A lock conflict: re-run at once.
    fn is_retryable(&self) -> bool;
    /// The connection failed: re-run after a back-off.
    fn is_connection_failure(&self) -> bool {
        false
    }
}

impl Retryable for StorageError {
    fn is_retryable(&self) -> bool {
        StorageError::is_retryable(self)
    }
    fn is_connection_failure(&self) -> bool {
        StorageError::is_connection_failure(self)
    }
}

/// Runs `op` until it succeeds, fails for another reason, or has been tried
/// [`MAX_ATTEMPTS`] times. `op` must start (and end) its own transaction.
pub async fn on_deadlock<T, E, F, Fut>(mut op: F) -> Result<T, E>
where
    E: Retryable + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    let started = tokio::time::Instant::now();
    let mut pause = CONNECTION_DELAY;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "transaction lost a lock race, running it again");
                attempt += 1;
                tokio::time::sleep(DELAY).await;
            }
            Err(e)
                if e.is_connection_failure() && started.elapsed() + pause <= CONNECTION_BUDGET =>
            {
                tracing::warn!(error = %e, ?pause, "database connection failed, trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Flaky(bool);
    impl Retryable for Flaky {
        fn is_retryable(&self) -> bool {
            self.0
        }
    }

    #[derive(Debug)]
    struct Refused;
    impl Retryable for Refused {
        fn is_retryable(&self) -> bool {
            false
        }
        fn is_connection_failure(&self) -> bool {
            true
        }
    }
    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("1040: Too many connections")
        }
    }

    #[tokio::test(start_paused = true)]
    async fn connection_failures_back_off_within_the_budget() {
        let mut calls = 0;
        let out: Result<u32, Refused> = on_deadlock(|| {
            calls += 1;
            let n = calls;
            async move { if n < 4 { Err(Refused) } else { Ok(n) } }
        })
        .await;
        assert_eq!(
            out.ok(),
            Some(4),
            "passes once the server takes connections again"
        );

        let started = tokio::time::Instant::now();
        let out: Result<u32, Refused> = on_deadlock(|| async { Err(Refused) }).await;
        assert!(out.is_err(), "a server that keeps refusing is reported");
        let spent = started.elapsed();
        assert!(
            spent <= CONNECTION_BUDGET && spent >= CONNECTION_BUDGET / 2,
            "{spent:?}"
        );
    }
    impl std::fmt::Display for Flaky {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "flaky({})", self.0)
        }
    }

    #[tokio::test]
    async fn retries_only_retryable_errors() {
        let mut calls = 0;
        let out: Result<u32, Flaky> = on_deadlock(|| {
            calls += 1;
            let n = calls;
            async move { if n < 3 { Err(Flaky(true)) } else { Ok(n) } }
        })
        .await;
        assert_eq!(out.ok(), Some(3));

        let mut calls = 0;
        let out: Result<u32, Flaky> = on_deadlock(|| {
            calls += 1;
            async { Err(Flaky(false)) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls, 1);
    }
}
