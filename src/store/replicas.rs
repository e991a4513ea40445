//! Read replicas: reads (items, features, checks, tiles, indicators) go to PostgreSQL streaming replicas
//! while writes stay on the primary, with read-your-writes for writers. After a write, the primary's WAL
//! position is remembered for its token; that token's reads go to a replica only once the replica has
//! replayed up to that position, and to the primary until then.
//!
//! A replica that stops answering is left out until it answers again: a probe asks every replica once a
//! second, and while none is up every read goes to the primary.

use super::{Result, Store, StoreError};
use crate::config::Settings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_TIMEOUT: Duration = Duration::from_millis(900);

struct Replica {
    pool: PgPool,
    /// Where it is, for logs and /health, without its password.
    label: String,
    /// Answered the last probe. Starts false, so reads wait on the primary until the first probe.
    up: AtomicBool,
}

pub struct ReadRouter {
    replicas: Arc<Vec<Replica>>,
    next: AtomicUsize,
    /// Token name → (primary WAL position after its last write, when).
    written: Mutex<HashMap<String, (String, Instant)>>,
    /// After this long a writer's reads are routed like anyone's: replicas lagging more than this are
    /// broken, not slow.
    remember: Duration,
}

/// One replica as /health shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaState {
    pub replica: String,
    pub up: bool,
}

impl ReadRouter {
    /// `None` when no `DATABASE_READ_URL` is set: everything reads from the primary. Starts the probe, so it
    /// must be called inside the Tokio runtime.
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
            let label = format!("{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or(""));
            let pool = PgPoolOptions::new()
                .max_connections(settings.pool_size)
                .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
                .connect_lazy_with(options);
            replicas.push(Replica { pool, label, up: AtomicBool::new(false) });
        }
        let replicas = Arc::new(replicas);
        tokio::spawn(probe(Arc::downgrade(&replicas)));
        Ok(Some(ReadRouter {
            replicas,
            next: AtomicUsize::new(0),
            written: Mutex::new(HashMap::new()),
            remember: Duration::from_secs(settings.read_your_writes_secs),
        }))
    }

    /// The next replica that answered its last probe, round robin; `None` when none did.
    fn replica(&self) -> Option<&PgPool> {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|k| &self.replicas[(start + k) % n]).find(|r| r.up.load(Ordering::Relaxed)).map(|r| &r.pool)
    }

    pub fn states(&self) -> Vec<ReplicaState> {
        self.replicas.iter().map(|r| ReplicaState { replica: r.label.clone(), up: r.up.load(Ordering::Relaxed) }).collect()
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
        let Some(replica) = self.replica() else { return primary.clone() };
        let pending = who.and_then(|w| {
            let map = self.written.lock().ok()?;
            map.get(w).filter(|(_, at)| at.elapsed() < self.remember).map(|(lsn, _)| lsn.clone())
        });
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

/// Asks every replica for `SELECT 1` once a second and marks it up or down, until the router is dropped.
async fn probe(replicas: Weak<Vec<Replica>>) {
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(replicas) = replicas.upgrade() else { return };
        for r in replicas.iter() {
            let answer = tokio::time::timeout(PROBE_TIMEOUT, sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&r.pool)).await;
            let up = matches!(answer, Ok(Ok(1)));
            if r.up.swap(up, Ordering::Relaxed) != up {
                if up {
                    tracing::info!(replica = %r.label, "read replica is up: reads go to it");
                } else {
                    let error = match answer {
                        Ok(Err(e)) => e.to_string(),
                        _ => format!("no answer within {PROBE_TIMEOUT:?}"),
                    };
                    tracing::warn!(replica = %r.label, %error, "read replica is down: its reads go elsewhere until it answers");
                }
            }
        }
    }
}
