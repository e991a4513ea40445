-- The key supervised units of GET /duties: the versions valid on the as-of date, each with the dates and
-- kinds of its duty records up to that date.
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all)
SELECT v.enterprise_code, v.name, v.county_code, coalesce(v.industry, ''),
       coalesce(v.listed_years, '{}'),
       v.list_doc, v.buried_facilities, v.groundwater_sensitive, v.status, v.valid_from,
       coalesce(r.kinds, '{}'), coalesce(r.dates, '{}')
FROM key_supervised_unit_versions v
CROSS JOIN LATERAL (
    SELECT array_agg(d.kind) AS kinds, array_agg(d.date) AS dates FROM duty_records d
    WHERE d.collection = 'key_supervised_units' AND d.feature_id = v.enterprise_code AND d.date <= $1
) r
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
