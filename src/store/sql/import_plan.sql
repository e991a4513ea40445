-- What an import does with each staged feature, decided against the current versions in one pass:
-- 'create' (a new code), 'replace' (attributes or geometry differ; valid_from alone does not count) or
-- 'unchanged'. Geometries count as equal when they are vertex for vertex the same or no vertex of one is
-- farther than 1e-8 degrees (about 1 mm) from the other (Hausdorff distance): a file that went through a
-- reprojection or a 9-decimal GeoJSON export comes back unchanged. A lifecycle state is not compared: it
-- only moves through lifecycle steps, and a file that states a different one is refused
-- (import_conflicts.sql).
-- Template (store::statements): {id} the id property, {staged} and {current} the compared properties
-- (every stored one but the id, valid_from and the state) of the staged row s and the version v,
-- {state} the version's state (`v.state`, or `NULL::text` without a lifecycle).
CREATE TEMP TABLE import_plan ON COMMIT DROP AS
SELECT s.ord,
       s.{id} AS code,
       v.version_id,
       v.valid_from AS current_from,
       {state} AS current_state,
       CASE
           WHEN v.version_id IS NULL THEN 'create'
           WHEN ROW({staged}) IS DISTINCT FROM ROW({current}) THEN 'replace'
           WHEN ST_OrderingEquals(s.geom, v.geom) THEN 'unchanged'
           WHEN ST_HausdorffDistance(s.geom, v.geom) < 1e-8 THEN 'unchanged'
           ELSE 'replace'
       END AS action
FROM import_staging s
LEFT JOIN {table} v
       ON v.{id} = s.{id} AND v.valid_to IS NULL AND v.superseded_at IS NULL
