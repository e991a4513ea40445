-- A lifecycle step: a new version that copies the current one, in its new state from the step's date.
-- Template (store::statements): {columns} the stored properties other than the state and valid_from,
-- {values} what each gets (the same column, or `coalesce($7, column)` for the property a step may record:
-- NULL keeps the current value), {state} the lifecycle property.
-- $1 current version, $2 new state, $3 date, $4 actor, $5 document, $6 note, $7 the step's value
INSERT INTO {table}
    ({columns}, {state}, valid_from, geom, area_m2, recorded_by, change, from_state, document, note)
SELECT {values}, $2, $3, geom, area_m2, $4, 'transition', {state}, $5, $6
FROM {table}
WHERE version_id = $1
RETURNING version_id
