-- The plan of a generation (bench/gen.sh runs this once, then bench/gen_part.sql for each of its K parts,
-- 1 by default, and bench/gen_end.sql): the counties, field sizes and valleys of the layer, kept in the schema
-- bench_gen (dropped by gen_end.sql) so that every part reads them, and the registry's secondary indexes
-- dropped for the load (gen_end.sql builds them again).
--
-- Which fields a layer holds, and each unit's code, depend on the fields of every valley before it (whole
-- valleys in rank order, the last one cut short; codes numbered per county in valley order). Only the count
-- of fields per valley is needed for that, so it is counted here, without geometry, and each valley gets the
-- number of fields it keeps, the code number its county's count starts from, and the part that makes it:
-- valleys in rank order, split into K ranges of about units/K fields. A part then makes exactly the rows of
-- its valleys that one part for the whole layer would make.
--
-- psql variables: units, parcels, seed, cell, history, counties (bench/gen.sh's options), and parts and params (the
-- options as text, recorded so that a rerun resumes only the same generation).

\set ON_ERROR_STOP 1
BEGIN;
\ir gen_fn.sql

-- The counties the layer fills, and its parameters.
CREATE TEMP TABLE g_county AS
SELECT f->>'id' AS code, f->'properties'->>'name' AS name, f->'properties'->>'city' AS city,
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4490) AS geom
FROM json_array_elements((:'counties')::json->'features') AS f
WHERE f->>'id' ~ '^450[23][0-9]{2}$';

-- Sizes: the field size c (m), the super-grid step (34 c) and the number of valleys needed.
CREATE TEMP TABLE g_param AS
WITH a AS (SELECT sum(ST_Area(geom::geography)) AS area, ST_Extent(geom) AS box FROM g_county),
s AS (
    SELECT :units::bigint AS n, :parcels::bigint AS np, :history::float8 AS history, a.area, a.box,
           -- 143 fields per valley on average; keep 15 % spare super-cells
           least(CASE WHEN :cell::float8 > 0 THEN :cell::float8 ELSE 50 END,
                 sqrt(a.area * 143 / (1.15 * :units::float8)) / 34) AS c
    FROM a
)
SELECT s.*, 34 * s.c AS step,
       34 * s.c / (111320 * cos(radians(25.0))) AS step_lon, 34 * s.c / 110574 AS step_lat
FROM s;

-- Super-grid cells with their centre in a county, in seeded hash order: the valleys, best first.
CREATE TEMP TABLE g_block AS
WITH grid AS (
    SELECT sx, sy,
           ST_XMin(p.box) + (sx + 0.5) * p.step_lon AS lon0,
           ST_YMin(p.box) + (sy + 0.5) * p.step_lat AS lat0
    FROM g_param p,
         generate_series(0, ceil((ST_XMax(p.box) - ST_XMin(p.box)) / p.step_lon)::int) AS sx,
         generate_series(0, ceil((ST_YMax(p.box) - ST_YMin(p.box)) / p.step_lat)::int) AS sy
),
inside AS (
    SELECT g.*, c.code AS county, c.city
    FROM grid g JOIN g_county c ON ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint(g.lon0, g.lat0), 4490))
),
ranked AS (
    SELECT row_number() OVER (ORDER BY pg_temp.h(sx::bigint * 1000003 + sy)) AS b, i.* FROM inside i
)
SELECT r.b, r.sx, r.sy, r.lon0, r.lat0, r.county, r.city,
       14 + floor(pg_temp.h(pg_temp.k(r.b, 0, 0, 1)) * 11)::int AS nc,         -- columns (along)
       5 + floor(pg_temp.h(pg_temp.k(r.b, 0, 0, 2)) * 7)::int AS nr,           -- rows (across)
       p.c * (0.85 + 0.30 * pg_temp.h(pg_temp.k(r.b, 0, 0, 3))) AS cw,          -- field length (m)
       p.c * 0.9 * (0.75 + 0.30 * pg_temp.h(pg_temp.k(r.b, 0, 0, 4))) AS chh,   -- field width (m)
       pi() * pg_temp.h(pg_temp.k(r.b, 0, 0, 5)) AS theta,
       2 * pi() * pg_temp.h(pg_temp.k(r.b, 0, 0, 6)) AS phi,
       2 * pi() * pg_temp.h(pg_temp.k(r.b, 0, 0, 7)) AS phu,
       2 * pi() * pg_temp.h(pg_temp.k(r.b, 0, 0, 8)) AS phv,
       0.02 + 0.05 * pg_temp.h(pg_temp.k(r.b, 0, 0, 9)) AS amp_rel,
       1.5 + pg_temp.h(pg_temp.k(r.b, 0, 0, 10)) AS wave_rel,
       pg_temp.h(pg_temp.k(r.b, 0, 0, 11)) < 0.50 AS hot,
       pg_temp.h(pg_temp.k(r.b, 0, 0, 12)) AS hot_u,
       CASE WHEN pg_temp.h(pg_temp.k(r.b, 0, 0, 13)) < 0.5 THEN -1 ELSE 1 END AS hot_side,
       2 + 3 * pg_temp.h(pg_temp.k(r.b, 0, 0, 14)) AS hot_dist_c,
       pg_temp.h(pg_temp.k(r.b, 0, 0, 15)) < 0.72 AS paddy,
       111320 * cos(radians(r.lat0)) AS mlon, 110574.0 AS mlat
FROM ranked r, g_param p;
ALTER TABLE g_block ADD PRIMARY KEY (b);

-- Fields per valley, counted as bench/gen_part.sql makes them (6 % of fields are not farmland).
CREATE TEMP TABLE g_count AS
WITH bl AS MATERIALIZED (
    SELECT b, nc, nr FROM g_block WHERE b <= (SELECT ceil(n / 143.0 * 1.08)::int + 3 FROM g_param)
)
SELECT bl.b, count(*) AS n
FROM bl, LATERAL generate_series(0, bl.nc - 1) AS i, LATERAL generate_series(0, bl.nr - 1) AS j
WHERE pg_temp.h(pg_temp.k(bl.b, i, j, 30)) >= 0.06
GROUP BY bl.b;
DO $$
BEGIN
    IF (SELECT sum(n) FROM g_count) < (SELECT n FROM g_param) THEN
        RAISE EXCEPTION 'not enough fields: % < %', (SELECT sum(n) FROM g_count), (SELECT n FROM g_param);
    END IF;
END $$;

CREATE SCHEMA bench_gen;
CREATE UNLOGGED TABLE bench_gen.param AS SELECT p.*, :parts::int AS parts FROM g_param p;
CREATE UNLOGGED TABLE bench_gen.county AS SELECT * FROM g_county;
-- The valleys that hold fields: whole valleys in rank order, the last one cut short (keep), the code number
-- before the valley's first field in its county (seq0: codes run per county in valley, row, column order)
-- and the part that makes the valley.
CREATE UNLOGGED TABLE bench_gen.valley AS
SELECT c.b, bl.county, k.keep,
       sum(k.keep) OVER (PARTITION BY bl.county ORDER BY c.b) - k.keep AS seq0,
       floor(c.before * :parts::int / p.n)::int AS part
FROM (SELECT b, n, sum(n) OVER (ORDER BY b) - n AS before FROM g_count) c
JOIN g_block bl ON bl.b = c.b
CROSS JOIN g_param p
CROSS JOIN LATERAL (SELECT least(c.n, p.n - c.before)::bigint AS keep) k
WHERE c.before < p.n;
ALTER TABLE bench_gen.valley ADD PRIMARY KEY (b);
-- Each valley's frame (its rotation and bend, as columns) and polluting site, in valley metres: the parts
-- make their fields in them and the end its parcels beside the sites.
CREATE UNLOGGED TABLE bench_gen.frame AS
SELECT b, lon0, lat0, mlon, mlat, cos(theta) AS ct, sin(theta) AS st, amp_rel * nc * cw AS amp,
       2 * pi() / (wave_rel * nc * cw) AS kw, phi
FROM g_block WHERE b IN (SELECT b FROM bench_gen.valley);
ALTER TABLE bench_gen.frame ADD PRIMARY KEY (b);
CREATE UNLOGGED TABLE bench_gen.hot AS
SELECT bl.b,
       (bl.hot_u - 0.5) * 0.5 * bl.nc * bl.cw AS hu,
       bl.hot_side * ((bl.nr / 2.0 + 0.6) * bl.chh + bl.hot_dist_c * p.c) AS hv,
       0.4 * bl.nc * bl.cw AS decay
FROM g_block bl, g_param p
WHERE bl.hot AND bl.b IN (SELECT b FROM bench_gen.valley);
-- The super-grid cells that remain: the valleys and the industrial zones' corners beyond them.
DELETE FROM g_block WHERE b > (SELECT max(b) FROM bench_gen.valley) + (SELECT ceil(np / 4.0) FROM g_param);
CREATE UNLOGGED TABLE bench_gen.block AS SELECT * FROM g_block;
ALTER TABLE bench_gen.block ADD PRIMARY KEY (b);

-- The registry's secondary indexes, dropped for the load (bench/gen_end.sql builds them again).
CREATE UNLOGGED TABLE bench_gen.index AS
SELECT i.indexname, i.indexdef FROM pg_indexes i
JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
WHERE i.schemaname = 'public' AND i.tablename IN ('farmland_unit_versions', 'construction_parcel_versions')
  AND NOT x.indisprimary;
SELECT format('DROP INDEX %I', indexname) FROM bench_gen.index \gexec

INSERT INTO g_time (phase) VALUES ('plan');
INSERT INTO landguard_meta (key, value)
SELECT 'bench_gen_plan', json_build_object('params', :'params',
           'seconds', round(extract(epoch FROM max(at) - min(at))::numeric, 2))::text
FROM g_time;
COMMIT;
