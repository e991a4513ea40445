-- The pollution sources of GET /duties: the versions valid on the as-of date, each with its duty records up
-- to that date and its lifecycle steps (a step into rectifying, rectified or closed_out is that step's
-- record: see SourceState::record_kind).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all)
SELECT v.source_code, v.name, v.county_code, v.kind, v.list, v.state, v.deadline, v.plan_doc,
       v.closed_out_doc, v.valid_from,
       coalesce(r.kinds, '{}'), coalesce(r.dates, '{}'),
       coalesce(s.states, '{}'), coalesce(s.dates, '{}')
FROM pollution_source_versions v
CROSS JOIN LATERAL (
    SELECT array_agg(d.kind) AS kinds, array_agg(d.date) AS dates FROM duty_records d
    WHERE d.collection = 'pollution_sources' AND d.feature_id = v.source_code AND d.date <= $1
) r
CROSS JOIN LATERAL (
    SELECT array_agg(t.state) AS states, array_agg(t.valid_from) AS dates FROM pollution_source_versions t
    WHERE t.source_code = v.source_code AND t.change = 'transition' AND t.superseded_at IS NULL
      AND t.valid_from <= $1
) s
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
