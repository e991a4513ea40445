-- The tailings ponds of GET /duties: the versions valid on the as-of date (their inspections are read by
-- duties_records.sql).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all)
SELECT v.pond_code, v.name, v.county_code, v.operator, v.level::text, v.level_doc, v.safety_class::text,
       v.safety_rating, v.status, v.valid_from
FROM tailings_pond_versions v
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
