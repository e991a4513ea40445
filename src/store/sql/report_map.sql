-- The annual report's map of a city: each county's outline, each priority-supervision parcel and each key
-- unit's site, tailings pond and pollution source (a point on its surface; the report keeps those with an
-- overdue duty, code 'collection/id') as of a date, as SVG path data in Web Mercator metres (ST_AsSVG writes y negated, as SVG's
-- y axis runs down), and the extent of the outlines for the drawing's viewBox. A county row's `state` is
-- its city's name.
-- $1 the city's county-code prefix pattern ('4502%'), $2 the date
WITH c AS (
    SELECT county_code, name, city, ST_Transform(geom, 3857) AS g FROM counties WHERE county_code LIKE $1
), e AS (
    SELECT ST_Extent(g) AS box FROM c
)
SELECT 'county' AS kind, c.county_code AS code, c.name AS label, c.city AS state,
       ST_AsSVG(ST_Simplify(c.g, 50), 0, 0) AS svg,
       ST_XMin(e.box), ST_YMin(e.box), ST_XMax(e.box), ST_YMax(e.box)
FROM c, e
UNION ALL
SELECT 'parcel', v.parcel_code, v.name, v.state,
       ST_AsSVG(ST_Transform(ST_PointOnSurface(v.geom), 3857), 0, 0),
       NULL, NULL, NULL, NULL
FROM construction_parcel_versions v
WHERE v.county_code LIKE $1 AND v.priority_supervision
  AND v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
UNION ALL
SELECT 'source', 'key_supervised_units/' || v.enterprise_code, v.name, NULL,
       ST_AsSVG(ST_Transform(ST_PointOnSurface(v.geom), 3857), 0, 0), NULL, NULL, NULL, NULL
FROM key_supervised_unit_versions v
WHERE v.county_code LIKE $1
  AND v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
UNION ALL
SELECT 'source', 'tailings_ponds/' || v.pond_code, v.name, NULL,
       ST_AsSVG(ST_Transform(v.geom, 3857), 0, 0), NULL, NULL, NULL, NULL
FROM tailings_pond_versions v
WHERE v.county_code LIKE $1
  AND v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
UNION ALL
SELECT 'source', 'pollution_sources/' || v.source_code, v.name, NULL,
       ST_AsSVG(ST_Transform(ST_PointOnSurface(v.geom), 3857), 0, 0), NULL, NULL, NULL, NULL
FROM pollution_source_versions v
WHERE v.county_code LIKE $1
  AND v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
ORDER BY 1, 2
