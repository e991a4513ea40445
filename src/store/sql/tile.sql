-- One Mapbox vector tile of a collection, built whole by PostGIS, with the collection's change counter
-- read in the same statement (so in the same snapshot as the rows: the tile is exactly that version).
-- Template (store::statements): {table}, {collection}, and {columns}: the properties the description puts
-- in tiles, those for full detail only as `CASE WHEN $6 THEN ... END`; {large_enough}: for polygons, that the
-- bounding box is at least $5 grid units (points are always drawn; with tile_z12 the stored tile_extent_deg is
-- compared); {geometry}: the feature's tile geometry,
-- made from `geom` on every request (sql/tile_geometry_live.sql), or, for a collection with a stored
-- `tile_z12` and a tile of zoom 12 or less, cut from that column (sql/tile_geometry_z12.sql; migration 20261205223001).
-- $1 z, $2 x, $3 y         the WebMercatorQuad tile
-- $4 tolerance             simplification, in units of the 4096 tile grid
-- $5 smallest              features whose bounding box is smaller than this (grid units) are left out
-- $6 full                  all properties (true) or only those the map styles by (false)
-- $7 as-of date            only when {as_of} uses it
-- {as_of} is AsOf::condition: the current rows (served by the partial GiST index on current rows), or
-- the rows valid on a day (served by the index on rows not superseded).
-- `f` is MATERIALIZED so that the planner does not push `geom IS NOT NULL` (rows ST_AsMVTGeom clipped away)
-- down into the scan, which would evaluate ST_AsMVTGeom twice per row.
-- Geometry is simplified in the storage CRS (fewer vertices to project), then projected as WGS 84: PROJ's
-- CGCS2000 -> WGS 84 step is a no-op ("ballpark"), so the result is the same, and the plain
-- lon/lat -> Web Mercator pipeline is about 3x faster than the one PROJ builds from EPSG:4490.
WITH t AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           -- the tile plus the ST_AsMVTGeom buffer (64/4096: 8 px of a 512-px tile, ample for outlines),
           -- as a box in the storage CRS for the index
           ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4490) AS env_storage,
           -- one unit of the 4096 tile grid in degrees of longitude; a degree of latitude is 1/cos(lat) times
           -- longer in Web Mercator, so a tolerance in degrees is scaled by cos(lat) to stay within the units
           360.0 / power(2.0::float8, $1) / 4096.0 AS unit_deg,
           360.0 / power(2.0::float8, $1) / 4096.0 * cos(radians(ST_Y(ST_Centroid(ST_Transform(ST_TileEnvelope($1, $2, $3), 4490))))) AS tolerance_deg,
           -- the tile's width in units of the zoom-12 tile grid of `tile_z12`
           4096.0 * power(2.0::float8, 12 - $1) AS z12_span
),
f AS MATERIALIZED (
    SELECT v.version_id,
           {columns},
           {geometry} AS geom
    FROM {table} v, t
    WHERE v.geom && t.env_storage
      AND {as_of}
      AND {large_enough}
)
SELECT c.seq,
       (extract(epoch FROM c.changed_at) * 1000000)::bigint AS stamp,
       (SELECT coalesce(ST_AsMVT(f, '{collection}', 4096, 'geom', 'version_id'), ''::bytea)
          FROM f WHERE f.geom IS NOT NULL) AS mvt
FROM collection_changes c
WHERE c.collection = '{collection}'
