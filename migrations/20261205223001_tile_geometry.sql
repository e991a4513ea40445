-- Low-zoom vector tiles from a stored geometry (issue 13): each version row keeps its geometry already as a
-- zoom-12 vector tile would draw it, so that a tile of zoom 12 or less no longer projects, simplifies and
-- snaps every unit in it on every request (at 10^6 farmland units a z12 tile holds ~3 000 of them, and that
-- per-row work, ST_AsMVTGeom above all, was most of its time; docs/benchmarks.md, Tiles).
--
-- tile_z12 is the version's geometry
--   projected to Web Mercator (from lon/lat: CGCS2000 -> WGS 84 is a no-op in PROJ, see tile.sql),
--   simplified by one unit of the zoom-12 tile grid (4096 units a tile: 2.389 m of Web Mercator),
--   and put through ST_AsMVTGeom on the whole world at 4096 * 2^12 units, unclipped: snapped to the grid,
--   made valid, rings oriented, y pointing down, as MVT wants it.
-- A z12 tile (x, y) is then the stored geometry moved by (-4096 x, -4096 y) for every feature that lies
-- inside the tile and its buffer, and ST_AsMVTGeom (clipping only) for the few that cross its edge; lower
-- zooms scale it down with ST_AsMVTGeom. See store::statements and sql/tile.sql.
--
-- tile_extent_deg is the larger side of the geometry's bounding box in degrees: the tiles' test for features
-- under a pixel (tile.sql, {large_enough}), the same test as before, read instead of computed per feature
-- and tile (ST_XMax and the like deserialise the whole geometry, four times: a third of a z12 tile's time
-- once tile_z12 took away the rest).
--
-- Generated columns: every insert fills it, whoever writes (the API, the import's merge, psql), and an
-- UPDATE of geom in SQL recomputes them, so they are current by construction; version rows never change once
-- written in any case. Adding it rewrites the table once (about a minute at 10^6 rows), filling every
-- existing row. No index of its own: tiles find their rows through the geom indexes, as before.
--
-- A collection opts in with its description's `tile_z12` and this call in its migration:
--   SELECT landguard_tile_geometry('survey_site_versions');
-- The rewrite of a large table outlasts the service's statement_timeout, which `landguard migrate` runs under.
SET LOCAL statement_timeout = 0;

CREATE FUNCTION landguard_tile_geometry(tbl text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($t$
        ALTER TABLE %I ADD COLUMN tile_z12 geometry GENERATED ALWAYS AS (
            ST_AsMVTGeom(
                ST_Simplify(ST_Transform(ST_SetSRID(geom, 4326), 3857), 40075016.685578488 / 16777216.0, true),
                ST_MakeBox2D(ST_Point(-20037508.342789244, -20037508.342789244),
                             ST_Point(20037508.342789244, 20037508.342789244)),
                16777216, 0, false)
        ) STORED,
        ADD COLUMN tile_extent_deg double precision GENERATED ALWAYS AS (
            greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom))
        ) STORED$t$, tbl);
END
$fn$;

SELECT landguard_tile_geometry('farmland_unit_versions');
