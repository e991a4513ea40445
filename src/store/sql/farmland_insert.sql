INSERT INTO farmland_unit_versions
    (unit_code, county_code, class, land_type, measures_in_place, crops_compliant, basis_doc,
     geom, area_m2, valid_from, recorded_by, change)
VALUES ($1, $2, $3, $4, $5, $6, $7,
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($8), 4490)), $9, $10, $11, $12)
RETURNING version_id
