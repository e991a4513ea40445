-- A page of the audit log, newest first. Every filter is optional (NULL = any); $5 is the keyset cursor
-- (the last id of the previous page) and $6 the page size plus one, to tell whether more remain (NULL: every
-- entry, for the CSV export). $7 and $8 are the first and last day, inclusive, in China Standard Time (UTC+8,
-- the day documents are dated in).
SELECT id,
       json_build_object(
           'id', id, 'at', at, 'actor', actor, 'action', action, 'collection', collection,
           'feature_id', feature_id, 'version_id', version_id, 'detail', detail
       )::text
FROM audit_log
WHERE ($1::text IS NULL OR collection = $1)
  AND ($2::text IS NULL OR feature_id = $2)
  AND ($3::text IS NULL OR actor = $3)
  AND ($4::text IS NULL OR action = $4)
  AND ($5::bigint IS NULL OR id < $5)
  AND ($7::date IS NULL OR at >= ($7::date::timestamp - interval '8 hours') AT TIME ZONE 'UTC')
  AND ($8::date IS NULL OR at < (($8::date + 1)::timestamp - interval '8 hours') AT TIME ZONE 'UTC')
ORDER BY id DESC
LIMIT $6
