-- Staged features the registry cannot take as they are, with the reason: a feature whose stated state
-- differs from its registered one (the lifecycle moves only by transitions), and a change dated before
-- the current version (changes are recorded in date order).
-- Template (store::statements): {state} is the staged state (`s.state`), or `NULL::text` for a collection
-- without a lifecycle; {state_name} the lifecycle property and {collection} the collection's id.
SELECT p.ord::bigint, p.code, '/properties/{state_name}' AS pointer,
       format('{state_name} ''%s'' differs from the registered {state_name} ''%s'': the lifecycle only moves by transitions (POST /collections/{collection}/items/%s/transitions); leave {state_name} out of the file or give ''%s''',
              {state}, p.current_state, p.code, p.current_state) AS detail
FROM import_plan p JOIN import_staging s ON s.ord = p.ord
WHERE {state} IS NOT NULL AND p.current_state IS NOT NULL AND {state} <> p.current_state
UNION ALL
SELECT p.ord::bigint, p.code, '/properties/valid_from',
       format('valid_from %s is earlier than the registered version''s (%s); changes are recorded in date order',
              s.valid_from, p.current_from)
FROM import_plan p JOIN import_staging s ON s.ord = p.ord
WHERE p.action = 'replace' AND s.valid_from < p.current_from
ORDER BY 1, 3
