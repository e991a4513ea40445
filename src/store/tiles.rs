//! Vector tiles, built whole by PostGIS (`ST_AsMVT`), each with the data version it was made from, read
//! in the same statement so the two can never disagree.

use super::statements::{statements, Z12};
use super::{Result, Store};
use crate::domain::registry::Collection;
use crate::domain::time::AsOf;
use sqlx::Row;

const TILE_BOUNDS: &str = include_str!("sql/tile_bounds.sql");
const TILE_VERSION: &str = include_str!("sql/tile_version.sql");

/// Which state of a collection's data a tile was made from: the change counter and the time of the
/// change that set it. The time makes the pair unique across re-created databases, whose counters
/// start again from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataVersion {
    pub seq: i64,
    /// `collection_changes.changed_at` in microseconds since the epoch.
    pub stamp: i64,
}

/// How much a tile was reduced to stay under the size bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileDetail {
    /// Every property; geometry simplified to the tile grid.
    Full,
    /// Fewer properties (those the map styles by) and coarser geometry.
    Reduced,
    /// The styling properties only, much coarser geometry, small features dropped.
    Minimal,
}

impl TileDetail {
    pub fn as_str(self) -> &'static str {
        match self {
            TileDetail::Full => "full",
            TileDetail::Reduced => "reduced",
            TileDetail::Minimal => "minimal",
        }
    }
}

/// The deepest zoom level served.
pub const MAX_ZOOM: u8 = 22;

/// A tile of the WebMercatorQuad tile matrix set: zoom, column, row (row 0 at the top, as in XYZ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// The tile, when `z` is within 0..=MAX_ZOOM and `x`, `y` within 0..2^z.
    pub fn new(z: u8, x: u32, y: u32) -> Option<TileId> {
        if z > MAX_ZOOM {
            return None;
        }
        let n = 1u32 << z;
        (x < n && y < n).then_some(TileId { z, x, y })
    }
}

/// Simplification tolerance and smallest feature kept (both in units of the 4096 tile grid; a 512-pixel
/// rendering has 8 units to a pixel) and whether all properties are included, per level of detail.
pub fn detail_params(d: TileDetail) -> (f64, f64, bool) {
    match d {
        // a grid unit is what ST_AsMVTGeom snaps to anyway; features under a pixel are left out
        TileDetail::Full => (1.0, 8.0, true),
        // the size bound's retries: the styling properties only, then coarser shapes too (2 px) and
        // features under 2 px left out; features are never dropped for being many
        TileDetail::Reduced => (4.0, 8.0, false),
        TileDetail::Minimal => (16.0, 16.0, false),
    }
}

/// A tile as rendered: its data version, the MVT bytes, and how much it was reduced to fit the bound.
#[derive(Debug, Clone)]
pub struct RenderedTile {
    pub version: DataVersion,
    pub mvt: Vec<u8>,
    pub detail: TileDetail,
    /// Over the size bound even at the strongest reduction (served all the same, and said so).
    pub oversize: bool,
}

/// The tile SQL of a collection for current or as-of reads at a zoom (made once, with its other
/// statements): cut from the stored zoom-12 geometry at zoom 12 and less when the collection has one.
pub fn tile_sql(c: Collection, as_of: AsOf, z: u8) -> &'static str {
    let s = statements(c);
    let z12 = if z <= Z12 { (s.tile_z12_current.as_deref(), s.tile_z12_as_of.as_deref()) } else { (None, None) };
    match as_of {
        AsOf::Current => z12.0.unwrap_or(&s.tile_current),
        AsOf::Date(_) => z12.1.unwrap_or(&s.tile_as_of),
    }
}

/// The statements `landguard sql` prints: those of the one-client requests (a feature, a tile, the data
/// version a cached tile reads), as the service runs them, for EXPLAIN and for the benches' bare statement.
pub const PRINTABLE: &[(&str, &str)] = &[
    ("feature", "a current feature: $1 the id"),
    ("feature-as-of", "a feature as of a day: $1 the id, $2 the date"),
    ("tile", "a current tile of zoom 13 or more: $1 z, $2 x, $3 y, $4 tolerance, $5 smallest, $6 all properties"),
    ("tile-z12", "a current tile of zoom 12 or less: the binds of tile"),
    ("tile-as-of", "a tile as of a day (zoom 13 or more): the binds of tile, $7 the date"),
    ("data-version", "the change counter a cached tile reads: $1 the collection"),
    ("history", "a feature's versions as JSON: $1 the id"),
];

/// The text of one of [`PRINTABLE`] for a collection, with a first line saying what it binds; `None` for a
/// name not in the list.
pub fn printable(c: Collection, name: &str) -> Option<String> {
    let (_, binds) = PRINTABLE.iter().find(|(n, _)| *n == name)?;
    let day = AsOf::Date(chrono::NaiveDate::MIN);
    let sql = match name {
        "feature" => super::features::feature_sql(c, AsOf::Current),
        "feature-as-of" => super::features::feature_sql(c, day),
        "tile" => tile_sql(c, AsOf::Current, Z12 + 1).to_string(),
        "tile-z12" => tile_sql(c, AsOf::Current, Z12).to_string(),
        "tile-as-of" => tile_sql(c, day, Z12 + 1).to_string(),
        "data-version" => TILE_VERSION.to_string(),
        _ => statements(c).history.clone(),
    };
    Some(format!("-- landguard sql {c} {name}: {binds}\n{}", sql.trim_end()))
}

impl Store {
    /// The collection's data version: one row, one index lookup.
    pub async fn data_version(&self, c: Collection) -> Result<DataVersion> {
        let row = sqlx::query(TILE_VERSION).bind(c.as_str()).fetch_one(&self.pool).await?;
        Ok(DataVersion { seq: row.try_get(0)?, stamp: row.try_get(1)? })
    }

    /// A connection of its own to the primary, with the pool's options (statement limit, no JIT), outside
    /// the pool: for a read made so often that the pool's hand-out and hand-back show (sqlx sends a Sync and
    /// waits for its answer every time a connection goes back to the pool: a second round trip per query).
    /// Bounded by the pool's acquire timeout.
    pub async fn own_connection(&self) -> Result<sqlx::PgConnection> {
        use sqlx::ConnectOptions;
        let wait = self.pool.options().get_acquire_timeout();
        match tokio::time::timeout(wait, self.pool.connect_options().connect()).await {
            Ok(conn) => Ok(conn?),
            Err(_) => Err(sqlx::Error::PoolTimedOut.into()),
        }
    }
}

/// The data version of `c` read on `conn` (the statement of [`Store::data_version`]).
pub async fn data_version_on(conn: &mut sqlx::PgConnection, c: Collection) -> Result<DataVersion> {
    let row = sqlx::query(TILE_VERSION).bind(c.as_str()).fetch_one(conn).await?;
    Ok(DataVersion { seq: row.try_get(0)?, stamp: row.try_get(1)? })
}

/// Ends the transaction that holds the read lease on `c` on this connection (if `open`), which gives the
/// lease back, and tries to take it again in a new one (src/tilecache/leases.rs): the data version, read after
/// the lease was granted, if it is held now. The new transaction is left open, and the server ends the
/// session if it stays idle in it for `idle_ms` (a process that stalled, a lost network), which gives the
/// lease back too. One round trip. (migrations/20261206150001_tile_leases_in_a_transaction.sql)
pub async fn renew_lease(
    conn: &mut sqlx::PgConnection,
    c: Collection,
    open: bool,
    idle_ms: u64,
) -> Result<Option<DataVersion>> {
    // Several statements in one message (the simple protocol, which takes no parameters): the collection's
    // id is one of a fixed set of snake_case names, so it is written into the text as it is.
    let id = c.as_str();
    debug_assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    let end = if open { "COMMIT; " } else { "" };
    let sql = format!(
        "{end}BEGIN; SET LOCAL idle_in_transaction_session_timeout = {idle_ms}; \
         SELECT leased, seq, stamp FROM lease_collection('{id}')"
    );
    // A plain &str with no binds goes out as a simple-protocol Query (sqlx::raw_sql would too, but its future
    // is not Send for the spawned task that holds the lease).
    let rows = sqlx::Executor::fetch_all(&mut *conn, sql.as_str()).await?;
    let row = rows.last().ok_or(sqlx::Error::RowNotFound)?;
    if !row.try_get::<bool, _>(0)? {
        return Ok(None);
    }
    Ok(Some(DataVersion { seq: row.try_get(1)?, stamp: row.try_get(2)? }))
}

/// Ends the transaction holding the lease, which gives it back.
pub async fn release_lease(conn: &mut sqlx::PgConnection) -> Result<()> {
    sqlx::Executor::execute(&mut *conn, "COMMIT").await?;
    Ok(())
}

impl Store {
    /// One tile at one level of detail, and the data version it shows.
    pub async fn render_tile(
        &self,
        c: Collection,
        tile: TileId,
        as_of: AsOf,
        detail: TileDetail,
    ) -> Result<(DataVersion, Vec<u8>)> {
        let (tolerance, smallest, full) = detail_params(detail);
        let mut q = sqlx::query(tile_sql(c, as_of, tile.z))
            .bind(i32::from(tile.z))
            .bind(tile.x as i32)
            .bind(tile.y as i32)
            .bind(tolerance)
            .bind(smallest)
            .bind(full);
        if let Some(d) = as_of.date() {
            q = q.bind(d);
        }
        // On a lean connection when there is one: read to its end (its one row), it goes back with nothing
        // more to ask (store::pages); one dropped half way (the client gone) is drained or closed there.
        let row = match self.lean() {
            Some(lean) => {
                let mut conn = lean.acquire().await?;
                let row = q.fetch_all(conn.conn()).await?.pop().ok_or(sqlx::Error::RowNotFound)?;
                conn.finish();
                row
            }
            None => q.fetch_one(&self.pool).await?,
        };
        let version = DataVersion { seq: row.try_get(0)?, stamp: row.try_get(1)? };
        let mvt: Option<Vec<u8>> = row.try_get(2)?;
        Ok((version, mvt.unwrap_or_default()))
    }

    /// One tile within `max_bytes` if it can be: a tile over the bound is made again with fewer
    /// properties and coarser geometry, then coarser still. A tile over the bound even then is returned
    /// marked `oversize` (and logged), never cut or dropped.
    pub async fn tile(&self, c: Collection, tile: TileId, as_of: AsOf, max_bytes: usize) -> Result<RenderedTile> {
        for detail in [TileDetail::Full, TileDetail::Reduced] {
            let (version, mvt) = self.render_tile(c, tile, as_of, detail).await?;
            if mvt.len() <= max_bytes {
                return Ok(RenderedTile { version, mvt, detail, oversize: false });
            }
            tracing::warn!(
                collection = %c, z = tile.z, x = tile.x, y = tile.y, bytes = mvt.len(), max_bytes,
                detail = detail.as_str(), "vector tile over the size bound; making it again with less detail"
            );
        }
        let (version, mvt) = self.render_tile(c, tile, as_of, TileDetail::Minimal).await?;
        let oversize = mvt.len() > max_bytes;
        if oversize {
            tracing::error!(
                collection = %c, z = tile.z, x = tile.x, y = tile.y, bytes = mvt.len(), max_bytes,
                "vector tile still over the size bound at minimal detail; served marked oversize"
            );
        }
        Ok(RenderedTile { version, mvt, detail: TileDetail::Minimal, oversize })
    }

    /// The lon/lat extent of the collection's features (current or as of a day), or `None` when there
    /// are none, with the data version it was computed at.
    pub async fn extent(&self, c: Collection, as_of: AsOf) -> Result<(DataVersion, Option<[f64; 4]>)> {
        let sql = TILE_BOUNDS
            .replace("{table}", statements(c).table)
            .replace("{collection}", c.as_str())
            .replace("{as_of}", &as_of.condition(1));
        let mut q = sqlx::query(&sql);
        if let Some(d) = as_of.date() {
            q = q.bind(d);
        }
        let row = q.fetch_one(&self.pool).await?;
        let version = DataVersion { seq: row.try_get(0)?, stamp: row.try_get(1)? };
        let b: [Option<f64>; 4] = [row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?];
        Ok((
            version,
            match b {
                [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
                _ => None,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ranges() {
        assert!(TileId::new(0, 0, 0).is_some());
        assert!(TileId::new(0, 1, 0).is_none());
        assert!(TileId::new(3, 7, 7).is_some());
        assert!(TileId::new(3, 8, 0).is_none());
        assert!(TileId::new(22, (1 << 22) - 1, 0).is_some());
        assert!(TileId::new(23, 0, 0).is_none());
    }

    #[test]
    fn sql_variants_bind_what_they_use() {
        let code = |sql: &str| sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
        let day = AsOf::Date(chrono::NaiveDate::MIN);
        for z in [0, 12, 13, 22] {
            assert!(!code(tile_sql(Collection::FarmlandUnits, AsOf::Current, z)).contains("$7"));
            assert!(code(tile_sql(Collection::FarmlandUnits, day, z)).contains("$7"));
            assert!(tile_sql(Collection::ConstructionParcels, AsOf::Current, z).contains("'construction_parcels'"));
            assert!(!tile_sql(Collection::ConstructionParcels, AsOf::Current, z).contains("{as_of}"));
        }
        // the stored zoom-12 geometry down to zoom 12, the live one from 13
        for (z, stored) in [(0, true), (11, true), (12, true), (13, false), (16, false)] {
            for as_of in [AsOf::Current, day] {
                assert_eq!(code(tile_sql(Collection::FarmlandUnits, as_of, z)).contains("v.tile_z12"), stored, "z{z}");
            }
            assert!(!code(tile_sql(Collection::ConstructionParcels, AsOf::Current, z)).contains("tile_z12"));
        }
    }

    #[test]
    fn every_printable_statement_is_the_one_run() {
        for c in Collection::all() {
            for (name, _) in PRINTABLE {
                let text = printable(c, name).unwrap();
                let (head, sql) = text.split_once('\n').unwrap();
                assert!(head.starts_with(&format!("-- landguard sql {c} {name}: ")), "{head}");
                for placeholder in ["{table}", "{collection}", "{columns}", "{geometry}", "{as_of}", "{code}"] {
                    assert!(!sql.contains(placeholder), "{c} {name} has {placeholder} left");
                }
            }
            assert_eq!(
                printable(c, "tile").unwrap().split_once('\n').unwrap().1,
                tile_sql(c, AsOf::Current, 13).trim_end()
            );
            assert!(printable(c, "feature").unwrap().ends_with("v.valid_to IS NULL AND v.superseded_at IS NULL"));
            assert!(printable(c, "feature-as-of").unwrap().contains("v.valid_from <= $2"));
        }
        assert_eq!(printable(Collection::FarmlandUnits, "items"), None);
    }
}
