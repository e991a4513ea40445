INSERT INTO construction_parcel_versions
    (parcel_code, county_code, name, state, priority_supervision, key_unit_land, current_use,
     use_code_system, remediated_for_class, former_industry, geom, area_m2, valid_from, recorded_by, change)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($11), 4490)), $12, $13, $14, $15)
RETURNING version_id
