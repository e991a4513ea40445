-- The key supervised units of GET /duties: the versions valid on the as-of date, each with its records dated
-- up to it as one bytea of 4-byte big-endian integers, one a record: its date as days from 2000-01-01 times
-- 64 plus its kind (the 1-based position in $3, 0 for a kind not there; an int4 holds dates to the year
-- 93 000, and records are dated no later than the day after they are made); store::duties::records reads it.
-- Two arrays (int2[] kinds, date[] dates) cost PostgreSQL an array_agg step and a send call per element,
-- and the service a decode per element: one bytea is one memcpy on each side (bench/duties.sh).
--
-- One row per unit, the records grouped in feature order from the index-only scan of duty_records_subject:
-- a LATERAL subquery (one index probe per unit) took 25-50 ms for a city of 10^4 entities, a GROUP BY over
-- a seq scan sorted the text ids, and flat rows (one per record) cost the service more to read than
-- everything else it did (bench/duties.sh, docs/benchmarks.md).
-- $1 the as-of date, $2 the county-code pattern ('4502%', '%' for all), $3 the record kinds (text[])
SELECT v.enterprise_code, v.name, v.county_code, coalesce(v.industry, ''),
       coalesce(v.listed_years, '{}'),
       v.list_doc, v.buried_facilities, v.groundwater_sensitive, v.status, v.valid_from,
       coalesce(r.records, ''::bytea)
FROM key_supervised_unit_versions v
LEFT JOIN (
    SELECT d.feature_id,
           string_agg(int4send((d.date - DATE '2000-01-01') * 64 + coalesce(array_position($3::text[], d.kind), 0)),
                      ''::bytea) AS records
    FROM duty_records d
    WHERE d.collection = 'key_supervised_units' AND d.date <= $1
    GROUP BY d.feature_id
) r ON r.feature_id = v.enterprise_code
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
