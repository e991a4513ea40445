-- The spatial facts for one access-rule check, in one round trip: the registry features the query
-- overlaps (with geodesic overlap areas), the ground that overlapping parcels share inside the query (so
-- that coverage is measured on their union, not their sum), and the farmland within the buffer (with
-- geodesic distances), the key supervised units' sites it overlaps and the pollution sources within the buffer,
-- as the registry stood on $2. The lookups use the GiST index on geom.
-- $1 query geometry (GeoJSON, lon/lat CGCS2000), $2 as-of date, $3 farmland buffer in metres (0: overlaps only)
--
-- $2 and $3 are read through q (as_of, buf), never in the clauses below: a plan that cannot see their values
-- costs what a plan for any values costs, so after five executions PostgreSQL keeps the prepared
-- statement's generic plan instead of planning it again for each check (a custom plan, whose planning took
-- about as long as running it: bench/checks.sh, docs/benchmarks.md "## Checks").
WITH q AS (
    SELECT g,
           g::geography AS gg,
           -- a lon/lat box at least $3 metres wider than the query, for the index pre-filter
           ST_Expand(g, $3 / (111320 * cos(radians(least(abs(ST_YMax(g)), 89)))) + 1e-9, $3 / 110540 + 1e-9) AS env,
           $2::date AS as_of,
           $3::float8 AS buf
    FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g) s
), p AS (
    SELECT v.parcel_code, v.county_code, v.state, v.key_unit_land, v.priority_supervision, v.remediated_for_class,
           v.area_m2, v.geom
    FROM construction_parcel_versions v, q
    WHERE v.superseded_at IS NULL AND v.valid_from <= q.as_of AND (v.valid_to IS NULL OR v.valid_to > q.as_of)
      AND ST_Intersects(v.geom, q.g)
)
SELECT json_build_object(
    'query_area_m2', (SELECT ST_Area(gg) FROM q),
    'parcels', (
        SELECT coalesce(json_agg(json_build_object(
                   'parcel_code', p.parcel_code,
                   'county_code', p.county_code,
                   'state', p.state,
                   'key_unit_land', p.key_unit_land,
                   'priority_supervision', p.priority_supervision,
                   'remediated_for_class', p.remediated_for_class,
                   'area_m2', p.area_m2,
                   'overlap_m2', ST_Area(ST_Intersection(p.geom, q.g)::geography)
               ) ORDER BY p.parcel_code), '[]'::json)
        FROM p, q
    ),
    'parcel_overlaps', (
        -- pairs whose interiors meet ('T********'): neighbours that only share an edge are left out
        SELECT coalesce(json_agg(json_build_object(
                   'a', a.parcel_code,
                   'b', b.parcel_code,
                   'm2', ST_Area(ST_Intersection(ST_Intersection(a.geom, b.geom), q.g)::geography)
               ) ORDER BY a.parcel_code, b.parcel_code), '[]'::json)
        FROM p a JOIN p b ON a.parcel_code < b.parcel_code AND ST_Relate(a.geom, b.geom, 'T********'), q
    ),
    'farmland', (
        SELECT coalesce(json_agg(json_build_object(
                   'unit_code', f.unit_code,
                   'county_code', f.county_code,
                   'class', f.class,
                   'area_m2', f.area_m2,
                   'overlap_m2', f.overlap_m2,
                   -- a unit the query overlaps is at distance 0 (the geodesic distance of overlapping shapes):
                   -- the distance is only computed for the others
                   'distance_m', CASE WHEN f.overlap_m2 > 0 THEN 0 ELSE ST_Distance(f.geom::geography, q.gg) END
               ) ORDER BY f.unit_code), '[]'::json)
        FROM (
            SELECT v.unit_code, v.county_code, v.class, v.area_m2, v.geom,
                   CASE WHEN ST_Intersects(v.geom, q.g)
                        THEN ST_Area(ST_Intersection(v.geom, q.g)::geography) ELSE 0 END AS overlap_m2
            FROM farmland_unit_versions v, q
            WHERE v.superseded_at IS NULL AND v.valid_from <= q.as_of AND (v.valid_to IS NULL OR v.valid_to > q.as_of)
              AND v.geom && q.env
              AND (ST_Intersects(v.geom, q.g) OR (q.buf > 0 AND ST_DWithin(v.geom::geography, q.gg, q.buf)))
            OFFSET 0 -- computed once per unit: not pulled up into the two uses of overlap_m2 above
        ) f, q
    ),
    -- key supervised units' sites the query overlaps: key-unit land whether or not a parcel is flagged.
    'key_units', (
        SELECT coalesce(json_agg(json_build_object(
                   'enterprise_code', k.enterprise_code,
                   'name', k.name,
                   'county_code', k.county_code,
                   'listed_years', k.listed_years,
                   'status', k.status,
                   'area_m2', k.area_m2,
                   'overlap_m2', ST_Area(ST_Intersection(k.geom, q.g)::geography)
               ) ORDER BY k.enterprise_code), '[]'::json)
        FROM key_supervised_unit_versions k, q
        WHERE k.superseded_at IS NULL AND k.valid_from <= q.as_of AND (k.valid_to IS NULL OR k.valid_to > q.as_of)
          AND ST_Intersects(k.geom, q.g)
    ),
    -- heavy-metal pollution sources within the buffer (heavy-metal projects only), geodesic distances
    'sources', (
        SELECT coalesce(json_agg(json_build_object(
                   'source_code', s.source_code,
                   'name', s.name,
                   'county_code', s.county_code,
                   'kind', s.kind,
                   'pollutants', s.pollutants,
                   'list', s.list,
                   'state', s.state,
                   'distance_m', ST_Distance(s.geom::geography, q.gg)
               ) ORDER BY s.source_code), '[]'::json)
        FROM pollution_source_versions s, q
        WHERE q.buf > 0 AND s.superseded_at IS NULL AND s.valid_from <= q.as_of AND (s.valid_to IS NULL OR s.valid_to > q.as_of)
          AND s.geom && q.env AND ST_DWithin(s.geom::geography, q.gg, q.buf)
    )
)::text
