-- Tracing (溯源) from a farmland unit: the pollution sources, tailings ponds and key supervised units' sites
-- within $3 metres of it, as the registers stood on $2 (NULL: as they stand now), nearest first.
-- Distances and bearings are geodesic, computed on geography (the CGCS2000 ellipsoid of EPSG:4490), in
-- metres: from the unit's edge to the feature (0 when it touches or lies inside), and the azimuth from a
-- point inside the unit to the feature's nearest point. No projection is used: the cities straddle two
-- 3-degree Gauss-Kruger zones, and a fixed one would stretch distances in the other.
-- $1 unit_code, $2 as-of date or NULL, $3 distance in metres
WITH u AS (
    SELECT v.unit_code, v.county_code, v.class, v.area_m2, v.geom, v.geom::geography AS gg,
           ST_PointOnSurface(v.geom) AS inside,
           -- a lon/lat box at least $3 metres wider than the unit, for the index pre-filter
           ST_Expand(v.geom, $3 / (111320 * cos(radians(least(abs(ST_YMax(v.geom)), 89)))) + 1e-9,
                     $3 / 110540 + 1e-9) AS env
    FROM farmland_unit_versions v
    WHERE v.unit_code = $1 AND v.superseded_at IS NULL
      AND CASE WHEN $2::date IS NULL THEN v.valid_to IS NULL
               ELSE v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2) END
), found AS (
    SELECT 'pollution_sources' AS collection, s.source_code AS id, s.name, s.county_code, s.kind,
           NULL::bigint AS level, s.list, s.state, NULL::text AS status, s.pollutants, s.geom
    FROM pollution_source_versions s, u
    WHERE s.superseded_at IS NULL AND s.geom && u.env
      AND CASE WHEN $2::date IS NULL THEN s.valid_to IS NULL
               ELSE s.valid_from <= $2 AND (s.valid_to IS NULL OR s.valid_to > $2) END
    UNION ALL
    SELECT 'tailings_ponds', p.pond_code, p.name, p.county_code, NULL, p.level, NULL, NULL, p.status, NULL, p.geom
    FROM tailings_pond_versions p, u
    WHERE p.superseded_at IS NULL AND p.geom && u.env
      AND CASE WHEN $2::date IS NULL THEN p.valid_to IS NULL
               ELSE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2) END
    UNION ALL
    SELECT 'key_supervised_units', k.enterprise_code, k.name, k.county_code, k.industry, NULL, NULL, NULL, k.status,
           NULL, k.geom
    FROM key_supervised_unit_versions k, u
    WHERE k.superseded_at IS NULL AND k.geom && u.env
      AND CASE WHEN $2::date IS NULL THEN k.valid_to IS NULL
               ELSE k.valid_from <= $2 AND (k.valid_to IS NULL OR k.valid_to > $2) END
), measured AS (
    SELECT f.*, ST_Distance(f.geom::geography, u.gg) AS distance_m,
           degrees(ST_Azimuth(u.inside::geography, ST_ClosestPoint(f.geom, u.inside)::geography)) AS bearing_deg
    FROM found f, u
)
SELECT json_build_object(
    'origin', (SELECT json_build_object('unit_code', unit_code, 'county_code', county_code, 'class', class,
                                        'area_m2', area_m2) FROM u),
    'features', (
        SELECT coalesce(json_agg(json_build_object(
                   'collection', m.collection, 'id', m.id, 'name', m.name, 'county_code', m.county_code,
                   'kind', m.kind, 'level', m.level, 'list', m.list, 'state', m.state, 'status', m.status,
                   'pollutants', m.pollutants, 'distance_m', m.distance_m, 'bearing_deg', m.bearing_deg,
                   'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(m.geom), 8, 0)::json
               ) ORDER BY m.distance_m, m.collection, m.id), '[]'::json)
        FROM measured m
        WHERE m.distance_m <= $3
    )
)::text
