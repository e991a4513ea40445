-- New versions for created and replaced features, and one audit row for each, in one statement. A
-- feature keeps its registered state (import_conflicts.sql refused any other); a new one without a state
-- starts in the lifecycle's initial state.
-- Template (store::statements): {columns} the stored properties, {values} the staged value of each
-- (for the state: `coalesce(s.state, p.current_state, '<initial>')`), {id}, {table}, {collection}.
-- $1 actor ("import:<file>"), $2 file name
WITH ins AS (
    INSERT INTO {table} ({columns}, geom, area_m2, recorded_by, change)
    SELECT {values}, s.geom, s.area_m2, $1, 'import'
    FROM import_staging s
    JOIN import_plan p ON p.ord = s.ord
    WHERE p.action <> 'unchanged'
    ORDER BY s.ord
    RETURNING version_id, {id}
)
INSERT INTO audit_log (actor, action, collection, feature_id, version_id, detail)
SELECT $1, 'import', '{collection}', ins.{id}, ins.version_id,
       jsonb_build_object('file', $2, 'change', p.action, 'previous_version', p.version_id, 'feature', p.ord)
FROM ins
JOIN import_plan p ON p.code = ins.{id}
ORDER BY ins.version_id
