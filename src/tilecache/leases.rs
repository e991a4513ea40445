//! Read leases on collections' change counters: while this process holds one, the current data version of
//! the collection is known without asking the database, because no write to it can commit meanwhile
//! (migrations/20261206130001_tile_leases.sql says how the database side keeps that promise).
//!
//! A lease is a transaction holding a shared advisory lock, on a connection of its own, opened when tiles of
//! a collection are asked for and kept while they are; it is ended and begun again every period, so that a
//! write waits at most one period for it. The
//! version is kept only from the moment the counter was read *after* the lease was granted until the
//! moment before the lease is given back (the version is forgotten first, then the COMMIT goes out), so a
//! request answered from it arrived while no write could commit since that read.
//!
//! What it cannot see: a server that ends the lease's session while this process still thinks it holds it
//! (an administrator's `pg_terminate_backend`, a lost network). A kept version is therefore trusted only
//! until two periods after the round trip that last confirmed the lease was sent, and the session is told
//! to end itself only after a much longer silence (`idle_in_transaction_session_timeout`), so that a process stalled
//! past its lease has stopped trusting it before the server gives it back. A terminated session is the one
//! case left: requests can then be answered from a version up to two periods old. docs/api.md says so.

use crate::domain::registry::Collection;
use crate::store::tiles::{release_lease, renew_lease, DataVersion};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A lease nobody asked for in this long is given back and its connection closed.
const IDLE: Duration = Duration::from_secs(2);

/// After a lease could not be held (no connection, an error on it), requests read
/// the counter for this long before another try.
const RETRY: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub(super) struct Leases {
    period: Duration,
    inner: Arc<Mutex<HashMap<Collection, Lease>>>,
}

#[derive(Default)]
struct Lease {
    /// The version read under the lease, and until when it may be trusted.
    kept: Option<(DataVersion, Instant)>,
    /// When a request last asked.
    wanted: Option<Instant>,
    /// A task is holding (or trying to hold) the lease.
    running: bool,
    /// When the last try ended in an error.
    failed: Option<Instant>,
}

impl Leases {
    /// Leases given back and taken again every `period`; none at all when it is zero.
    pub(super) fn new(period: Duration) -> Leases {
        Leases { period, inner: Arc::default() }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Collection, Lease>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The collection's current version if a lease on it is held now. Otherwise `None`, and a lease is
    /// sought for the requests after this one.
    pub(super) fn version(&self, store: &Store, c: Collection) -> Option<DataVersion> {
        if self.period.is_zero() {
            return None;
        }
        let now = Instant::now();
        let mut all = self.lock();
        let lease = all.entry(c).or_default();
        lease.wanted = Some(now);
        if let Some((v, until)) = lease.kept {
            if now < until {
                return Some(v);
            }
        }
        if !lease.running && lease.failed.is_none_or(|t| t.elapsed() > RETRY) {
            lease.running = true;
            let (this, store) = (self.clone(), store.clone());
            tokio::spawn(async move {
                let held = this.hold(&store, c).await;
                if let Err(e) = &held {
                    tracing::warn!(collection = %c, error = %e, "tile lease lost; the data version is read per request");
                }
                let mut all = this.lock();
                let lease = all.entry(c).or_default();
                lease.kept = None;
                lease.running = false;
                lease.failed = held.is_err().then(Instant::now);
            });
        }
        None
    }

    /// Forgets the kept version: from here on requests read the counter.
    fn forget(&self, c: Collection) {
        self.lock().entry(c).or_default().kept = None;
    }

    fn keep(&self, c: Collection, v: DataVersion, until: Instant) {
        self.lock().entry(c).or_default().kept = Some((v, until));
    }

    fn idle(&self, c: Collection) -> bool {
        self.lock().get(&c).and_then(|l| l.wanted).is_none_or(|t| t.elapsed() > IDLE)
    }

    /// Holds the lease on `c` until nobody has asked for a while. An error drops the connection, and the
    /// server ends the lease's transaction with the session.
    async fn hold(&self, store: &Store, c: Collection) -> crate::store::Result<()> {
        let mut conn = store.own_connection().await?;
        let period_ms = u64::try_from(self.period.as_millis()).unwrap_or(u64::MAX);
        let idle_ms = period_ms.saturating_mul(4).saturating_add(1000);
        // after the first renewal a transaction is always open (holding the lease or not)
        let mut open = false;
        while !self.idle(c) {
            self.forget(c);
            let sent = Instant::now();
            // the version comes with the lease, read after it was granted
            let leased = renew_lease(&mut conn, c, open, idle_ms).await?;
            open = true;
            if let Some(v) = leased {
                self.keep(c, v, sent + 2 * self.period);
            }
            tokio::time::sleep(self.period).await;
        }
        self.forget(c);
        if open {
            release_lease(&mut conn).await?;
        }
        Ok(())
    }
}
