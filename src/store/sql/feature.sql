-- One version of a feature as a GeoJSON Feature, built by PostGIS so the service never re-parses it.
-- A template filled once per collection from its description (store::statements):
-- {id} the id property, {table} the version table, {properties} the `'name', expression` pairs in
-- published order. A WHERE clause is appended by the caller.
SELECT v.version_id,
       v.{id} AS code,
       json_build_object(
           'type', 'Feature',
           'id', v.{id},
           'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 8, 0)::json,
           'properties', json_build_object({properties})
       )::text AS feature
FROM {table} v
