-- A typed coordinate pair as a point in CGCS2000 lon/lat, with the county it falls in. $1, $2 the pair
-- (x = lon or easting, y = lat or northing), $3 its SRID: 4490 for lon/lat, a 3° Gauss-Krüger zone with the
-- zone number in the easting (4513-4533), or NULL when the zone is unknown: then every zone without the
-- number (4534-4554, central meridians 75°E-135°E) is tried and those landing in a county of the register kept.
WITH candidates AS (
    SELECT s AS srid, ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), s), 4490) AS p
    FROM unnest(CASE WHEN $3::int IS NULL THEN ARRAY(SELECT generate_series(4534, 4554)) ELSE ARRAY[$3::int] END) s
)
SELECT json_build_object(
           'kind', 'coordinate', 'crs', 'EPSG:' || c.srid,
           'label', round(ST_X(c.p)::numeric, 5) || ', ' || round(ST_Y(c.p)::numeric, 5),
           'center', json_build_array(round(ST_X(c.p)::numeric, 7), round(ST_Y(c.p)::numeric, 7)),
           'county_code', k.county_code, 'county_name', k.name
       )::text
FROM candidates c
LEFT JOIN LATERAL (SELECT county_code, name FROM counties WHERE ST_Intersects(geom, c.p) LIMIT 1) k ON true
WHERE $3::int IS NOT NULL OR k.county_code IS NOT NULL
ORDER BY c.srid
