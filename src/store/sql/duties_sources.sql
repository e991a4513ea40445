-- The pollution sources of GET /duties: the versions valid on the as-of date, each with its records dated up
-- to it as one bytea of (days from 2000-01-01) * 64 + kind, 4 bytes a record (duties_key_units.sql says why
-- so), and its lifecycle steps up to it as another, (days from 2000-01-01 of the step) * 64 + the state stepped
-- into (1-based position in $4): a step into rectifying, rectified or closed_out is that step's record
-- (SourceState::record_kind).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all), $3 the record kinds (text[]),
-- $4 the states (text[])
SELECT v.source_code, v.name, v.county_code, v.kind, v.list, v.state, v.deadline, v.plan_doc,
       v.closed_out_doc, v.valid_from,
       coalesce(r.records, ''::bytea), coalesce(t.steps, ''::bytea)
FROM pollution_source_versions v
LEFT JOIN (
    SELECT d.feature_id,
           string_agg(int4send((d.date - DATE '2000-01-01') * 64 + coalesce(array_position($3::text[], d.kind), 0)),
                      ''::bytea) AS records
    FROM duty_records d
    WHERE d.collection = 'pollution_sources' AND d.date <= $1
    GROUP BY d.feature_id
) r ON r.feature_id = v.source_code
LEFT JOIN (
    SELECT s.source_code,
           string_agg(int4send((s.valid_from - DATE '2000-01-01') * 64 + coalesce(array_position($4::text[], s.state), 0)),
                      ''::bytea) AS steps
    FROM pollution_source_versions s
    WHERE s.change = 'transition' AND s.superseded_at IS NULL AND s.valid_from <= $1
    GROUP BY s.source_code
) t ON t.source_code = v.source_code
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
