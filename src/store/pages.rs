//! The pages' own connections: a small pool that hands a connection back without a round trip.
//!
//! sqlx's pool sends a Sync and waits for PostgreSQL's answer every time a connection goes back to it (its
//! way of finding out whether a statement was dropped half way): for a page, a second round trip to the
//! backend after the one that read the page, with a wake-up of the backend and a spawned task in the
//! service (bench/results/pages-cpu-20261206T073438Z.perf.txt). Here the caller says when its statement
//! has run to its end ([`PageConn::finish`]): only such a connection goes back, with nothing to ask. One
//! dropped before that (a client gone mid-page, as a map that pans cancels its requests, an error, a
//! timeout) has the rest of its answer read and dropped, as sqlx's pool does, but for [`DRAIN_LIMIT`] at
//! most: a small page's rest costs less than opening a connection again, and a large one's is cut short by
//! closing the connection (its backend stops the statement at its next write). Either way no half-read
//! answer ever reaches the next page.
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A connection idle this long is pinged before use (a database restarted meanwhile, a firewall that
/// dropped it), as the primary pool's are (store::PING_AFTER_IDLE).
const PING_AFTER_IDLE: Duration = super::PING_AFTER_IDLE;
/// A connection idle this long is closed when the pool is next used (sqlx's own default idle timeout):
/// the pool shrinks back after a burst. Connections are reused most recent first, so the spare ones age.
const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(600);
/// How long the rest of a page dropped half way may take to read before its connection is closed instead.
pub const DRAIN_LIMIT: Duration = Duration::from_millis(50);

/// Up to `max` connections opened on demand with `options`; a caller waits at most `acquire_timeout` for
/// one. Cheap to clone (shared).
#[derive(Clone)]
pub struct PagePool {
    inner: Arc<Inner>,
}

struct Inner {
    options: PgConnectOptions,
    acquire_timeout: Duration,
    max: u32,
    permits: Arc<Semaphore>,
    /// Connections ready for use, with the time each came back; the most recent last.
    idle: Mutex<Vec<(Counted, Instant)>>,
    open: Arc<AtomicU32>,
}

/// An open connection, counted in `open` for as long as it lives.
struct Counted {
    conn: PgConnection,
    open: Arc<AtomicU32>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl PagePool {
    pub fn new(options: PgConnectOptions, max: u32, acquire_timeout: Duration) -> PagePool {
        PagePool {
            inner: Arc::new(Inner {
                options,
                acquire_timeout,
                max,
                permits: Arc::new(Semaphore::new(max as usize)),
                idle: Mutex::new(Vec::new()),
                open: Arc::new(AtomicU32::new(0)),
            }),
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(Counted, Instant)>> {
        self.inner.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection: an idle one, or a new one while fewer than `max` are in use. `PoolTimedOut` when none
    /// is to be had within the acquire timeout (an exhausted pool, or a database that does not answer).
    pub async fn acquire(&self) -> Result<PageConn, sqlx::Error> {
        match tokio::time::timeout(self.inner.acquire_timeout, self.acquire_now()).await {
            Ok(r) => r,
            Err(_) => Err(sqlx::Error::PoolTimedOut),
        }
    }

    async fn acquire_now(&self) -> Result<PageConn, sqlx::Error> {
        let permit = self.inner.permits.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        loop {
            let next = {
                let mut idle = self.idle();
                // the oldest come first in the list: drop those idle too long (dropped outside the lock)
                let stale = idle.iter().take_while(|(_, at)| at.elapsed() >= CLOSE_AFTER_IDLE).count();
                let stale: Vec<_> = idle.drain(..stale).collect();
                (idle.pop(), stale)
            };
            match next {
                (Some((mut c, at)), _) => {
                    if at.elapsed() >= PING_AFTER_IDLE && c.conn.ping().await.is_err() {
                        continue; // dead: dropped (closed), try the next
                    }
                    return Ok(self.conn(c, permit));
                }
                (None, _) => {
                    let conn = self.inner.options.connect().await?;
                    self.inner.open.fetch_add(1, Ordering::Relaxed);
                    return Ok(self.conn(Counted { conn, open: self.inner.open.clone() }, permit));
                }
            }
        }
    }

    fn conn(&self, c: Counted, permit: OwnedSemaphorePermit) -> PageConn {
        PageConn { conn: Some(c), ended: false, pool: self.clone(), permit: Some(permit) }
    }

    /// Open connections, idle and in use.
    pub fn size(&self) -> u32 {
        self.inner.open.load(Ordering::Relaxed)
    }

    pub fn num_idle(&self) -> usize {
        self.idle().len()
    }

    pub fn max_connections(&self) -> u32 {
        self.inner.max
    }
}

/// A connection of the pages' pool: back to the pool when dropped after [`PageConn::finish`], else closed.
pub struct PageConn {
    conn: Option<Counted>,
    ended: bool,
    pool: PagePool,
    /// Released once the connection is back or closed, so that a drain counts against the pool's bound.
    permit: Option<OwnedSemaphorePermit>,
}

impl PageConn {
    pub fn conn(&mut self) -> &mut PgConnection {
        // `conn` is taken only in Drop
        &mut self.conn.as_mut().expect("a page connection is held until dropped").conn
    }

    /// Says that every statement sent on the connection has been read to its end (the last row, and so
    /// PostgreSQL's ReadyForQuery: sqlx's stream ends only there): it goes back to the pool as it is.
    pub fn finish(mut self) {
        self.ended = true;
    }
}

impl Drop for PageConn {
    fn drop(&mut self) {
        let Some(mut c) = self.conn.take() else { return };
        let permit = self.permit.take();
        if self.ended {
            self.pool.idle().push((c, Instant::now()));
            drop(permit);
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else { return }; // closed with `c`
        let pool = self.pool.clone();
        rt.spawn(async move {
            // sqlx's ping reads what the dropped statement still sends up to its ReadyForQuery, then asks
            // for one more; cut short by the limit, the connection is dropped (closed) half read.
            if let Ok(Ok(())) = tokio::time::timeout(DRAIN_LIMIT, c.conn.ping()).await {
                pool.idle().push((c, Instant::now()));
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// A pool over an address nobody listens on: acquiring fails within the acquire timeout.
    #[tokio::test]
    async fn an_unreachable_database_times_out_or_fails_fast() {
        let options = PgConnectOptions::from_str("postgres://nobody@127.0.0.1:1/none").unwrap();
        let pool = PagePool::new(options, 2, Duration::from_millis(300));
        let start = Instant::now();
        assert!(pool.acquire().await.is_err());
        assert!(start.elapsed() < Duration::from_secs(2));
        assert_eq!(pool.size(), 0);
        assert_eq!(pool.inner.permits.available_permits(), 2, "the permit came back");
    }
}
