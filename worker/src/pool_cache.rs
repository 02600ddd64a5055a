//! Pools as the worker uses them, read from the database and kept for a
//! while. Designate caches a pool for the life of the worker (a pools.yaml
//! change needs a restart); Delegate re-reads a pool once it is older than
//! [`POOL_TTL`], so `delegate-manage pool update` takes effect on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use delegate_storage::StorageError;
use delegate_storage::pools;
use sqlx::MySqlPool;
use uuid::Uuid;

use crate::limits::Limits;
use crate::zone_action::LoadedPool;

/// How long a pool read from the database is used before it is read again.
pub const POOL_TTL: Duration = Duration::from_secs(30);

/// Pools by id, each with the time it was read.
pub struct PoolCache {
    db: MySqlPool,
    ttl: Duration,
    /// Shared by every pool loaded, so that re-reading a pool keeps them.
    limits: Arc<Limits>,
    pools: Mutex<HashMap<Uuid, (Instant, Arc<LoadedPool>)>>,
}

impl PoolCache {
    pub fn new(db: MySqlPool, ttl: Duration, limits: Arc<Limits>) -> PoolCache {
        PoolCache {
            db,
            ttl,
            limits,
            pools: Mutex::new(HashMap::new()),
        }
    }

    /// The pool, from the cache if fresh, else from the database.
    pub async fn get(&self, id: Uuid) -> Result<Arc<LoadedPool>, StorageError> {
        if let Some(pool) = self.fresh(id) {
            return Ok(pool);
        }
        let mut conn = self.db.acquire().await?;
        let pool = pools::get_pool(&mut conn, id).await?;
        let pool = Arc::new(LoadedPool::with_limits(pool, self.limits.clone()));
        tracing::info!(pool = %id, targets = pool.targets.len(), nameservers = pool.pool.nameservers.len(), "pool loaded");
        let mut map = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(id, (Instant::now(), pool.clone()));
        Ok(pool)
    }

    /// The database the pools are read from.
    pub fn db(&self) -> &MySqlPool {
        &self.db
    }

    fn fresh(&self, id: Uuid) -> Option<Arc<LoadedPool>> {
        let map = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, p)| p.clone())
    }
}
