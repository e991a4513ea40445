-- Whether version $1 repeats version $2 (the one it replaces): the same attributes and the same geometry.
-- Bookkeeping does not count (ids, dates, who and which change, a lifecycle step's document), nor area_m2,
-- which follows from the geometry, nor feature_json, which follows from the rest (valid_from and area_m2
-- among them). Geometries count as equal as in an import's plan: vertex for vertex, or
-- no vertex farther than 1e-8 degrees (about 1 mm) from the other. {table} is the collection's table.
SELECT (to_jsonb(n) - '{version_id,geom,area_m2,valid_from,valid_to,recorded_at,recorded_by,superseded_at,change,from_state,document,note,ended_by,ended_change,ended_reason,feature_json}'::text[])
           = (to_jsonb(o) - '{version_id,geom,area_m2,valid_from,valid_to,recorded_at,recorded_by,superseded_at,change,from_state,document,note,ended_by,ended_change,ended_reason,feature_json}'::text[])
       AND (ST_OrderingEquals(n.geom, o.geom) OR ST_HausdorffDistance(n.geom, o.geom) < 1e-8)
FROM {table} n, {table} o
WHERE n.version_id = $1 AND o.version_id = $2
