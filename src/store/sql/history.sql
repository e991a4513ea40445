-- Every version of one feature, oldest first, with who recorded it and what ended it, and whether its geometry
-- differs from the version before it (the properties show their own changes; a moved outline would not).
-- {table} and {code} are fixed identifiers chosen by the service, never user text. A version's properties
-- are its row less the columns that are not properties: the version's own bookkeeping, and what is stored
-- for serving it (the rendered feature, the tiles' geometry and extent).
SELECT coalesce(json_agg(json_build_object(
           'version', v.version_id,
           'change', v.change,
           'valid_from', v.valid_from,
           'valid_to', v.valid_to,
           'recorded_at', v.recorded_at,
           'recorded_by', v.recorded_by,
           'superseded_at', v.superseded_at,
           'ended_by', v.ended_by,
           'ended_change', v.ended_change,
           'ended_reason', v.ended_reason,
           'geometry_changed', v.geometry_changed,
           'properties', to_jsonb(v) - 'geom' - 'version_id' - 'recorded_at' - 'recorded_by' - 'superseded_at'
                  - 'valid_from' - 'valid_to' - 'change' - 'ended_by' - 'ended_change' - 'ended_reason' - 'geometry_changed'
                  - 'feature_json' - 'tile_z12' - 'tile_extent_deg'
       ) ORDER BY v.valid_from, v.version_id), '[]'::json)::text
FROM (
    SELECT w.*, NOT ST_OrderingEquals(w.geom, lag(w.geom) OVER (ORDER BY w.valid_from, w.version_id)) AS geometry_changed
    FROM {table} w
    WHERE w.{code} = $1
) v
