-- What an import does with each staged construction parcel (see import_farmland_plan.sql). The state is
-- not compared here: it only moves through lifecycle transitions, and a file that states a different one
-- is refused (import_conflicts.sql).
CREATE TEMP TABLE import_plan ON COMMIT DROP AS
SELECT s.ord,
       s.parcel_code AS code,
       v.version_id,
       v.valid_from AS current_from,
       v.state AS current_state,
       CASE
           WHEN v.version_id IS NULL THEN 'create'
           WHEN (s.county_code, s.name, s.priority_supervision, s.key_unit_land, s.current_use,
                 s.use_code_system, s.remediated_for_class, s.former_industry)
                IS DISTINCT FROM
                (v.county_code, v.name, v.priority_supervision, v.key_unit_land, v.current_use,
                 v.use_code_system, v.remediated_for_class, v.former_industry)
               THEN 'replace'
           WHEN ST_OrderingEquals(s.geom, v.geom) THEN 'unchanged'
           WHEN ST_HausdorffDistance(s.geom, v.geom) < 1e-8 THEN 'unchanged'
           ELSE 'replace'
       END AS action
FROM import_staging s
LEFT JOIN construction_parcel_versions v
       ON v.parcel_code = s.parcel_code AND v.valid_to IS NULL AND v.superseded_at IS NULL
