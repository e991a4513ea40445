-- The extent of a collection's features (current, or as of a day) in lon/lat, for TileJSON `bounds`,
-- with the change counter read in the same snapshot so the answer can be cached by version.
-- {table} and {as_of} are fixed SQL from tables() and AsOf::condition; $1 the as-of date when used.
WITH e AS (
    SELECT ST_Extent(v.geom) AS box FROM {table} v WHERE {as_of}
)
SELECT c.seq,
       (extract(epoch FROM c.changed_at) * 1000000)::bigint AS stamp,
       ST_XMin(e.box) AS xmin, ST_YMin(e.box) AS ymin, ST_XMax(e.box) AS xmax, ST_YMax(e.box) AS ymax
FROM collection_changes c, e
WHERE c.collection = '{collection}'
