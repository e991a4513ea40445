-- Key construction land developed from $1 to $2 in the counties whose code is LIKE $3, each with the parcel
-- as it stood on the day it was developed (valid time, as known now): its county, area and state, the state
-- deciding whether the whole chain of survey, assessment, control or remediation and effect evaluation came
-- first. Its enforcement records as a JSON array, oldest first.
SELECT d.id, d.parcel_code, v.county_code, d.developed_on, v.area_m2, v.state, d.document, d.note,
       coalesce((SELECT json_agg(json_build_object('decision', e.decision, 'decided_on', e.decided_on,
                                                   'corrected_on', e.corrected_on) ORDER BY e.id)
                 FROM key_land_enforcement e WHERE e.development_id = d.id), '[]'::json)::text AS enforcement
FROM key_land_developments d
JOIN construction_parcel_versions v
  ON v.parcel_code = d.parcel_code AND v.superseded_at IS NULL
 AND v.valid_from <= d.developed_on AND (v.valid_to IS NULL OR v.valid_to > d.developed_on)
WHERE d.developed_on BETWEEN $1 AND $2 AND v.county_code LIKE $3
ORDER BY d.developed_on, d.id
