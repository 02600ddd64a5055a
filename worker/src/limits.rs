//! Back-pressure on the servers the worker talks to: at most so many
//! backend calls (rndc, HTTP APIs) to one pool target, and so many DNS
//! exchanges (NOTIFY, SOA polls) to one nameserver, at a time.
//!
//! Without it a burst of zone creations becomes hundreds of concurrent
//! `rndc addzone` calls, each taking BIND's exclusive lock, while the
//! NOTIFYs and polls queued behind them time out. With it, work waits its
//! turn inside the worker; and since every zone action holds its bus
//! message until it ends, a saturated worker stops taking new messages
//! (its prefetch window fills up) instead of overloading the servers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Concurrency caps, one semaphore per server key.
#[derive(Debug)]
pub struct Limits {
    backend_calls: u32,
    dns_exchanges: u32,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Limits {
    /// `backend_calls` per target and `dns_exchanges` per nameserver (each at least 1).
    pub fn new(backend_calls: u32, dns_exchanges: u32) -> Arc<Limits> {
        Arc::new(Limits {
            backend_calls: backend_calls.max(1),
            dns_exchanges: dns_exchanges.max(1),
            semaphores: Mutex::new(HashMap::new()),
        })
    }

    /// Waits for a backend call slot on the target named `target`.
    pub async fn backend(&self, target: &str) -> OwnedSemaphorePermit {
        self.acquire(format!("backend {target}"), self.backend_calls)
            .await
    }

    /// Waits for a DNS exchange slot with `host:port`.
    pub async fn dns(&self, host: &str, port: u16) -> OwnedSemaphorePermit {
        self.acquire(format!("dns {host}:{port}"), self.dns_exchanges)
            .await
    }

    async fn acquire(&self, key: String, permits: u32) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut map = self.semaphores.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(permits as usize)))
                .clone()
        };
        // Never closed: acquiring cannot fail.
        match semaphore.acquire_owned().await {
            Ok(permit) => permit,
            Err(_) => unreachable!("limits semaphores are never closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn calls_to_one_server_wait_for_a_free_slot_others_do_not() {
        let limits = Limits::new(2, 1);
        let a = limits.backend("t1").await;
        let _b = limits.backend("t1").await;
        let third = tokio::time::timeout(Duration::from_millis(50), limits.backend("t1")).await;
        assert!(third.is_err(), "a third call to t1 must wait");
        let _other = limits.backend("t2").await;
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(50), limits.backend("t1")).await;
        assert!(third.is_ok(), "a slot was freed");
        let _ns = limits.dns("127.0.0.1", 53).await;
        let busy =
            tokio::time::timeout(Duration::from_millis(50), limits.dns("127.0.0.1", 53)).await;
        assert!(busy.is_err());
    }
}
