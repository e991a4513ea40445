-- What a batch's summary is computed from (batch $1): each proposal with its override and the facts of the
-- unit version it was computed from.
SELECT p.unit_code, v.county_code, p.current_class, p.proposed_class, p.override_class, p.direction, p.outcome,
       p.denser_sampling, v.area_m2, v.measures_in_place, v.crops_compliant
FROM adjustment_proposals p
JOIN farmland_unit_versions v ON v.version_id = p.unit_version_id
WHERE p.batch_id = $1
