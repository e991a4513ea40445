-- The key supervised units of GET /duties: the versions valid on the as-of date (their records are read by
-- duties_records.sql).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all)
SELECT v.enterprise_code, v.name, v.county_code, coalesce(v.industry, ''),
       coalesce(v.listed_years, '{}'),
       v.list_doc, v.buried_facilities, v.groundwater_sensitive, v.status, v.valid_from
FROM key_supervised_unit_versions v
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
