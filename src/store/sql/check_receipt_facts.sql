-- A check's spatial facts (check_facts.sql, put in place of the placeholder below) together with what the answer's
-- receipt says about them, in the same statement and so from the same snapshot: where the query lies (a
-- point inside it, the county outlines it touches) and what data it was read from (each collection's change
-- counter, whether a replica served it and how far that replica had replayed).
-- $1 query geometry (GeoJSON, lon/lat CGCS2000); the other parameters are check_facts.sql's.
WITH facts(body) AS (
{check_facts}
),
loc AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g)
SELECT
    (SELECT body FROM facts),
    json_build_object(
        'point', (SELECT ST_AsGeoJSON(ST_PointOnSurface(g), 7, 0)::json FROM loc),
        'counties', (
            SELECT coalesce(json_agg(json_build_object('code', c.county_code, 'name', c.name) ORDER BY c.county_code), '[]'::json)
            FROM counties c, loc
            WHERE ST_Intersects(c.geom, loc.g)
        ),
        'counties_loaded', EXISTS (SELECT 1 FROM counties)
    )::text,
    json_build_object(
        'replica', pg_is_in_recovery(),
        'read_at', statement_timestamp(),
        'replayed_at', pg_last_xact_replay_timestamp(),
        'changes', (SELECT json_object_agg(collection, json_build_object('seq', seq, 'changed_at', changed_at) ORDER BY collection)
                    FROM collection_changes)
    )::text,
    pg_last_wal_replay_lsn()::text
