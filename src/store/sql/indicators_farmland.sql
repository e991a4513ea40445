-- The farmland side of GET /indicators: each unit as of $1 in the counties LIKE $2, with the cover of its
-- measures ledger for year $3 (docs/targets.md#the-measures-ledger): the largest area of one safe-use measure
-- (a kind in $4) and of one strict-control measure, null when the unit has no entry for the year.
SELECT v.county_code, v.class, v.measures_in_place, v.crops_compliant, v.area_m2, c.safe_use_m2, c.strict_m2
FROM farmland_unit_versions v
LEFT JOIN (
    SELECT unit_code,
           coalesce(max(area_m2) FILTER (WHERE kind = ANY($4::text[])), 0) AS safe_use_m2,
           coalesce(max(area_m2) FILTER (WHERE kind <> ALL($4::text[])), 0) AS strict_m2
    FROM farmland_measures
    WHERE year = $3 AND withdrawn_at IS NULL
    GROUP BY unit_code
) c ON c.unit_code = v.unit_code
WHERE v.superseded_at IS NULL AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)
  AND v.county_code LIKE $2
