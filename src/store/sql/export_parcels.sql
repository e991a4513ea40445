-- Construction parcels for `landguard export`, current ($1 NULL) or as of the date $1, in code order; the
-- columns follow store::import::export_columns, then the geometry as WKB with counter-clockwise exteriors.
SELECT v.parcel_code, v.county_code, v.name, v.state, v.rcr_listed, v.priority_supervision,
       v.key_unit_land, v.current_use, v.use_code_system, v.remediated_for_class, v.former_industry,
       v.valid_from,
       round(v.area_m2::numeric, 2)::float8 AS area_m2,
       round((v.area_m2 * 15 / 10000)::numeric, 3)::float8 AS area_mu,
       ST_AsBinary(ST_ForcePolygonCCW(v.geom)) AS wkb
FROM construction_parcel_versions v
WHERE v.superseded_at IS NULL
  AND CASE WHEN $1::date IS NULL THEN v.valid_to IS NULL
           ELSE v.valid_from <= $1::date AND (v.valid_to IS NULL OR v.valid_to > $1::date) END
ORDER BY v.parcel_code
