-- The units an adjustment batch proposes for, each with the samples inside it, in one statement: the current
-- farmland units of county $1 (only the codes $2 when not NULL), and for each the current soil and crop
-- samples taken on or before $3 that lie in it or on its edge (point in polygon through each sample table's
-- current-geometry index). One row per unit; the samples as JSON arrays of values, oldest first, that the
-- store grades and judges again in Rust for the evidence (src/store/adjustments.rs).
SELECT u.unit_code, u.version_id, u.county_code, u.class, u.area_m2, u.measures_in_place, u.crops_compliant,
       coalesce((SELECT json_agg(json_build_array(s.sample_code, s.sampled_on, s.land, s.ph, s.cd, s.hg, s."as",
                                                  s.pb, s.cr, s.cu, s.ni, s.zn)
                                 ORDER BY s.sampled_on, s.sample_code)
                 FROM soil_sample_versions s
                 WHERE s.valid_to IS NULL AND s.superseded_at IS NULL AND s.sampled_on <= $3
                   AND ST_Intersects(u.geom, s.geom)), '[]')::text AS soil,
       coalesce((SELECT json_agg(json_build_array(c.sample_code, c.sampled_on, c.crop, c.cd, c.pb, c.as_inorganic,
                                                  c.hg, c.cr)
                                 ORDER BY c.sampled_on, c.sample_code)
                 FROM crop_sample_versions c
                 WHERE c.valid_to IS NULL AND c.superseded_at IS NULL AND c.sampled_on <= $3
                   AND ST_Intersects(u.geom, c.geom)), '[]')::text AS crops
FROM farmland_unit_versions u
WHERE u.valid_to IS NULL AND u.superseded_at IS NULL AND u.county_code = $1
  AND ($2::text[] IS NULL OR u.unit_code = ANY ($2))
ORDER BY u.unit_code
