-- The records of GET /duties, one row each: (register, feature id, kind, date) for the entities that
-- duties_key_units.sql, duties_ponds.sql and duties_sources.sql read, with the records dated up to the
-- as-of date. The register is a number, 0 key units, 1 ponds, 2 sources, and 3 for a pollution source's
-- lifecycle step, whose kind is the state stepped into (a step into rectifying, rectified or closed_out is
-- that step's record: see SourceState::record_kind).
--
-- Flat rows, one hash join per register: an array of records aggregated per entity (a LATERAL subquery,
-- one index probe per entity) took 25-50 ms for a city of 10^4 entities, and the sort of a GROUP BY on
-- the text ids cost as much; the service groups the rows by id itself (bench/duties.sh, docs/benchmarks.md).
-- $1 the as-of date, $2 the county-code pattern of key units and sources, $3 that of ponds (the level-3
-- share counts the whole city), $4 the registers asked for (text[])
SELECT 0::int2, d.feature_id, d.kind, d.date
FROM duty_records d
JOIN key_supervised_unit_versions v ON v.enterprise_code = d.feature_id
WHERE 'key_supervised_units' = ANY($4) AND d.collection = 'key_supervised_units' AND d.date <= $1
  AND v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
UNION ALL
SELECT 1::int2, d.feature_id, d.kind, d.date
FROM duty_records d
JOIN tailings_pond_versions v ON v.pond_code = d.feature_id
WHERE 'tailings_ponds' = ANY($4) AND d.collection = 'tailings_ponds' AND d.date <= $1
  AND v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $3
UNION ALL
SELECT 2::int2, d.feature_id, d.kind, d.date
FROM duty_records d
JOIN pollution_source_versions v ON v.source_code = d.feature_id
WHERE 'pollution_sources' = ANY($4) AND d.collection = 'pollution_sources' AND d.date <= $1
  AND v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
UNION ALL
SELECT 3::int2, t.source_code, t.state, t.valid_from
FROM pollution_source_versions t
JOIN pollution_source_versions v ON v.source_code = t.source_code
WHERE 'pollution_sources' = ANY($4) AND t.change = 'transition' AND t.superseded_at IS NULL
  AND t.valid_from <= $1
  AND v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
