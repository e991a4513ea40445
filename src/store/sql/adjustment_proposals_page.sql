-- A page of batch $1's proposals as GeoJSON features (the geometry of the unit version each was computed
-- from), by unit code: $2 true for the units whose class would change, false for the rest, NULL for all;
-- $3 limit, $4 offset. The second column is the number matched.
WITH matched AS (
    SELECT p.*, coalesce(p.override_class, p.proposed_class) AS class_after
    FROM adjustment_proposals p
    WHERE p.batch_id = $1
      AND ($2::boolean IS NULL OR (coalesce(p.override_class, p.proposed_class) <> p.current_class) = $2)
)
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', p.unit_code,
           'geometry', ST_AsGeoJSON(v.geom, 6)::json,
           'properties', json_build_object(
               'unit_code', p.unit_code, 'county_code', v.county_code, 'unit_version_id', p.unit_version_id,
               'area_m2', round(v.area_m2::numeric, 1), 'area_mu', round((v.area_m2 / (10000.0 / 15))::numeric, 2),
               'current_class', p.current_class, 'proposed_class', p.proposed_class,
               'override_class', p.override_class, 'override_reason', p.override_reason,
               'override_by', p.override_by, 'override_at', p.override_at,
               'class_after', p.class_after, 'changed', p.class_after <> p.current_class,
               'direction', p.direction, 'outcome', p.outcome, 'denser_sampling', p.denser_sampling,
               'reason', json_build_object('zh', p.reason_zh, 'en', p.reason_en),
               'evidence', p.evidence))
           ORDER BY p.unit_code), '[]')::text,
       (SELECT count(*) FROM matched)
FROM (SELECT * FROM matched ORDER BY unit_code LIMIT $3 OFFSET $4) p
JOIN farmland_unit_versions v ON v.version_id = p.unit_version_id
