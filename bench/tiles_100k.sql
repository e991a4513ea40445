-- 100 000 synthetic farmland units for the tile benchmark (bench/tiles.sh), written straight into the
-- registry table as an import would: 32-vertex rings ~100 m across on a 320 x 313 grid (~150 m apart)
-- over Liujiang, Liuzhou. Idempotent: does nothing when the BENCH- units are there already.
INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, crops_compliant,
                                    basis_doc, geom, area_m2, valid_from, recorded_by, change)
SELECT format('450206-BENCH-%s', lpad(i::text, 6, '0')),
       '450206',
       (ARRAY['priority_protection', 'priority_protection', 'priority_protection', 'safe_use', 'strict_control'])[1 + i % 5],
       (ARRAY['0101', '0101', '0102', '0103'])[1 + i % 4],
       i % 3 <> 0,
       CASE WHEN i % 5 = 0 THEN NULL ELSE i % 7 <> 0 END,
       'bench',
       ST_Multi(g.geom),
       ST_Area(g.geom::geography),
       DATE '2024-01-01',
       'bench',
       'import'
FROM (
    SELECT i, ST_SetSRID(ST_Buffer(ST_MakePoint(109.20 + (i % 320) * 0.0015, 24.10 + (i / 320) * 0.0012), 0.0005, 'quad_segs=8'), 4490) AS geom
    FROM generate_series(0, 99999) AS i
) AS g
WHERE NOT EXISTS (SELECT 1 FROM farmland_unit_versions WHERE unit_code = '450206-BENCH-000000');
ANALYZE farmland_unit_versions;

-- What martin serves: the same current rows and the same properties as landguard's farmland_units layer.
-- The view's WHERE matches the partial GiST index, so martin's `geom && envelope` uses it as landguard does.
CREATE OR REPLACE VIEW bench_farmland_units AS
SELECT version_id, unit_code, class, county_code, land_type, measures_in_place, crops_compliant,
       round(area_m2)::bigint AS area_m2, geom
FROM farmland_unit_versions
WHERE valid_to IS NULL AND superseded_at IS NULL;
