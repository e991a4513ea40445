//! Read replicas: reads (items, features, checks, tiles, indicators) go to PostgreSQL streaming replicas
//! while writes stay on the primary, with read-your-writes for writers. After a write, the primary's WAL
//! position is remembered for its token; that token's reads go to a replica only once the replica has
//! replayed up to that position, and to the primary until then.

use super::{Result, Store, StoreError};
use crate::config::Settings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct ReadRouter {
    replicas: Vec<PgPool>,
    next: AtomicUsize,
    /// Token name → (primary WAL position after its last write, when).
    written: Mutex<HashMap<String, (String, Instant)>>,
    /// After this long a writer's reads are routed like anyone's: replicas lagging more than this are
    /// broken, not slow.
    remember: Duration,
}

impl ReadRouter {
    /// `None` when no `DATABASE_READ_URL` is set: everything reads from the primary.
    pub fn connect(settings: &Settings) -> Result<Option<ReadRouter>> {
        if settings.database_read_urls.is_empty() {
            return Ok(None);
        }
        let mut replicas = Vec::new();
        for url in &settings.database_read_urls {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(format!("DATABASE_READ_URL: {e}")))?
                .application_name("landguard-read")
                .options([("statement_timeout", settings.statement_timeout_ms.to_string()), ("jit", "off".to_string())]);
            replicas.push(
                PgPoolOptions::new()
                    .max_connections(settings.pool_size)
                    .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
                    .connect_lazy_with(options),
            );
        }
        Ok(Some(ReadRouter {
            replicas,
            next: AtomicUsize::new(0),
            written: Mutex::new(HashMap::new()),
            remember: Duration::from_secs(settings.read_your_writes_secs),
        }))
    }

    fn replica(&self) -> &PgPool {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.replicas.len();
        &self.replicas[i]
    }

    /// Remembers where the primary's WAL stood after a write by `who`. The insert position, not
    /// `pg_current_wal_lsn()`: under `synchronous_commit = off` the commit record may be inserted but not
    /// yet written when the write returns, and the written position would then lie before it.
    pub async fn note_write(&self, primary: &Store, who: &str) {
        match sqlx::query_scalar::<_, String>("SELECT pg_current_wal_insert_lsn()::text").fetch_one(&primary.pool).await {
            Ok(lsn) => {
                if let Ok(mut w) = self.written.lock() {
                    w.retain(|_, (_, at)| at.elapsed() < self.remember);
                    w.insert(who.to_string(), (lsn, Instant::now()));
                }
            }
            // Without the position the writer's reads stay on the primary until `remember` passes.
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the primary's WAL position after a write");
                if let Ok(mut w) = self.written.lock() {
                    w.insert(who.to_string(), ("FFFFFFFF/FFFFFFFF".into(), Instant::now()));
                }
            }
        }
    }

    /// The store a read by `who` should use.
    pub async fn store_for(&self, primary: &Store, who: Option<&str>) -> Store {
        let pending = who.and_then(|w| {
            let map = self.written.lock().ok()?;
            map.get(w).filter(|(_, at)| at.elapsed() < self.remember).map(|(lsn, _)| lsn.clone())
        });
        let replica = self.replica();
        match pending {
            None => primary.with_pool(replica.clone()),
            Some(lsn) => {
                let caught_up = sqlx::query_scalar::<_, bool>("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)")
                    .bind(&lsn)
                    .fetch_one(replica)
                    .await
                    .unwrap_or(false);
                if caught_up {
                    primary.with_pool(replica.clone())
                } else {
                    primary.clone()
                }
            }
        }
    }
}
