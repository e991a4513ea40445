-- A lifecycle step: a new version that copies the current one, in its new state from the step's date.
-- $7: the class of use a delisting step records (NULL keeps the current value).
INSERT INTO construction_parcel_versions
    (parcel_code, county_code, name, state, priority_supervision, key_unit_land, current_use,
     use_code_system, remediated_for_class, former_industry, geom, area_m2, valid_from, recorded_by,
     change, from_state, document, note)
SELECT parcel_code, county_code, name, $2, priority_supervision, key_unit_land, current_use,
       use_code_system, coalesce($7::smallint, remediated_for_class), former_industry, geom, area_m2, $3, $4,
       'transition', state, $5, $6
FROM construction_parcel_versions
WHERE version_id = $1
RETURNING version_id
