-- The units of batch $1 whose current version is no longer the one the proposal was computed from (edited,
-- adjusted or deleted since), by code.
SELECT p.unit_code
FROM adjustment_proposals p
LEFT JOIN farmland_unit_versions v
       ON v.unit_code = p.unit_code AND v.valid_to IS NULL AND v.superseded_at IS NULL
WHERE p.batch_id = $1 AND v.version_id IS DISTINCT FROM p.unit_version_id
ORDER BY p.unit_code
