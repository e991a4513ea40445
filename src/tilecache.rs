//! The in-memory vector-tile cache: a `moka` cache bounded by total bytes (a weigher), least recently
//! used out first, that renders a missing tile once however many requests ask for it at the same time.
//!
//! Its keys carry the collection's data version (the `collection_changes` counter, bumped by database
//! triggers in the same transaction as any write, from any process), so an entry made before a write can
//! never be found by a request that started after the write committed: the request gets the new
//! counter (read, or known from a lease under which no write can commit: leases.rs) and asks for a
//! different key. Entries of older versions are unreachable from then on; the
//! cache drops them as soon as it sees a newer version of their collection, and does not store a tile
//! asked for at an older version than one it has already seen.
//!
//! Concurrent requests for the same missing key wait for one render (moka's `or_try_insert_with`). They
//! asked for the same data version, so the one tile is as fresh as each of them needs; a failed render
//! is not cached, and each waiter gets its error.

use crate::domain::registry::Collection;
use crate::store::tiles::{data_version_on, DataVersion, TileDetail};
use crate::store::Store;
use bytes::Bytes;
use chrono::NaiveDate;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use moka::future::Cache;
use moka::notification::RemovalCause;
use moka::policy::EvictionPolicy;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

mod leases;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub collection: Collection,
    pub z: u8,
    pub x: u32,
    pub y: u32,
    pub as_of: Option<NaiveDate>,
    pub version: DataVersion,
}

/// A rendered tile as served: the MVT bytes (possibly empty) and how it was reduced.
#[derive(Debug, Clone)]
pub struct CachedTile {
    pub mvt: Bytes,
    pub detail: TileDetail,
    /// Still over the size bound at the strongest reduction (served all the same, and said so).
    pub oversize: bool,
    /// The data version the tile shows: the one in its key, or newer when a write committed between
    /// the request's version read and the render (never older).
    pub version: DataVersion,
    /// The ETag of the tile at `version`, made once with it rather than on every request that gets it.
    pub etag: axum::http::HeaderValue,
}

/// Where a served tile came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Found in the cache.
    Hit,
    /// Rendered for this request.
    Rendered,
    /// Not in the cache; rendered once for this request and others that asked for it at the same time.
    Shared,
}

impl Lookup {
    /// The `x-tile-cache` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Lookup::Hit => "hit",
            Lookup::Rendered => "miss",
            Lookup::Shared => "shared",
        }
    }
}

/// Counters, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    /// Requests that did not find their tile (whether they rendered it or waited for another's render).
    pub misses: u64,
    /// Tiles rendered (misses that shared a render are not counted again).
    pub renders: u64,
    pub inserts: u64,
    /// Entries dropped to stay under the byte bound.
    pub evictions: u64,
    /// Entries dropped because their collection changed.
    pub invalidated: u64,
    /// Conditional requests answered 304.
    pub not_modified: u64,
    /// Data versions known from a lease, without a query (leases.rs).
    pub leased: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// Bookkeeping per entry beyond its bytes (key, maps), so that many empty tiles still count.
const ENTRY_OVERHEAD: usize = 128;

/// What an entry counts against the byte bound.
fn weight(tile: &CachedTile) -> u32 {
    u32::try_from(tile.mvt.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    renders: AtomicU64,
    inserts: AtomicU64,
    evictions: AtomicU64,
    invalidated: AtomicU64,
    not_modified: AtomicU64,
    leased: AtomicU64,
    /// Kept here rather than read from moka, whose counts are only brought up to date by its
    /// housekeeping: added when a render is stored, taken off by the removal listener.
    entries: AtomicU64,
    bytes: AtomicU64,
}

fn bump(n: &AtomicU64) {
    n.fetch_add(1, Ordering::Relaxed);
}

/// A cheap handle: clones share one cache. One `Arc` rather than one per part: the handle is cloned with
/// the router's state several times per request (each middleware and extractor holding the state), and
/// cloning moka's cache itself costs a dozen reference counts and channel senders, which showed as ~10 %
/// of a cached tile's CPU (bench/tiles.sh, perf).
#[derive(Clone)]
pub struct TileCache(Arc<Inner>);

impl std::ops::Deref for TileCache {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// What a `TileCache` handle shares.
pub struct Inner {
    /// `None` when the capacity is 0: every tile is rendered for its request.
    tiles: Option<Cache<TileKey, CachedTile>>,
    capacity: usize,
    counters: Arc<Counters>,
    /// The newest data version seen per collection.
    latest: Arc<Mutex<HashMap<Collection, DataVersion>>>,
    /// Collection extents for TileJSON, by (collection, as-of day), with the version they were read at.
    extents: Arc<Mutex<Extents>>,
    versions: VersionReads,
    leases: leases::Leases,
}

/// Extents by (collection, as-of day): the data version they were read at and the lon/lat box, if any.
type Extents = HashMap<(Collection, Option<NaiveDate>), (DataVersion, Option<[f64; 4]>)>;

/// Extents kept at most (as-of days are many; current extents are what is asked for).
const MAX_EXTENTS: usize = 256;

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache").field("capacity", &self.capacity).field("stats", &self.stats()).finish()
    }
}

impl TileCache {
    /// A cache holding at most `capacity` bytes of tiles (0 disables it), and leases on the collections'
    /// change counters given back and taken again every `lease` (zero: no leases, the counter is read for
    /// every request).
    pub fn new(capacity: usize, lease: Duration) -> TileCache {
        let counters = Arc::new(Counters::default());
        let tiles = (capacity > 0).then(|| {
            let counted = counters.clone();
            Cache::builder()
                .max_capacity(capacity as u64)
                .weigher(|_: &TileKey, t: &CachedTile| weight(t))
                // Recency, not moka's default TinyLFU admission: a newly rendered tile is the one most
                // likely asked for next (the map around it), and must not be refused for lack of history.
                .eviction_policy(EvictionPolicy::lru())
                .eviction_listener(move |_, t: CachedTile, cause| {
                    counted.entries.fetch_sub(1, Ordering::Relaxed);
                    counted.bytes.fetch_sub(u64::from(weight(&t)), Ordering::Relaxed);
                    match cause {
                        RemovalCause::Size => bump(&counted.evictions),
                        RemovalCause::Explicit => bump(&counted.invalidated),
                        RemovalCause::Expired | RemovalCause::Replaced => {}
                    }
                })
                .build()
        });
        TileCache(Arc::new(Inner {
            tiles,
            capacity,
            counters,
            latest: Arc::default(),
            extents: Arc::default(),
            versions: VersionReads::default(),
            leases: leases::Leases::new(lease),
        }))
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn latest(&self) -> MutexGuard<'_, HashMap<Collection, DataVersion>> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a newer version of the key's collection has been seen: no request can ask for this key
    /// any more, so a tile for it is not worth storing.
    fn outdated(&self, key: &TileKey) -> bool {
        self.latest().get(&key.collection).is_some_and(|v| key.version.seq < v.seq)
    }

    /// The tile under `key`: from the cache, or made by `render` and stored. Concurrent calls for the same
    /// missing key run one `render` and all get its tile (or its error, which is not stored).
    pub async fn get_or_render<F, E>(&self, key: TileKey, render: F) -> Result<(CachedTile, Lookup), Arc<E>>
    where
        F: Future<Output = Result<CachedTile, E>>,
        E: Send + Sync + 'static,
    {
        let counters = &self.counters;
        let Some(cache) = self.tiles.as_ref().filter(|_| !self.outdated(&key)) else {
            bump(&counters.misses);
            bump(&counters.renders);
            return render.await.map(|t| (t, Lookup::Rendered)).map_err(Arc::new);
        };
        if let Some(t) = cache.get(&key).await {
            bump(&counters.hits);
            return Ok((t, Lookup::Hit));
        }
        bump(&counters.misses);
        let mine = AtomicBool::new(false);
        let init = async {
            mine.store(true, Ordering::Relaxed);
            bump(&counters.renders);
            let t = render.await?;
            // Counted before moka stores it (no await in between), so the listener never sees it first.
            bump(&counters.inserts);
            counters.entries.fetch_add(1, Ordering::Relaxed);
            counters.bytes.fetch_add(u64::from(weight(&t)), Ordering::Relaxed);
            Ok(t)
        };
        let entry = cache.entry(key).or_try_insert_with(init).await?;
        let how = if mine.load(Ordering::Relaxed) { Lookup::Rendered } else { Lookup::Shared };
        Ok((entry.into_value(), how))
    }

    /// A tile made for one request without the cache (the cache is off), counted as a miss and a render.
    pub async fn render_only<F, E>(&self, render: F) -> Result<CachedTile, E>
    where
        F: Future<Output = Result<CachedTile, E>>,
    {
        bump(&self.counters.misses);
        bump(&self.counters.renders);
        render.await
    }

    /// Tells the cache the current version of a collection (read by a request): entries of older
    /// versions are dropped at once rather than waiting to age out.
    pub async fn observe(&self, c: Collection, version: DataVersion) {
        {
            let mut latest = self.latest();
            match latest.get(&c) {
                Some(v) if *v == version || v.seq > version.seq => return,
                _ => latest.insert(c, version),
            };
        }
        let Some(cache) = &self.tiles else { return };
        // One pass over the keys per change of a collection, not per request.
        let stale: Vec<Arc<TileKey>> =
            cache.iter().map(|(k, _)| k).filter(|k| k.collection == c && k.version != version).collect();
        for k in stale {
            cache.invalidate(&*k).await;
        }
    }

    /// The current data version of a collection: at least as new as every write committed before the call.
    /// Known without a query while this process holds a lease on the collection (leases.rs); otherwise read
    /// from the database after this call began, with concurrent reads batched.
    pub async fn data_version(&self, store: &Store, c: Collection) -> crate::store::Result<DataVersion> {
        if let Some(v) = self.leases.version(store, c) {
            bump(&self.counters.leased);
            return Ok(v);
        }
        self.versions.read(store, c).await
    }

    /// The extent of a collection if one was stored at exactly this data version.
    pub fn extent(&self, c: Collection, as_of: Option<NaiveDate>, version: DataVersion) -> Option<Option<[f64; 4]>> {
        let extents = self.extents.lock().unwrap_or_else(|p| p.into_inner());
        extents.get(&(c, as_of)).filter(|(v, _)| *v == version).map(|(_, b)| *b)
    }

    pub fn put_extent(&self, c: Collection, as_of: Option<NaiveDate>, version: DataVersion, bounds: Option<[f64; 4]>) {
        let mut extents = self.extents.lock().unwrap_or_else(|p| p.into_inner());
        if extents.len() >= MAX_EXTENTS {
            extents.clear();
        }
        extents.insert((c, as_of), (version, bounds));
    }

    pub fn count_not_modified(&self) {
        bump(&self.counters.not_modified);
    }

    /// Runs moka's pending housekeeping (evictions to the bound are otherwise made a little later).
    pub async fn settle(&self) {
        if let Some(cache) = &self.tiles {
            cache.run_pending_tasks().await;
        }
    }

    pub fn stats(&self) -> CacheStats {
        let c = &self.counters;
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CacheStats {
            hits: n(&c.hits),
            misses: n(&c.misses),
            renders: n(&c.renders),
            inserts: n(&c.inserts),
            evictions: n(&c.evictions),
            invalidated: n(&c.invalidated),
            not_modified: n(&c.not_modified),
            leased: n(&c.leased),
            entries: n(&c.entries),
            bytes: n(&c.bytes),
        }
    }
}

/// Reads of a collection's data version, batched like a group commit: at most one query per collection
/// is in flight, and requests arriving meanwhile share the *next* one, which is sent only once the one in
/// flight has finished. A request therefore only ever shares a query sent after it arrived, whose
/// snapshot includes every write committed before it arrived: batching never makes a read older.
///
/// Each collection's reads go over a connection of their own to the primary (opened on the first read,
/// so at most one per collection that serves tiles, beside the pool), not through the pool: a cached tile
/// is little more than this read, and the pool's hand-out, its hand-back (a Sync round trip per query in
/// sqlx) and the wait behind renders for a free pooled connection were most of its cost (perf,
/// bench/tiles.sh). The reads of one collection are serial anyway, so the connection is never shared.
/// A read is an ordinary autocommit statement on the primary, so its snapshot is taken when it runs,
/// after every request it answers arrived.
#[derive(Clone, Default)]
struct VersionReads {
    inner: Arc<Mutex<HashMap<Collection, Slots>>>,
    ids: Arc<AtomicU64>,
}

/// `None` when the query failed: each waiter then reads on its own, to get (and report) its own error.
type VersionRead = Shared<BoxFuture<'static, Option<DataVersion>>>;

#[derive(Default)]
struct Slots {
    /// Sent (or about to be): not to be joined.
    in_flight: Option<(u64, VersionRead)>,
    /// Not sent yet: requests join it.
    next: Option<(u64, VersionRead)>,
    /// The collection's own connection, while no read uses it. A read takes it and gives it back when
    /// its answer is in: a read dropped half way (every request waiting for it gone) drops the connection
    /// with it rather than leaving an unread answer on it for the next one.
    conn: Option<sqlx::PgConnection>,
}

impl VersionReads {
    fn lock(&self) -> MutexGuard<'_, HashMap<Collection, Slots>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn read(&self, store: &Store, c: Collection) -> crate::store::Result<DataVersion> {
        let read = {
            let mut all = self.lock();
            let slots = all.entry(c).or_default();
            match &slots.next {
                Some((_, r)) => r.clone(),
                None => {
                    let id = self.ids.fetch_add(1, Ordering::Relaxed);
                    let before = slots.in_flight.as_ref().map(|(_, r)| r.clone());
                    let this = self.clone();
                    let store = store.clone();
                    let r = async move {
                        if let Some(before) = before {
                            before.await;
                        }
                        // From here on this read is in flight: later arrivals make the next one.
                        {
                            let mut all = this.lock();
                            let slots = all.entry(c).or_default();
                            if slots.next.as_ref().is_some_and(|(i, _)| *i == id) {
                                slots.in_flight = slots.next.take();
                            }
                        }
                        let own = this.lock().entry(c).or_default().conn.take();
                        let own = match own {
                            Some(conn) => Some(conn),
                            None => store.own_connection().await.ok(),
                        };
                        let (v, own) = match own {
                            Some(mut conn) => match data_version_on(&mut conn, c).await {
                                Ok(v) => (Some(v), Some(conn)),
                                // not kept: opened again by the next read
                                Err(_) => (None, None),
                            },
                            None => (None, None),
                        };
                        // No connection of its own to be had (or its read failed): through the pool.
                        let v = match v {
                            Some(v) => Some(v),
                            None => store.data_version(c).await.ok(),
                        };
                        let mut all = this.lock();
                        let slots = all.entry(c).or_default();
                        if own.is_some() {
                            slots.conn = own;
                        }
                        if slots.in_flight.as_ref().is_some_and(|(i, _)| *i == id) {
                            slots.in_flight = None;
                        }
                        v
                    }
                    .boxed()
                    .shared();
                    slots.next = Some((id, r.clone()));
                    r
                }
            }
        };
        match read.await {
            Some(v) => Ok(v),
            None => store.data_version(c).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn key(x: u32, seq: i64) -> TileKey {
        TileKey {
            collection: Collection::FarmlandUnits,
            z: 10,
            x,
            y: 1,
            as_of: None,
            version: DataVersion { seq, stamp: 1_000 + seq },
        }
    }

    fn tile(n: usize) -> CachedTile {
        CachedTile {
            mvt: Bytes::from(vec![7u8; n]),
            detail: TileDetail::Full,
            oversize: false,
            version: DataVersion { seq: 0, stamp: 0 },
            etag: axum::http::HeaderValue::from_static("W/\"t0\""),
        }
    }

    /// The tile under `k`, rendered as `n` bytes if missing.
    async fn get(c: &TileCache, k: TileKey, n: usize) -> (usize, Lookup) {
        let (t, how) = c.get_or_render(k, async { Ok::<_, Infallible>(tile(n)) }).await.unwrap();
        (t.mvt.len(), how)
    }

    #[tokio::test]
    async fn hits_misses_and_lru_eviction_by_bytes() {
        let c = TileCache::new(3 * (1000 + ENTRY_OVERHEAD), Duration::ZERO);
        assert_eq!(get(&c, key(1, 1), 1000).await, (1000, Lookup::Rendered));
        get(&c, key(2, 1), 1000).await;
        get(&c, key(3, 1), 1000).await;
        c.settle().await;
        assert_eq!(get(&c, key(1, 1), 5).await, (1000, Lookup::Hit)); // 1 is now the most recent; 2 the least
        c.settle().await;
        get(&c, key(4, 1), 1000).await;
        c.settle().await;
        assert_eq!(get(&c, key(1, 1), 5).await.1, Lookup::Hit);
        assert_eq!(get(&c, key(3, 1), 5).await.1, Lookup::Hit);
        assert_eq!(get(&c, key(4, 1), 5).await.1, Lookup::Hit);
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.renders, s.evictions, s.entries), (4, 4, 4, 1, 3));
        assert_eq!(s.bytes, 3 * (1000 + ENTRY_OVERHEAD) as u64);
        assert_eq!(get(&c, key(2, 1), 5).await, (5, Lookup::Rendered), "2 was evicted");
    }

    #[tokio::test]
    async fn a_newer_version_drops_older_entries_and_older_ones_are_not_stored() {
        let c = TileCache::new(1 << 20, Duration::ZERO);
        get(&c, key(1, 5), 10).await;
        get(&c, key(2, 5), 10).await;
        c.observe(Collection::FarmlandUnits, DataVersion { seq: 6, stamp: 1_006 }).await;
        assert_eq!(c.stats().invalidated, 2);
        assert_eq!(c.stats().entries, 0);
        get(&c, key(1, 6), 10).await;
        // a slow request that read version 5 before 6 was seen is served, but its tile is not stored
        assert_eq!(get(&c, key(3, 5), 10).await.1, Lookup::Rendered);
        assert_eq!(get(&c, key(3, 5), 10).await.1, Lookup::Rendered);
        assert_eq!(c.stats().entries, 1);
        assert_eq!(get(&c, key(1, 6), 10).await.1, Lookup::Hit);
        c.observe(Collection::FarmlandUnits, DataVersion { seq: 7, stamp: 1_007 }).await;
        let s = c.stats();
        assert_eq!((s.entries, s.bytes, s.invalidated), (0, 0, 3));
    }

    #[tokio::test]
    async fn same_counter_from_another_database_is_not_mixed_up() {
        let c = TileCache::new(1 << 20, Duration::ZERO);
        get(&c, key(1, 5), 10).await;
        let mut other = key(1, 5);
        other.version.stamp = 99;
        c.observe(Collection::FarmlandUnits, other.version).await;
        assert_eq!(get(&c, other, 20).await, (20, Lookup::Rendered));
        assert_eq!(c.stats().invalidated, 1);
    }

    #[tokio::test]
    async fn zero_capacity_stores_nothing() {
        let c = TileCache::new(0, Duration::ZERO);
        get(&c, key(1, 1), 1).await;
        assert_eq!(get(&c, key(1, 1), 1).await.1, Lookup::Rendered);
        assert_eq!(c.stats().entries, 0);
        assert_eq!(c.stats().renders, 2);
    }

    #[tokio::test]
    async fn other_collections_are_untouched_by_a_change() {
        let c = TileCache::new(1 << 20, Duration::ZERO);
        let mut p = key(1, 3);
        p.collection = Collection::ConstructionParcels;
        get(&c, p, 10).await;
        c.observe(Collection::FarmlandUnits, DataVersion { seq: 9, stamp: 1_009 }).await;
        assert_eq!(get(&c, p, 10).await.1, Lookup::Hit);
    }

    #[tokio::test]
    async fn concurrent_misses_of_one_tile_render_it_once_and_errors_are_not_stored() {
        let c = TileCache::new(1 << 20, Duration::ZERO);
        let renders = AtomicU64::new(0);
        let slow = || async {
            renders.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok::<_, Infallible>(tile(10))
        };
        let all = futures_util::future::join_all((0..8).map(|_| c.get_or_render(key(1, 1), slow()))).await;
        let hows: Vec<Lookup> = all.into_iter().map(|r| r.unwrap().1).collect();
        assert_eq!(renders.load(Ordering::Relaxed), 1);
        assert_eq!(hows.iter().filter(|h| **h == Lookup::Rendered).count(), 1, "{hows:?}");
        assert_eq!(hows.iter().filter(|h| **h == Lookup::Shared).count(), 7, "{hows:?}");
        let s = c.stats();
        assert_eq!((s.misses, s.renders, s.entries), (8, 1, 1));

        let failing = c.get_or_render(key(2, 1), async { Err::<CachedTile, _>("database down") }).await;
        assert_eq!(failing.err().as_deref(), Some(&"database down"));
        assert_eq!(get(&c, key(2, 1), 3).await, (3, Lookup::Rendered), "the error was not stored");
    }
}
