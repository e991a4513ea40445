-- New versions for created and replaced construction parcels, and one audit row for each. A parcel keeps
-- its registered state (import_conflicts.sql refused any other); a new one without a state is 'suspected'.
-- $1 actor ("import:<file>"), $2 file name
WITH ins AS (
    INSERT INTO construction_parcel_versions
        (parcel_code, county_code, name, state, priority_supervision, key_unit_land, current_use,
         use_code_system, remediated_for_class, former_industry, geom, area_m2, valid_from, recorded_by, change)
    SELECT s.parcel_code, s.county_code, s.name, coalesce(s.state, p.current_state, 'suspected'),
           s.priority_supervision, s.key_unit_land, s.current_use, s.use_code_system, s.remediated_for_class,
           s.former_industry, s.geom, s.area_m2, s.valid_from, $1, 'import'
    FROM import_staging s
    JOIN import_plan p ON p.ord = s.ord
    WHERE p.action <> 'unchanged'
    ORDER BY s.ord
    RETURNING version_id, parcel_code
)
INSERT INTO audit_log (actor, action, collection, feature_id, version_id, detail)
SELECT $1, 'import', 'construction_parcels', ins.parcel_code, ins.version_id,
       jsonb_build_object('file', $2, 'change', p.action, 'previous_version', p.version_id, 'feature', p.ord)
FROM ins
JOIN import_plan p ON p.code = ins.parcel_code
ORDER BY ins.version_id
