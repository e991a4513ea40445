-- Ends the current version of every feature the import replaces, as a single write does: in valid time
-- when the new version holds from a later day, in transaction time (superseded) when it corrects the
-- record of the same day. {table} is a fixed identifier chosen by the service.
UPDATE {table} v
SET superseded_at = CASE WHEN s.valid_from = v.valid_from THEN clock_timestamp() END,
    valid_to      = CASE WHEN s.valid_from > v.valid_from THEN s.valid_from END,
    ended_by      = $1,
    ended_change  = 'import'
FROM import_plan p
JOIN import_staging s ON s.ord = p.ord
WHERE p.action = 'replace' AND v.version_id = p.version_id
