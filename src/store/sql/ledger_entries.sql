-- A unit's measures ledger ($1), or only the entries whose ids are in $2 when it is not null: newest year
-- first, then in the order recorded.
SELECT id, unit_code, year, season, kind, area_m2, document, note, recorded_by, recorded_at,
       withdrawn_at, withdrawn_by, withdrawn_reason
FROM farmland_measures
WHERE unit_code = $1 AND ($2::bigint[] IS NULL OR id = ANY($2))
ORDER BY year DESC, season DESC NULLS LAST, id
