-- The farmland side of an indicator series, aggregated here: for each as-of date of $1 and each county
-- whose code is LIKE $2, the units and their area by class, measures and crop finding.
-- $3 false: each date's registry as it is known now (versions not superseded since).
-- $3 true: as it was known then, by the end of that day in China Standard Time: versions recorded by then
-- and not yet superseded, and an end of validity only once it was recorded (the successor's recorded_at,
-- or the delete in the audit log; an end whose moment cannot be found counts as always known).
WITH d AS (
    SELECT as_of, ((as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS known_at
    FROM unnest($1::date[]) AS as_of
)
SELECT d.as_of, v.county_code, v.class, v.measures_in_place, v.crops_compliant,
       count(*)::bigint AS units, sum(v.area_m2) AS area_m2
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
GROUP BY 1, 2, 3, 4, 5
