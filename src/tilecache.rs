//! The in-memory vector-tile cache: bounded by total bytes, least recently used out first.
//!
//! Its keys carry the collection's data version (the `collection_changes` counter, bumped by database
//! triggers in the same transaction as any write, from any process), so an entry made before a write can
//! never be found by a request that started after the write committed: the request reads the new
//! counter and asks for a different key. Entries of older versions are unreachable from then on; the
//! cache drops them as soon as it sees a newer version of their collection, and refuses to store a tile
//! of an older version than one it has already seen.

use crate::domain::registry::Collection;
use bytes::Bytes;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use crate::store::tiles::{DataVersion, TileDetail};
use crate::store::Store;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use std::sync::{Arc, Mutex, MutexGuard};

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
}

/// Counters, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub inserts: u64,
    /// Entries dropped to stay under the byte bound.
    pub evictions: u64,
    /// Entries dropped because their collection changed.
    pub invalidated: u64,
    /// Conditional requests answered 304.
    pub not_modified: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// Bookkeeping per entry beyond its bytes (key, maps), so that many empty tiles still count.
const ENTRY_OVERHEAD: usize = 128;

struct Entry {
    tile: CachedTile,
    tick: u64,
    size: usize,
}

#[derive(Default)]
struct Inner {
    map: HashMap<TileKey, Entry>,
    /// Recency order: tick → key; the smallest tick is the least recently used.
    order: BTreeMap<u64, TileKey>,
    tick: u64,
    bytes: usize,
    /// The newest data version seen per collection.
    latest: HashMap<Collection, DataVersion>,
}

/// A cheap handle (an `Arc` inside): clones share one cache.
#[derive(Clone)]
pub struct TileCache {
    inner: Arc<Mutex<Inner>>,
    capacity: usize,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
    inserts: Arc<AtomicU64>,
    evictions: Arc<AtomicU64>,
    invalidated: Arc<AtomicU64>,
    not_modified: Arc<AtomicU64>,
    /// Collection extents for TileJSON, by (collection, as-of day), with the version they were read at.
    extents: Arc<Mutex<Extents>>,
    versions: VersionReads,
}

/// Extents by (collection, as-of day): the data version they were read at and the lon/lat box, if any.
type Extents = HashMap<(Collection, Option<NaiveDate>), (DataVersion, Option<[f64; 4]>)>;

/// Extents kept at most (as-of days are many; current extents are what is asked for).
const MAX_EXTENTS: usize = 256;

impl Default for TileCache {
    /// 64 MiB, the default of the `tile_cache_bytes` setting.
    fn default() -> Self {
        TileCache::new(64 * 1024 * 1024)
    }
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache").field("capacity", &self.capacity).field("stats", &self.stats()).finish()
    }
}

impl TileCache {
    /// A cache holding at most `capacity` bytes of tiles (0 disables it).
    pub fn new(capacity: usize) -> TileCache {
        TileCache {
            inner: Arc::new(Mutex::new(Inner::default())),
            capacity,
            hits: Arc::default(),
            misses: Arc::default(),
            inserts: Arc::default(),
            evictions: Arc::default(),
            invalidated: Arc::default(),
            not_modified: Arc::default(),
            extents: Arc::default(),
            versions: VersionReads::default(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The lock is only ever held for map operations that cannot panic; a poisoned lock still holds a
    /// consistent cache, so it is used as is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The tile under `key`, counting a hit or a miss.
    pub fn get(&self, key: &TileKey) -> Option<CachedTile> {
        let found = {
            let mut inner = self.lock();
            inner.tick += 1;
            let tick = inner.tick;
            match inner.map.get_mut(key) {
                Some(e) => {
                    let old = std::mem::replace(&mut e.tick, tick);
                    let tile = e.tile.clone();
                    inner.order.remove(&old);
                    inner.order.insert(tick, *key);
                    Some(tile)
                }
                None => None,
            }
        };
        match found {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        found
    }

    /// Stores a tile. A tile of an older data version than the newest seen for its collection is not
    /// stored (no request can ask for it any more); a newer version drops every entry of the older ones.
    pub fn insert(&self, key: TileKey, tile: CachedTile) {
        let size = tile.mvt.len() + ENTRY_OVERHEAD;
        if self.capacity == 0 || size > self.capacity {
            return;
        }
        let mut inner = self.lock();
        match inner.latest.get(&key.collection).copied() {
            Some(v) if v == key.version => {}
            // Older than a version already seen: no request can ask for it any more.
            Some(v) if key.version.seq < v.seq => return,
            // Newer (or the same counter of another database): everything held for the collection is stale.
            _ => {
                self.drop_collection(&mut inner, key.collection);
                inner.latest.insert(key.collection, key.version);
            }
        }
        inner.tick += 1;
        let tick = inner.tick;
        if let Some(old) = inner.map.insert(key, Entry { tile, tick, size }) {
            inner.order.remove(&old.tick);
            inner.bytes -= old.size;
        }
        inner.order.insert(tick, key);
        inner.bytes += size;
        self.inserts.fetch_add(1, Ordering::Relaxed);
        while inner.bytes > self.capacity {
            let Some((_, victim)) = inner.order.pop_first() else { break };
            if let Some(e) = inner.map.remove(&victim) {
                inner.bytes -= e.size;
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Drops every entry of a collection: called when a newer version of it is seen, so all of them
    /// are of older versions.
    fn drop_collection(&self, inner: &mut Inner, c: Collection) {
        let stale: Vec<(TileKey, u64, usize)> =
            inner.map.iter().filter(|(k, _)| k.collection == c).map(|(k, e)| (*k, e.tick, e.size)).collect();
        for (k, tick, size) in stale {
            inner.map.remove(&k);
            inner.order.remove(&tick);
            inner.bytes -= size;
            self.invalidated.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Tells the cache the current version of a collection (read by a request): entries of older
    /// versions are dropped at once rather than waiting to age out.
    pub fn observe(&self, c: Collection, version: DataVersion) {
        let mut inner = self.lock();
        match inner.latest.get(&c) {
            Some(v) if *v == version || v.seq > version.seq => {}
            _ => {
                self.drop_collection(&mut inner, c);
                inner.latest.insert(c, version);
            }
        }
    }

    /// The current data version of a collection, read from the database after this call began (so it
    /// is at least as new as every write committed before the call), with concurrent reads batched.
    pub async fn data_version(&self, store: &Store, c: Collection) -> crate::store::Result<DataVersion> {
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
        self.not_modified.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let inner = self.lock();
            (inner.map.len() as u64, inner.bytes as u64)
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            inserts: self.inserts.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            invalidated: self.invalidated.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            entries,
            bytes,
        }
    }
}

/// Reads of a collection's data version, batched like a group commit: at most one query per collection
/// is in flight, and requests arriving meanwhile share the *next* one, which is sent only once the one in
/// flight has finished. A request therefore only ever shares a query sent after it arrived, whose
/// snapshot includes every write committed before it arrived: batching never makes a read older.
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
                        let v = store.data_version(c).await.ok();
                        let mut all = this.lock();
                        let slots = all.entry(c).or_default();
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
        CachedTile { mvt: Bytes::from(vec![7u8; n]), detail: TileDetail::Full, oversize: false }
    }

    #[test]
    fn hits_misses_and_lru_eviction_by_bytes() {
        let c = TileCache::new(3 * (1000 + ENTRY_OVERHEAD));
        assert!(c.get(&key(1, 1)).is_none());
        c.insert(key(1, 1), tile(1000));
        c.insert(key(2, 1), tile(1000));
        c.insert(key(3, 1), tile(1000));
        assert!(c.get(&key(1, 1)).is_some()); // 1 is now the most recent; 2 the least
        c.insert(key(4, 1), tile(1000));
        assert!(c.get(&key(2, 1)).is_none());
        assert!(c.get(&key(1, 1)).is_some());
        assert!(c.get(&key(3, 1)).is_some());
        assert!(c.get(&key(4, 1)).is_some());
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.evictions, s.entries), (4, 2, 1, 3));
        assert!(s.bytes <= c.capacity() as u64);
    }

    #[test]
    fn a_newer_version_drops_older_entries_and_older_ones_are_refused() {
        let c = TileCache::new(1 << 20);
        c.insert(key(1, 5), tile(10));
        c.insert(key(2, 5), tile(10));
        c.insert(key(1, 6), tile(10));
        assert!(c.get(&key(1, 5)).is_none());
        assert!(c.get(&key(2, 5)).is_none());
        assert!(c.get(&key(1, 6)).is_some());
        // a slow request that rendered version 5 after 6 was seen does not store it
        c.insert(key(3, 5), tile(10));
        assert!(c.get(&key(3, 5)).is_none());
        c.observe(Collection::FarmlandUnits, DataVersion { seq: 7, stamp: 1_007 });
        assert_eq!(c.stats().entries, 0);
        assert_eq!(c.stats().invalidated, 3);
    }

    #[test]
    fn same_counter_from_another_database_is_not_mixed_up() {
        let c = TileCache::new(1 << 20);
        c.insert(key(1, 5), tile(10));
        let mut other = key(1, 5);
        other.version.stamp = 99;
        c.insert(other, tile(20));
        assert!(c.get(&key(1, 5)).is_none());
        assert_eq!(c.get(&other).map(|t| t.mvt.len()), Some(20));
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let c = TileCache::new(0);
        c.insert(key(1, 1), tile(1));
        assert!(c.get(&key(1, 1)).is_none());
        assert_eq!(c.stats().entries, 0);
    }

    #[test]
    fn other_collections_are_untouched_by_a_change() {
        let c = TileCache::new(1 << 20);
        let mut p = key(1, 3);
        p.collection = Collection::ConstructionParcels;
        c.insert(p, tile(10));
        c.insert(key(1, 1), tile(10));
        c.insert(key(1, 2), tile(10));
        assert!(c.get(&p).is_some());
    }
}
