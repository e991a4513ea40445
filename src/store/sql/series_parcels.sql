-- The construction-parcel side of an indicator series, aggregated here: for each as-of date of $1 and each
-- county whose code is LIKE $2, the parcels by state and priority supervision. $3 as in series_farmland.sql
-- (false: as known now; true: as known by the end of each date).
WITH d AS (
    SELECT as_of, ((as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS known_at
    FROM unnest($1::date[]) AS as_of
)
SELECT d.as_of, v.county_code, v.state, v.priority_supervision, count(*)::bigint AS parcels
FROM d
JOIN construction_parcel_versions v
  ON v.valid_from <= d.as_of
 AND v.county_code LIKE $2
 AND CASE WHEN $3 THEN
         v.recorded_at < d.known_at
         AND (v.superseded_at IS NULL OR v.superseded_at >= d.known_at)
         AND (v.valid_to IS NULL OR v.valid_to > d.as_of
              OR coalesce(
                     (SELECT min(s.recorded_at) FROM construction_parcel_versions s
                      WHERE s.parcel_code = v.parcel_code AND s.valid_from = v.valid_to AND s.version_id > v.version_id),
                     (SELECT min(a.at) FROM audit_log a
                      WHERE a.collection = 'construction_parcels' AND a.feature_id = v.parcel_code
                        AND a.action = 'delete' AND a.version_id = v.version_id),
                     '-infinity'::timestamptz) >= d.known_at)
     ELSE
         v.superseded_at IS NULL AND (v.valid_to IS NULL OR v.valid_to > d.as_of)
     END
GROUP BY 1, 2, 3, 4
