-- Tracing (溯源) from a source: the farmland units within $3 metres of a pollution source, tailings pond or
-- key supervised unit's site, as the registers stood on $2 (NULL: as they stand now), nearest first.
-- Distances and bearings are geodesic on geography (the CGCS2000 ellipsoid of EPSG:4490), as in
-- trace_sources.sql: metres from the source to the unit's edge, and the azimuth from the source (a point
-- inside a site) to the unit's nearest point.
-- A template: {table} and {code} are the origin register's version table and id column (store::trace picks
-- them from a fixed list, never from a request).
-- $1 the origin's id, $2 as-of date or NULL, $3 distance in metres
WITH o AS (
    SELECT s.{code} AS id, s.name, s.county_code, s.geom, s.geom::geography AS gg,
           ST_PointOnSurface(s.geom) AS inside,
           -- a lon/lat box at least $3 metres wider than the origin, for the index pre-filter
           ST_Expand(s.geom, $3 / (111320 * cos(radians(least(abs(ST_YMax(s.geom)), 89)))) + 1e-9,
                     $3 / 110540 + 1e-9) AS env
    FROM {table} s
    WHERE s.{code} = $1 AND s.superseded_at IS NULL
      AND CASE WHEN $2::date IS NULL THEN s.valid_to IS NULL
               ELSE s.valid_from <= $2 AND (s.valid_to IS NULL OR s.valid_to > $2) END
), measured AS (
    SELECT v.unit_code, v.county_code, v.class, v.land_type, v.measures_in_place, v.crops_compliant, v.area_m2,
           v.geom, ST_Distance(v.geom::geography, o.gg) AS distance_m,
           degrees(ST_Azimuth(o.inside::geography, ST_ClosestPoint(v.geom, o.inside)::geography)) AS bearing_deg
    FROM farmland_unit_versions v, o
    WHERE v.superseded_at IS NULL AND v.geom && o.env
      AND CASE WHEN $2::date IS NULL THEN v.valid_to IS NULL
               ELSE v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2) END
)
SELECT json_build_object(
    'origin', (SELECT json_build_object('id', id, 'name', name, 'county_code', county_code) FROM o),
    'units', (
        SELECT coalesce(json_agg(json_build_object(
                   'unit_code', m.unit_code, 'county_code', m.county_code, 'class', m.class,
                   'land_type', m.land_type, 'measures_in_place', m.measures_in_place,
                   'crops_compliant', m.crops_compliant, 'area_m2', m.area_m2, 'distance_m', m.distance_m,
                   'bearing_deg', m.bearing_deg, 'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(m.geom), 8, 0)::json
               ) ORDER BY m.distance_m, m.unit_code), '[]'::json)
        FROM measured m
        WHERE m.distance_m <= $3
    )
)::text
