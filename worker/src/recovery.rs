//! Recovery (spec/services.md §5.3 RecoverShard, domain-rules §7.5): zones
//! in ERROR, and PENDING ones whose change is older than `max_prop_time`,
//! are pushed again by casting their action to the workers.
//!
//! The producer's `worker_periodic_recovery` asks for it per shard range
//! (`recover_shard`). Until producers run that task, and as a safety net,
//! the worker also runs it over every shard on its own timer
//! (`[service:worker] recovery_interval`), one worker of the deployment at
//! a time (a MySQL named lock): an ERROR zone is thus pushed again within
//! that interval, and served as soon as its targets answer. The timer also
//! re-drives PENDING zones whose last change is older than
//! [`TIMER_STALE_AFTER`] rather than `max_prop_time`: a change whose cast
//! was lost (a commit the database applied while central lost its
//! connection, or central dying between commit and cast) is then served
//! within a minute, not a quarter of an hour. It runs those zones in its own
//! process (coalesced with any retry already running there) instead of
//! casting, so an outage does not pile up copies on the bus.

use std::sync::Arc;
use std::time::Duration;

use delegate_config::Worker;
use delegate_model::{Action, Context, Error, Zone, time};
use delegate_rpc::WorkerClient;
use delegate_storage::zones;
use sqlx::MySqlPool;

use crate::service::WorkerHandler;

/// Zones recast per pass; the rest wait for the next pass.
const BATCH: u32 = 1000;
/// The named lock that lets one worker at a time run the timer's pass.
const LOCK: &str = "delegate.worker.recovery";
/// The last shard (spec/services.md §6.1).
const LAST_SHARD: u16 = 4095;
/// PENDING zones the timer re-drives: last change older than this.
pub const TIMER_STALE_AFTER: Duration = Duration::from_secs(30);

/// Casts the action of every zone of shards `first..=last` that needs recovery.
pub async fn recover_shards(
    db: &MySqlPool,
    client: &WorkerClient,
    cfg: &Worker,
    range: (u16, u16),
) -> Result<(), Error> {
    let found = stale_zones(db, range, cfg.max_prop_time()).await?;
    let ctx = Context::admin();
    for zone in &found {
        match zone.action {
            Action::Create => client.create_zone(&ctx, zone).await?,
            Action::Update => client.update_zone(&ctx, zone).await?,
            Action::Delete => client.delete_zone(&ctx, zone, false).await?,
            Action::None => {}
        }
    }
    Ok(())
}

/// Zones in ERROR, and PENDING whose serial is older than `stale`.
async fn stale_zones(
    db: &MySqlPool,
    range: (u16, u16),
    stale: Duration,
) -> Result<Vec<Zone>, Error> {
    let stale = i64::try_from(stale.as_secs()).unwrap_or(i64::MAX);
    let stale_before = time::unix_now().saturating_sub(stale);
    let mut conn = db.acquire().await.map_err(Error::unavailable)?;
    let found = zones::needing_recovery(&mut conn, range, stale_before, BATCH).await?;
    if !found.is_empty() {
        tracing::info!(
            zones = found.len(),
            first = range.0,
            last = range.1,
            "recovering zones"
        );
    }
    Ok(found)
}

/// The worker's own recovery timer (see the module docs); runs until the
/// process ends. Does nothing when `recovery_interval` is 0.
pub async fn run_timer(handler: Arc<WorkerHandler>, db: MySqlPool, cfg: Worker) {
    if cfg.recovery_interval.is_zero() {
        return;
    }
    loop {
        tokio::time::sleep(cfg.recovery_interval).await;
        if let Err(e) = pass(&handler, &db).await {
            tracing::warn!(error = %e, "recovery pass failed; next one in {:?}", cfg.recovery_interval);
        }
    }
}

/// One pass over every shard, if no other worker is running one.
async fn pass(handler: &Arc<WorkerHandler>, db: &MySqlPool) -> Result<(), Error> {
    let mut conn = db.acquire().await.map_err(Error::unavailable)?;
    let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 0)")
        .bind(LOCK)
        .fetch_one(&mut *conn)
        .await
        .map_err(Error::unavailable)?;
    if got != Some(1) {
        return Ok(()); // another worker runs it
    }
    let outcome = stale_zones(db, (0, LAST_SHARD), TIMER_STALE_AFTER).await;
    for zone in outcome.iter().flatten() {
        handler.redrive(zone.clone());
    }
    // Held for at least a moment so that workers whose timers fire together
    // do not each get the lock in turn.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = sqlx::query("SELECT RELEASE_LOCK(?)")
        .bind(LOCK)
        .execute(&mut *conn)
        .await;
    outcome.map(drop)
}
