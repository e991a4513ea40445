-- The pollution sources of GET /duties: the versions valid on the as-of date (their records and lifecycle
-- steps are read by duties_records.sql).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all)
SELECT v.source_code, v.name, v.county_code, v.kind, v.list, v.state, v.deadline, v.plan_doc,
       v.closed_out_doc, v.valid_from
FROM pollution_source_versions v
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
