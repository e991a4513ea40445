-- Counties whose name (or city, or code) matches what was typed. $1 an ILIKE pattern, $2 the typed text,
-- $3 how many. Names first, then the counties of a matching city.
SELECT json_build_object(
           'kind', 'county', 'county_code', county_code, 'label', name, 'city', city,
           'bbox', json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)),
           'center', json_build_array(ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)))
       )::text
FROM counties
WHERE name ILIKE $1 OR city ILIKE $1 OR county_code = $2
ORDER BY (name ILIKE $1) DESC, county_code
LIMIT $3
