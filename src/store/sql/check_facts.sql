-- The spatial facts for one access-rule check, in one round trip: the registry features the query
-- overlaps (with geodesic overlap areas) and the farmland within the buffer (with geodesic distances),
-- as the registry stood on $2. Both lookups use the GiST index on geom.
-- $1 query geometry (GeoJSON, lon/lat CGCS2000), $2 as-of date, $3 farmland buffer in metres (0: overlaps only)
WITH q AS (
    SELECT g,
           g::geography AS gg,
           -- a lon/lat box at least $3 metres wider than the query, for the index pre-filter
           ST_Expand(g, $3 / (111320 * cos(radians(least(abs(ST_YMax(g)), 89)))) + 1e-9, $3 / 110540 + 1e-9) AS env
    FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g) s
)
SELECT json_build_object(
    'query_area_m2', (SELECT ST_Area(gg) FROM q),
    'parcels', (
        SELECT coalesce(json_agg(json_build_object(
                   'parcel_code', v.parcel_code,
                   'state', v.state,
                   'key_unit_land', v.key_unit_land,
                   'priority_supervision', v.priority_supervision,
                   'remediated_for_class', v.remediated_for_class,
                   'area_m2', v.area_m2,
                   'overlap_m2', ST_Area(ST_Intersection(v.geom, q.g)::geography)
               ) ORDER BY v.parcel_code), '[]'::json)
        FROM construction_parcel_versions v, q
        WHERE v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
          AND ST_Intersects(v.geom, q.g)
    ),
    'farmland', (
        SELECT coalesce(json_agg(json_build_object(
                   'unit_code', v.unit_code,
                   'class', v.class,
                   'area_m2', v.area_m2,
                   'overlap_m2', CASE WHEN ST_Intersects(v.geom, q.g)
                                      THEN ST_Area(ST_Intersection(v.geom, q.g)::geography) ELSE 0 END,
                   'distance_m', ST_Distance(v.geom::geography, q.gg)
               ) ORDER BY v.unit_code), '[]'::json)
        FROM farmland_unit_versions v, q
        WHERE v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
          AND v.geom && q.env
          AND (ST_Intersects(v.geom, q.g) OR ($3 > 0 AND ST_DWithin(v.geom::geography, q.gg, $3)))
    )
)::text
