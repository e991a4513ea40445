-- Staged geometries that PostGIS (GEOS) finds invalid although the service's own check passed them; only
-- run when the insert hit the ST_IsValid constraint, to name the features.
SELECT s.ord::bigint, p.code, '/geometry' AS pointer, ST_IsValidReason(s.geom) AS detail
FROM import_staging s
JOIN import_plan p ON p.ord = s.ord
WHERE p.action <> 'unchanged' AND NOT ST_IsValid(s.geom)
ORDER BY s.ord
