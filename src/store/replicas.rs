//! Read replicas: reads (items, features, checks, tiles, indicators) go to PostgreSQL streaming replicas
//! while writes stay on the primary, with read-your-writes for writers. After a write, the primary's WAL
//! position is remembered for its token; that token's reads go to a replica only once the replica has
//! replayed up to that position, and to the primary until then.
//!
//! A replica that stops answering, or falls further behind the primary than `replica_max_lag_secs`, is
//! left out until it is back: a probe asks every replica once a second, and while none is usable every
//! read goes to the primary. Checks answer legal questions, so a replica whose replication has silently
//! stopped must not go on answering them from old data: a check goes to a replica only when it has replayed
//! what the primary had written `check_max_lag_secs` ago (5 s by default), and the check's own statement
//! reports how far the replica had replayed, so that an answer read from a replica that fell behind since
//! the last probe is read again from the primary (see [`ReadRouter::store_for_check`]).

use super::{Result, Store, StoreError};
use crate::config::Settings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::collections::{HashMap, VecDeque};
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
    /// Had not replayed, at the last probe, what the primary had written `replica_max_lag_secs` before.
    behind: AtomicBool,
}

impl Replica {
    fn usable(&self) -> bool {
        self.up.load(Ordering::Relaxed) && !self.behind.load(Ordering::Relaxed)
    }
}

pub struct ReadRouter {
    replicas: Arc<Vec<Replica>>,
    next: AtomicUsize,
    /// Token name → (primary WAL position after its last write, when).
    written: Mutex<HashMap<String, (String, Instant)>>,
    /// After this long a writer's reads are routed like anyone's: replicas lagging more than this are
    /// broken, not slow.
    remember: Duration,
    /// The primary's recent WAL positions, shared with the probe that records them.
    trail: Arc<Mutex<PrimaryTrail>>,
    /// How far behind a replica may be and still answer a check.
    check_lag: Duration,
}

/// One replica as /health shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaState {
    pub replica: String,
    pub up: bool,
    /// More than `replica_max_lag_secs` behind the primary.
    pub behind: bool,
}

impl ReadRouter {
    /// `None` when no `DATABASE_READ_URL` is set: everything reads from the primary. Starts the probe, so it
    /// must be called inside the Tokio runtime.
    pub fn connect(settings: &Settings, primary: &PgPool) -> Result<Option<ReadRouter>> {
        if settings.database_read_urls.is_empty() {
            return Ok(None);
        }
        let mut replicas = Vec::new();
        for url in &settings.database_read_urls {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(format!("DATABASE_READ_URL: {e}")))?
                .application_name("landguard-read")
                .options([
                    ("statement_timeout", settings.statement_timeout_ms.to_string()),
                    ("jit", "off".to_string()),
                ]);
            let label =
                format!("{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or(""));
            let pool = PgPoolOptions::new()
                .max_connections(settings.pool_size)
                .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
                .connect_lazy_with(options);
            replicas.push(Replica { pool, label, up: AtomicBool::new(false), behind: AtomicBool::new(false) });
        }
        let replicas = Arc::new(replicas);
        let max_lag = Duration::from_secs(settings.replica_max_lag_secs);
        let check_lag = Duration::from_secs(settings.check_max_lag_secs);
        let trail = Arc::new(Mutex::new(PrimaryTrail::new(max_lag.max(check_lag))));
        tokio::spawn(probe(Arc::downgrade(&replicas), primary.clone(), max_lag, trail.clone()));
        Ok(Some(ReadRouter {
            replicas,
            next: AtomicUsize::new(0),
            written: Mutex::new(HashMap::new()),
            remember: Duration::from_secs(settings.read_your_writes_secs),
            trail,
            check_lag,
        }))
    }

    /// The next replica that answered its last probe, round robin; `None` when none did.
    fn replica(&self) -> Option<&PgPool> {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|k| &self.replicas[(start + k) % n]).find(|r| r.usable()).map(|r| &r.pool)
    }

    /// Each replica's label and connection pool, for /metrics.
    pub fn pools(&self) -> impl Iterator<Item = (&str, &PgPool)> {
        self.replicas.iter().map(|r| (r.label.as_str(), &r.pool))
    }

    pub fn states(&self) -> Vec<ReplicaState> {
        self.replicas
            .iter()
            .map(|r| ReplicaState {
                replica: r.label.clone(),
                up: r.up.load(Ordering::Relaxed),
                behind: r.behind.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Remembers where the primary's WAL stood after a write by `who`. The insert position, not
    /// `pg_current_wal_lsn()`: under `synchronous_commit = off` the commit record may be inserted but not
    /// yet written when the write returns, and the written position would then lie before it.
    pub async fn note_write(&self, primary: &Store, who: &str) {
        match sqlx::query_scalar::<_, String>("SELECT pg_current_wal_insert_lsn()::text").fetch_one(&primary.pool).await
        {
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

    /// The primary's WAL position after `who`'s last write, while it is remembered.
    fn pending(&self, who: Option<&str>) -> Option<String> {
        let map = self.written.lock().ok()?;
        map.get(who?).filter(|(_, at)| at.elapsed() < self.remember).map(|(lsn, _)| lsn.clone())
    }

    /// The store a check by `who` should read from and, for a replica, the WAL position the replica must
    /// have replayed for the answer to count: what the primary had written `check_max_lag_secs` ago (the
    /// oldest probe within that time), or `who`'s own last write if later. The check's statement reports
    /// the replica's replay position, so no round trip is spent here; a replica found short of it is left
    /// for the primary (see checks::run). Without a probe within that time, the primary.
    pub fn store_for_check(&self, primary: &Store, who: Option<&str>) -> (Store, Option<u64>) {
        let since = self.trail.lock().ok().and_then(|t| t.since(Instant::now(), self.check_lag));
        let (Some(mut need), Some(replica)) = (since, self.replica()) else { return (primary.clone(), None) };
        if let Some(p) = self.pending(who) {
            // unreadable: the primary, as store_for does
            need = need.max(lsn(&p).unwrap_or(u64::MAX));
        }
        (primary.with_pool(replica.clone()), Some(need))
    }

    /// The store a read by `who` should use.
    pub async fn store_for(&self, primary: &Store, who: Option<&str>) -> Store {
        let Some(replica) = self.replica() else { return primary.clone() };
        match self.pending(who) {
            None => primary.with_pool(replica.clone()),
            Some(lsn) => {
                let caught_up =
                    sqlx::query_scalar::<_, bool>("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)")
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

/// A WAL position as a number, from its text form `X/Y`.
pub fn lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

/// The primary's WAL positions of the last `keep` and a little more, one a probe.
struct PrimaryTrail {
    keep: Duration,
    samples: VecDeque<(Instant, u64)>,
}

impl PrimaryTrail {
    fn new(keep: Duration) -> PrimaryTrail {
        PrimaryTrail { keep, samples: VecDeque::new() }
    }

    fn record(&mut self, at: Instant, lsn: u64) {
        self.samples.push_back((at, lsn));
        // keep the newest sample at least `keep` old, and everything after it
        while self.samples.len() > 1 && self.samples[1].0 + self.keep <= at {
            self.samples.pop_front();
        }
    }

    /// Where the primary stood `lag` ago (the newest sample at least that old), if known: a replica short
    /// of it is more than `lag` behind.
    fn due(&self, now: Instant, lag: Duration) -> Option<u64> {
        self.samples.iter().rev().find(|(at, _)| *at + lag <= now).map(|(_, l)| *l)
    }

    /// The oldest sample at most `lag` old: a replica that has replayed it misses at most what the primary
    /// wrote in the last `lag`. None when no probe reached the primary in that time.
    fn since(&self, now: Instant, lag: Duration) -> Option<u64> {
        self.samples.iter().find(|(at, _)| *at + lag >= now && *at <= now).map(|(_, l)| *l)
    }
}

/// Once a second: asks every replica for its replay position (which also tells whether it answers), and
/// the primary for its WAL position. A replica is behind when it has not replayed what the primary had
/// written `max_lag` ago. Runs until the router is dropped.
async fn probe(replicas: Weak<Vec<Replica>>, primary: PgPool, max_lag: Duration, trail: Arc<Mutex<PrimaryTrail>>) {
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(replicas) = replicas.upgrade() else { return };
        let now = Instant::now();
        let primary_at = tokio::time::timeout(
            PROBE_TIMEOUT,
            sqlx::query_scalar::<_, String>("SELECT pg_current_wal_lsn()::text").fetch_one(&primary),
        )
        .await;
        if let Ok(Ok(text)) = primary_at {
            if let (Some(l), Ok(mut t)) = (lsn(&text), trail.lock()) {
                t.record(now, l);
            }
        }
        let due = trail.lock().ok().and_then(|t| t.due(now, max_lag));
        for r in replicas.iter() {
            // NULL when the replica is not in recovery (promoted): then it is behind nothing
            let answer = tokio::time::timeout(
                PROBE_TIMEOUT,
                sqlx::query_scalar::<_, Option<String>>("SELECT pg_last_wal_replay_lsn()::text").fetch_one(&r.pool),
            )
            .await;
            let up = matches!(answer, Ok(Ok(_)));
            if r.up.swap(up, Ordering::Relaxed) != up {
                if up {
                    tracing::info!(replica = %r.label, "read replica is up: reads go to it");
                } else {
                    let error = match &answer {
                        Ok(Err(e)) => e.to_string(),
                        _ => format!("no answer within {PROBE_TIMEOUT:?}"),
                    };
                    tracing::warn!(replica = %r.label, %error, "read replica is down: its reads go elsewhere until it answers");
                }
            }
            if let Ok(Ok(replayed)) = answer {
                let replayed = replayed.as_deref().and_then(lsn);
                let behind = matches!((replayed, due), (Some(at), Some(due)) if at < due);
                if r.behind.swap(behind, Ordering::Relaxed) != behind {
                    if behind {
                        tracing::warn!(replica = %r.label, max_lag_secs = max_lag.as_secs(), "read replica is behind the primary: its reads go elsewhere until it catches up");
                    } else {
                        tracing::info!(replica = %r.label, "read replica has caught up: reads go to it");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_text_to_number() {
        assert_eq!(lsn("0/0"), Some(0));
        assert_eq!(lsn("0/16B3748"), Some(0x16B3748));
        assert_eq!(lsn("1/0"), Some(1 << 32));
        assert!(lsn("1/0") > lsn("0/FFFFFFFF"));
        assert_eq!(lsn("nope"), None);
    }

    #[test]
    fn the_trail_knows_where_the_primary_stood_max_lag_ago() {
        let t0 = Instant::now();
        let lag = Duration::from_secs(5);
        let mut trail = PrimaryTrail::new(lag);
        for s in 0..=20u64 {
            trail.record(t0 + Duration::from_secs(s), 100 * s);
        }
        let now = t0 + Duration::from_secs(20);
        // 5 s before the last sample the primary stood at 1500
        assert_eq!(trail.due(now, lag), Some(1500));
        // nothing older than needed is kept
        assert!(trail.samples.len() <= 7, "{}", trail.samples.len());
        // a check asks for 1500 too (at most 5 s old); 2 s later, with no probe since, for 1700
        assert_eq!(trail.since(now, lag), Some(1500));
        assert_eq!(trail.since(now + Duration::from_secs(2), lag), Some(1700));
        // no probe within the bound: no replica answers the check
        assert_eq!(trail.since(now + Duration::from_secs(6), lag), None);
        // right after the start nothing is due yet: no replica is judged behind
        let mut fresh = PrimaryTrail::new(lag);
        fresh.record(t0, 7);
        assert_eq!(fresh.due(t0 + Duration::from_secs(1), lag), None);
    }
}
