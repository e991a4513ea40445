-- The tailings ponds of GET /duties: the versions valid on the as-of date, each with its records dated up to
-- it as one bytea of (days from 2000-01-01) * 64 + kind, 4 bytes a record (duties_key_units.sql says why so).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all), $3 the record kinds (text[])
SELECT v.pond_code, v.name, v.county_code, v.operator, v.level::text, v.level_doc, v.safety_class::text,
       v.safety_rating, v.status, v.valid_from,
       coalesce(r.records, ''::bytea)
FROM tailings_pond_versions v
LEFT JOIN (
    SELECT d.feature_id,
           string_agg(int4send((d.date - DATE '2000-01-01') * 64 + coalesce(array_position($3::text[], d.kind), 0)),
                      ''::bytea) AS records
    FROM duty_records d
    WHERE d.collection = 'tailings_ponds' AND d.date <= $1
    GROUP BY d.feature_id
) r ON r.feature_id = v.pond_code
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
