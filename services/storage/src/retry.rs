//! Re-running a whole transaction when the database picks it as a deadlock
//! victim (spec/storage.md §3.9: up to 150 attempts, 50 ms apart).

use std::future::Future;
use std::time::Duration;

use crate::error::StorageError;

/// How many times an operation is attempted.
pub const MAX_ATTEMPTS: u32 = 150;
/// The pause between attempts.
pub const DELAY: Duration = Duration::from_millis(50);

/// Errors that can tell whether the failed transaction may simply be re-run.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}

impl Retryable for StorageError {
    fn is_retryable(&self) -> bool {
        StorageError::is_retryable(self)
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
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "transaction lost a lock race, running it again");
                attempt += 1;
                tokio::time::sleep(DELAY).await;
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
