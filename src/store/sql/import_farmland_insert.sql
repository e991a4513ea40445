-- New versions for created and replaced farmland units, and one audit row for each, in one statement.
-- $1 actor ("import:<file>"), $2 file name
WITH ins AS (
    INSERT INTO farmland_unit_versions
        (unit_code, county_code, class, land_type, measures_in_place, crops_compliant, basis_doc,
         geom, area_m2, valid_from, recorded_by, change)
    SELECT s.unit_code, s.county_code, s.class, s.land_type, s.measures_in_place, s.crops_compliant, s.basis_doc,
           s.geom, s.area_m2, s.valid_from, $1, 'import'
    FROM import_staging s
    JOIN import_plan p ON p.ord = s.ord
    WHERE p.action <> 'unchanged'
    ORDER BY s.ord
    RETURNING version_id, unit_code
)
INSERT INTO audit_log (actor, action, collection, feature_id, version_id, detail)
SELECT $1, 'import', 'farmland_units', ins.unit_code, ins.version_id,
       jsonb_build_object('file', $2, 'change', p.action, 'previous_version', p.version_id, 'feature', p.ord)
FROM ins
JOIN import_plan p ON p.code = ins.unit_code
ORDER BY ins.version_id
