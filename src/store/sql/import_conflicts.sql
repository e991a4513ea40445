-- Staged features the registry cannot take as they are, with the reason: a parcel whose stated state
-- differs from its registered one (the lifecycle moves only by transitions), and a change dated before
-- the current version (changes are recorded in date order).
-- {state} is "s.state" for parcels and "NULL::text" for farmland units (a fixed choice of the service).
SELECT p.ord::bigint, p.code, '/properties/state' AS pointer,
       format('state ''%s'' differs from the registered state ''%s'': the lifecycle only moves by transitions (POST /collections/construction_parcels/items/%s/transitions); leave state out of the file or give ''%s''',
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
