-- The farmland side of an indicator series, aggregated here: for each as-of date of $1 and each county
-- whose code is LIKE $2, the units and their area by class, measures and crop finding; a unit with entries in
-- its measures ledger for the date's year is a row of its own, with the ledger's cover (as in
-- indicators_farmland.sql; $4 the safe-use kinds), since the ledger counts each unit by its own area.
-- $3 false: each date's registry as it is known now (versions not superseded since).
-- $3 true: as it was known then, by the end of that day in China Standard Time: versions recorded by then
-- and not yet superseded, and an end of validity only once it was recorded (the successor's recorded_at,
-- or the delete in the audit log; an end whose moment cannot be found counts as always known). Ledger entries
-- likewise: recorded by then and not withdrawn by then.
WITH d AS (
    SELECT as_of, ((as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS known_at
    FROM unnest($1::date[]) AS as_of
), cover AS (
    SELECT d.as_of, m.unit_code,
           coalesce(max(m.area_m2) FILTER (WHERE m.kind = ANY($4::text[])), 0) AS safe_use_m2,
           coalesce(max(m.area_m2) FILTER (WHERE m.kind <> ALL($4::text[])), 0) AS strict_m2
    FROM d
    JOIN farmland_measures m ON m.year = extract(year FROM d.as_of)::int
    WHERE CASE WHEN $3 THEN m.recorded_at < d.known_at AND (m.withdrawn_at IS NULL OR m.withdrawn_at >= d.known_at)
               ELSE m.withdrawn_at IS NULL END
    GROUP BY 1, 2
)
SELECT d.as_of, v.county_code, v.class, v.measures_in_place, v.crops_compliant,
       count(*)::bigint AS units, sum(v.area_m2) AS area_m2, c.safe_use_m2, c.strict_m2
FROM d
JOIN farmland_unit_versions v
  ON v.valid_from <= d.as_of
 AND v.county_code LIKE $2
 AND CASE WHEN $3 THEN
         v.recorded_at < d.known_at
         AND (v.superseded_at IS NULL OR v.superseded_at >= d.known_at)
         AND (v.valid_to IS NULL OR v.valid_to > d.as_of
              OR coalesce(
                     (SELECT min(s.recorded_at) FROM farmland_unit_versions s
                      WHERE s.unit_code = v.unit_code AND s.valid_from = v.valid_to AND s.version_id > v.version_id),
                     (SELECT min(a.at) FROM audit_log a
                      WHERE a.collection = 'farmland_units' AND a.feature_id = v.unit_code
                        AND a.action = 'delete' AND a.version_id = v.version_id),
                     '-infinity'::timestamptz) >= d.known_at)
     ELSE
         v.superseded_at IS NULL AND (v.valid_to IS NULL OR v.valid_to > d.as_of)
     END
LEFT JOIN cover c ON c.as_of = d.as_of AND c.unit_code = v.unit_code
GROUP BY 1, 2, 3, 4, 5, c.safe_use_m2, c.strict_m2, CASE WHEN c.unit_code IS NOT NULL THEN v.unit_code END
