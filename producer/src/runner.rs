//! Runs each enabled periodic task once per interval, over the shards this
//! producer holds (spec/services.md §6.2).
//!
//! Intervals are slots of wall-clock time (`slot = ⌊unix time / interval⌋`),
//! the same on every producer. A producer runs a slot only if it held its
//! current shards since before the slot began: when shards move, the new
//! owner starts with the next slot, so a shard never runs twice in a slot.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::task::JoinHandle;

use crate::coordination::{Coordination, Ownership};
use crate::tasks::Tasks;

/// Runs per task and outcome, served as Prometheus text on `/metrics`.
#[derive(Default)]
pub struct Counters {
    runs: Mutex<BTreeMap<(String, &'static str), u64>>,
}

impl Counters {
    fn add(&self, task: &str, outcome: &'static str) {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        *runs.entry((task.to_owned(), outcome)).or_default() += 1;
    }

    /// The counters in Prometheus' text format.
    pub fn render(&self) -> String {
        let runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::from(
            "# HELP delegate_producer_task_runs_total Periodic task runs by this producer.\n\
             # TYPE delegate_producer_task_runs_total counter\n",
        );
        for ((task, outcome), n) in runs.iter() {
            text.push_str(&format!(
                "delegate_producer_task_runs_total{{task=\"{task}\",outcome=\"{outcome}\"}} {n}\n"
            ));
        }
        text
    }
}

/// Serves `GET /metrics` alone (a producer without a group).
pub fn serve_metrics(counters: Arc<Counters>, listener: tokio::net::TcpListener) {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || async move { counters.render() }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics service stopped");
        }
    });
}

/// Starts one loop per task in `names`.
pub fn spawn(
    names: &[&'static str],
    tasks: Arc<Tasks>,
    coordination: Arc<dyn Coordination>,
    counters: Arc<Counters>,
) -> Vec<JoinHandle<()>> {
    names
        .iter()
        .map(|name| {
            let (tasks, coordination, counters) =
                (tasks.clone(), coordination.clone(), counters.clone());
            let name = *name;
            tokio::spawn(async move { run_task(name, &tasks, &*coordination, &counters).await })
        })
        .collect()
}

async fn run_task(
    name: &'static str,
    tasks: &Tasks,
    coordination: &dyn Coordination,
    counters: &Counters,
) {
    let interval = tasks.interval(name).max(Duration::from_millis(100));
    let mut slot = slot_of(SystemTime::now(), interval);
    loop {
        let slot_start = start_of(slot, interval);
        if let Some(ownership) = coordination.ownership() {
            if ownership.since <= slot_start {
                run_slot(name, slot, tasks, &ownership, counters).await;
            } else {
                tracing::debug!(
                    task = name,
                    slot,
                    "shards changed during this interval: next one"
                );
            }
        }
        slot = slot_of(SystemTime::now(), interval) + 1;
        let next = start_of(slot, interval);
        let wait = next.duration_since(SystemTime::now()).unwrap_or_default();
        tokio::time::sleep(wait).await;
    }
}

async fn run_slot(
    name: &'static str,
    slot: u64,
    tasks: &Tasks,
    ownership: &Ownership,
    counters: &Counters,
) {
    let shards = if Tasks::is_sharded(name) {
        match ownership.shards {
            Some(shards) => Some(shards),
            None => return,
        }
    } else if ownership.first {
        None
    } else {
        return;
    };
    let start = chrono::Utc::now();
    let clock = Instant::now();
    let result = tasks.run(name, shards).await;
    let outcome = if result.is_ok() { "success" } else { "error" };
    counters.add(name, outcome);
    let shard_text = shards.map_or_else(|| "-".to_owned(), |(a, b)| format!("{a}-{b}"));
    tracing::info!(
        task = name,
        shards = %shard_text,
        member = %ownership.member,
        epoch = ownership.epoch,
        slot,
        start = %start.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        duration_ms = clock.elapsed().as_millis() as u64,
        outcome,
        error = result.err().map(|e| e.to_string()).unwrap_or_default(),
        "task run"
    );
}

/// The wall-clock slot `now` falls in.
fn slot_of(now: SystemTime, interval: Duration) -> u64 {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let slot = since.as_nanos() / interval.as_nanos().max(1);
    u64::try_from(slot).unwrap_or(u64::MAX)
}

/// When `slot` begins.
fn start_of(slot: u64, interval: Duration) -> SystemTime {
    let nanos = interval.as_nanos().saturating_mul(u128::from(slot));
    UNIX_EPOCH + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_wall_clock_intervals() {
        let t = UNIX_EPOCH + Duration::from_millis(10_500);
        assert_eq!(slot_of(t, Duration::from_secs(1)), 10);
        assert_eq!(slot_of(t, Duration::from_secs(5)), 2);
        assert_eq!(slot_of(t, Duration::from_millis(250)), 42);
        assert_eq!(
            start_of(42, Duration::from_millis(250)),
            UNIX_EPOCH + Duration::from_millis(10_500)
        );
    }

    #[test]
    fn counters_render_as_prometheus_text() {
        let c = Counters::default();
        c.add("zone_purge", "success");
        c.add("zone_purge", "success");
        c.add("zone_purge", "error");
        let text = c.render();
        assert!(
            text.contains("{task=\"zone_purge\",outcome=\"success\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("{task=\"zone_purge\",outcome=\"error\"} 1\n"),
            "{text}"
        );
    }
}
