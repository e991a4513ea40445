-- What tipg 1.6.1 serves in bench/features.sh: the current farmland rows with the same properties as
-- landguard's farmland_units layer, as a view in a schema of its own (bench_tipg, so that tipg's catalogue
-- holds nothing else).
--   * geometry: tipg wraps any non-4326 column in ST_Transform(geom, 4326) for output. landguard writes the
--     stored CGCS2000 coordinates as CRS84 as they are (the two frames differ by centimetres), so the view
--     labels them 4326 with ST_SetSRID: both servers then write the same coordinates and neither pays
--     for a PROJ call per vertex. An expression GiST index on that label (partial, on the current rows,
--     like landguard's) keeps tipg's bbox filter on an index: tipg gets its best case.
--   * area_m2 and area_mu as float8 (a numeric would come out of tipg as a JSON string).
-- tipg is told that unit_code is the key (TIPG_TABLE_CONFIG__bench_tipg_farmland_units__PK), so its ids,
-- its default order and its offset paging are by unit code, as landguard's keyset paging is.
\set ON_ERROR_STOP 1
CREATE SCHEMA IF NOT EXISTS bench_tipg;
CREATE OR REPLACE VIEW bench_tipg.farmland_units AS
SELECT v.unit_code, v.county_code, v.class, v.land_type, v.measures_in_place, v.crops_compliant, v.valid_from,
       v.basis_doc, round(v.area_m2::numeric, 2)::float8 AS area_m2,
       round((v.area_m2 * 15 / 10000)::numeric, 3)::float8 AS area_mu,
       ST_SetSRID(v.geom, 4326)::geometry(MultiPolygon, 4326) AS geom
FROM public.farmland_unit_versions v
WHERE v.valid_to IS NULL AND v.superseded_at IS NULL;
CREATE INDEX IF NOT EXISTS bench_tipg_current_geom4326 ON public.farmland_unit_versions
    USING gist ((ST_SetSRID(geom, 4326)::geometry(MultiPolygon, 4326)))
    WHERE valid_to IS NULL AND superseded_at IS NULL;
ANALYZE public.farmland_unit_versions;
