-- A class adjustment batch as the API shows it (GET /adjustments/{id}); the caller appends the WHERE clause.
SELECT json_build_object('id', id, 'county_code', county_code, 'unit_codes', unit_codes, 'as_of', as_of,
           'trigger', trigger, 'note', note, 'state', state, 'created_by', created_by, 'created_at', created_at,
           'submitted_by', submitted_by, 'submitted_at', submitted_at, 'decided_by', decided_by,
           'decided_at', decided_at, 'document', document, 'effective_from', effective_from,
           'reject_reason', reject_reason, 'applied_units', applied_units, 'farmland_seq', farmland_seq,
           'summary', summary, 'settings', settings)::text
FROM adjustment_batches
