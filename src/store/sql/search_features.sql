-- One collection's current features that match what a person typed (the map's search box), as a part of
-- a UNION ALL (store::search). Template, filled from the collection's description: {collection} its id,
-- {table} its version table, {code} the id column, {code_key} the code key of v.{code}
-- (domain::search::CODE_KEY_SQL), {label} the name shown (the `name` property, else the code), {county}
-- the county_code column or NULL, {texts} `OR v.<property> ILIKE $1` for each searched text property.
-- $1 the typed text as an ILIKE pattern (%...%, wildcards escaped), $2 its code key.
SELECT '{collection}'::text AS collection, v.{code}::text AS id, {label}::text AS label, {county}::text AS county_code,
       CASE WHEN {code_key} = $2 THEN 0 WHEN v.{code} ILIKE $1 THEN 1 ELSE 2 END AS rank,
       v.geom
FROM {table} v
WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
  AND ({code_key} = $2 OR v.{code} ILIKE $1 {texts})
