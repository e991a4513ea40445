-- A collection for `landguard export`, current ($1 NULL) or as of the date $1, in code order. Template
-- (store::statements): {columns} every published property, cast to its export type, in published order;
-- then the geometry as WKB with counter-clockwise exteriors.
SELECT {columns},
       ST_AsBinary(ST_ForcePolygonCCW(v.geom)) AS wkb
FROM {table} v
WHERE v.superseded_at IS NULL
  AND CASE WHEN $1::date IS NULL THEN v.valid_to IS NULL
           ELSE v.valid_from <= $1::date AND (v.valid_to IS NULL OR v.valid_to > $1::date) END
ORDER BY v.{id}
