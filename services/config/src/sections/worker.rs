//! `[service:worker]`, with Delegate's fast polling defaults (see the crate docs).

use std::time::Duration;

use crate::error::ConfigError;
use crate::raw::RawConfig;

/// `[service:worker]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    pub topic: String,
    /// `threshold-percentage` (dash or underscore): % of targets and
    /// nameservers that must succeed, 0–100.
    pub threshold_percentage: u32,
    /// Enters the recovery staleness formula ([`Worker::max_prop_time`]).
    pub poll_timeout: Duration,
    /// First wait between attempts (targets and SOA polls). Designate: 15 s; Delegate: 0.2 s.
    pub poll_retry_interval: Duration,
    /// Delegate extension: the wait doubles after each attempt up to this cap
    /// (never below `poll_retry_interval`). Default 2 s.
    pub poll_retry_max_interval: Duration,
    /// Attempts per target / polling rounds. Designate: 10; Delegate: 30.
    pub poll_max_retries: u32,
    /// Wait after the backend change before the first poll. Designate: 5 s; Delegate: 0.1 s.
    pub poll_delay: Duration,
    pub export_synchronous: bool,
    pub xfr_timeout: Duration,
    pub serial_max_retries: u32,
    pub serial_retry_delay: Duration,
    pub serial_timeout: Duration,
    /// NOTIFY and SOA polls over TCP instead of UDP.
    pub all_tcp: bool,
    /// Delegate extension: backend calls (rndc, HTTP APIs) to one pool
    /// target at a time. Default 4: BIND runs addzone/modzone/delzone under
    /// its exclusive lock, so more only makes its DNS answers late.
    pub target_concurrency: u32,
    /// Delegate extension: DNS exchanges (NOTIFY, SOA polls) with one
    /// nameserver at a time. Default 32.
    pub nameserver_concurrency: u32,
    /// Delegate extension: how often the worker itself re-drives zones in
    /// ERROR, and PENDING past `max_prop_time` (what the producer's
    /// `worker_periodic_recovery` does); one worker at a time does it. 0
    /// turns it off (when producers run that task). Default 10 s.
    pub recovery_interval: Duration,
}

impl Worker {
    pub(crate) fn read(raw: &RawConfig) -> Result<Self, ConfigError> {
        let s = raw.section("service:worker");
        s.accept_unused(&["workers", "threads"]);
        Ok(Worker {
            topic: s.string("topic", "worker")?,
            threshold_percentage: s.uint_in("threshold-percentage", 100, 0, 100)?,
            poll_timeout: s.seconds("poll_timeout", Duration::from_secs(30))?,
            poll_retry_interval: s.seconds("poll_retry_interval", Duration::from_millis(200))?,
            poll_retry_max_interval: s
                .seconds("poll_retry_max_interval", Duration::from_secs(2))?,
            poll_max_retries: s.uint("poll_max_retries", 30)?,
            poll_delay: s.seconds("poll_delay", Duration::from_millis(100))?,
            export_synchronous: s.bool("export_synchronous", true)?,
            xfr_timeout: s.seconds("xfr_timeout", Duration::from_secs(10))?,
            serial_max_retries: s.uint("serial_max_retries", 3)?,
            serial_retry_delay: s.seconds("serial_retry_delay", Duration::from_secs(1))?,
            serial_timeout: s.seconds("serial_timeout", Duration::from_secs(1))?,
            all_tcp: s.bool("all_tcp", false)?,
            target_concurrency: s.uint("target_concurrency", 4)?,
            nameserver_concurrency: s.uint("nameserver_concurrency", 32)?,
            recovery_interval: s.seconds("recovery_interval", Duration::from_secs(10))?,
        })
    }

    /// The wait after failed attempt number `attempt` (0 = the first):
    /// `poll_retry_interval × 2^attempt`, capped at the larger of
    /// `poll_retry_max_interval` and `poll_retry_interval`.
    pub fn poll_retry_delay(&self, attempt: u32) -> Duration {
        let cap = self.poll_retry_max_interval.max(self.poll_retry_interval);
        let factor = 2u32.checked_pow(attempt).unwrap_or(u32::MAX);
        self.poll_retry_interval.saturating_mul(factor).min(cap)
    }

    /// How long a change may stay PENDING before recovery re-drives it
    /// (domain-rules §7.5): `poll_timeout × poll_max_retries` + every retry
    /// wait + `poll_delay`. Designate's defaults give 455 s; Delegate's 955.1 s.
    pub fn max_prop_time(&self) -> Duration {
        let retries = self.poll_max_retries;
        let mut waits = Duration::ZERO;
        let mut attempt = 0;
        let cap = self.poll_retry_max_interval.max(self.poll_retry_interval);
        while attempt < retries && self.poll_retry_delay(attempt) < cap {
            waits += self.poll_retry_delay(attempt);
            attempt += 1;
        }
        waits = waits.saturating_add(cap.saturating_mul(retries - attempt));
        self.poll_timeout
            .saturating_mul(retries)
            .saturating_add(waits)
            .saturating_add(self.poll_delay)
    }
}
