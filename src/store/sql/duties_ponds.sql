-- The tailings ponds of GET /duties: the versions valid on the as-of date, each with its records dated up to
-- it as two arrays, the kinds (1-based positions in $3, 0 for a kind not there) and the dates
-- (duties_key_units.sql says why so).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all), $3 the record kinds (text[])
SELECT v.pond_code, v.name, v.county_code, v.operator, v.level::text, v.level_doc, v.safety_class::text,
       v.safety_rating, v.status, v.valid_from,
       coalesce(r.kinds, '{}'), coalesce(r.dates, '{}')
FROM tailings_pond_versions v
LEFT JOIN (
    SELECT d.feature_id, array_agg(coalesce(array_position($3::text[], d.kind), 0)::int2) AS kinds,
           array_agg(d.date) AS dates
    FROM duty_records d
    WHERE d.collection = 'tailings_ponds' AND d.date <= $1
    GROUP BY d.feature_id
) r ON r.feature_id = v.pond_code
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
