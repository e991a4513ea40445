-- What a batch's summary is computed from (batch $1): each proposal with its override, the facts of the unit
-- version it was computed from, and the cover of the unit's measures ledger for the year of the batch's as_of
-- date, as GET /indicators reads it (indicators_farmland.sql): the largest area of one safe-use measure (a kind
-- in $2) and of one strict-control measure, null when the unit has no entry for the year.
SELECT p.unit_code, v.county_code, p.current_class, p.proposed_class, p.override_class, p.direction, p.outcome,
       p.denser_sampling, v.area_m2, v.measures_in_place, v.crops_compliant, c.safe_use_m2, c.strict_m2
FROM adjustment_proposals p
JOIN farmland_unit_versions v ON v.version_id = p.unit_version_id
LEFT JOIN (
    SELECT unit_code,
           coalesce(max(area_m2) FILTER (WHERE kind = ANY($2::text[])), 0) AS safe_use_m2,
           coalesce(max(area_m2) FILTER (WHERE kind <> ALL($2::text[])), 0) AS strict_m2
    FROM farmland_measures
    WHERE year = (SELECT extract(year FROM as_of)::int FROM adjustment_batches WHERE id = $1)
      AND withdrawn_at IS NULL
    GROUP BY unit_code
) c ON c.unit_code = p.unit_code
WHERE p.batch_id = $1
