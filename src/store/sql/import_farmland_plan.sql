-- What an import does with each staged farmland unit, decided against the current versions in one pass:
-- 'create' (a new code), 'replace' (attributes or geometry differ; valid_from alone does not count) or
-- 'unchanged'. Geometries count as equal when they are vertex for vertex the same or no vertex of one is
-- farther than 1e-8 degrees (about 1 mm) from the other (Hausdorff distance): a file that went through a
-- reprojection or a 9-decimal GeoJSON export comes back unchanged.
CREATE TEMP TABLE import_plan ON COMMIT DROP AS
SELECT s.ord,
       s.unit_code AS code,
       v.version_id,
       v.valid_from AS current_from,
       NULL::text AS current_state,
       CASE
           WHEN v.version_id IS NULL THEN 'create'
           WHEN (s.county_code, s.class, s.land_type, s.measures_in_place, s.crops_compliant, s.basis_doc)
                IS DISTINCT FROM
                (v.county_code, v.class, v.land_type, v.measures_in_place, v.crops_compliant, v.basis_doc)
               THEN 'replace'
           WHEN ST_OrderingEquals(s.geom, v.geom) THEN 'unchanged'
           WHEN ST_HausdorffDistance(s.geom, v.geom) < 1e-8 THEN 'unchanged'
           ELSE 'replace'
       END AS action
FROM import_staging s
LEFT JOIN farmland_unit_versions v
       ON v.unit_code = s.unit_code AND v.valid_to IS NULL AND v.superseded_at IS NULL
