-- One part of a generation (bench/gen.sh; the plan is bench/gen_plan.sql): the farmland units of the valleys
-- bench_gen.valley gives to part `part`, the same rows whichever number of parts the layer is split into,
-- made and inserted in a transaction of its own with its own temporary tables, recorded as done in landguard_meta
-- ('bench_gen_part_<part>') by the same commit, so that a rerun skips it.
--
-- psql variables: seed, part.

\set ON_ERROR_STOP 1
BEGIN;
\ir gen_fn.sql

CREATE TEMP TABLE g_param AS SELECT * FROM bench_gen.param;
-- This part's valleys, with the fields each keeps and its county's code number before it.
CREATE TEMP TABLE g_block AS
SELECT bl.*, v.keep, v.seq0 FROM bench_gen.block bl JOIN bench_gen.valley v ON v.b = bl.b WHERE v.part = :part;
ALTER TABLE g_block ADD PRIMARY KEY (b);
-- Their fields, the valley cut short by the plan losing its last ones in (row, column) order.
CREATE TEMP TABLE g_cell AS
SELECT b, i, j FROM (
    SELECT bl.b, i, j, bl.keep, row_number() OVER (PARTITION BY bl.b ORDER BY j, i) AS rn
    FROM g_block bl, LATERAL generate_series(0, bl.nc - 1) AS i, LATERAL generate_series(0, bl.nr - 1) AS j
    WHERE pg_temp.h(pg_temp.k(bl.b, i, j, 30)) >= 0.06
) c
WHERE rn <= keep;
ANALYZE g_cell;
ANALYZE g_block;

-- The units' code numbers count from the county's seq0 of the plan (g_unit carries it, g_unit2 counts from it).
-- The frames of the valleys in use (bench/gen_plan.sql).
CREATE TEMP TABLE g_frame AS SELECT * FROM bench_gen.frame WHERE b IN (SELECT DISTINCT b FROM g_cell);
ALTER TABLE g_frame ADD PRIMARY KEY (b);

-- Lattice nodes of the valleys in use, in valley metres: warped columns and rows, jittered.
CREATE TEMP TABLE g_node AS
SELECT bl.b, i, j,
       (i - bl.nc / 2.0 + 0.3 * sin(2 * pi() * i / 5.3 + bl.phu)) * bl.cw + (pg_temp.h(pg_temp.k(bl.b, i, j, 1)) - 0.5) * 0.36 * bl.cw AS u,
       (j - bl.nr / 2.0 + 0.25 * sin(2 * pi() * j / 3.7 + bl.phv)) * bl.chh + (pg_temp.h(pg_temp.k(bl.b, i, j, 2)) - 0.5) * 0.36 * bl.chh AS v
FROM g_block bl, LATERAL generate_series(0, bl.nc) AS i, LATERAL generate_series(0, bl.nr) AS j
WHERE bl.b IN (SELECT b FROM g_frame);
ALTER TABLE g_node ADD PRIMARY KEY (b, i, j);

-- Every edge once, in its canonical direction (from node (i,j) towards +i: dir 0, towards +j: dir 1), with
-- its two intermediate points offset across it; both fields beside it take this very line.
CREATE TEMP TABLE g_epts AS
SELECT p.b, p.i, p.j, d.dir, p.u AS u0, p.v AS v0, q.u AS u3, q.v AS v3,
       p.u + (q.u - p.u) / 3 - (q.v - p.v) * o1 AS u1, p.v + (q.v - p.v) / 3 + (q.u - p.u) * o1 AS v1,
       p.u + 2 * (q.u - p.u) / 3 - (q.v - p.v) * o2 AS u2, p.v + 2 * (q.v - p.v) / 3 + (q.u - p.u) * o2 AS v2
FROM g_node p
CROSS JOIN (VALUES (0), (1)) AS d(dir)
JOIN g_node q ON q.b = p.b AND q.i = p.i + (1 - d.dir) AND q.j = p.j + d.dir
CROSS JOIN LATERAL (SELECT (pg_temp.h(pg_temp.k(p.b, p.i, p.j, 10 + 4 * d.dir)) - 0.5) * 0.14 AS o1,
                           (pg_temp.h(pg_temp.k(p.b, p.i, p.j, 11 + 4 * d.dir)) - 0.5) * 0.14 AS o2) AS off;

CREATE TEMP TABLE g_edge AS
SELECT e.b, e.i, e.j, e.dir,
       ST_MakeLine(ARRAY[
           pg_temp.ll(e.u0, e.v0, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi),
           pg_temp.ll(e.u1, e.v1, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi),
           pg_temp.ll(e.u2, e.v2, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi),
           pg_temp.ll(e.u3, e.v3, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi)]) AS line
FROM g_epts e JOIN g_frame f ON f.b = e.b;
ALTER TABLE g_edge ADD PRIMARY KEY (b, i, j, dir);
DROP TABLE g_epts;

ANALYZE g_node;
ANALYZE g_edge;

-- Polluting sites beside half of the valleys, in valley metres (bench/gen_plan.sql).
CREATE TEMP TABLE g_hot AS SELECT * FROM bench_gen.hot WHERE b IN (SELECT b FROM g_frame);

-- Fields: ring from the four shared edges, class from the distance to the valley's site. (Hash joins: twice
-- as fast as the index lookups the planner would choose.)
SET LOCAL enable_nestloop = off;
SET LOCAL enable_mergejoin = off;
CREATE TEMP TABLE g_unit AS
SELECT c.b, c.i, c.j, bl.county, bl.city,
       ST_Multi(ST_MakePolygon(ST_MakeLine(ARRAY[e0.line, e1.line, ST_Reverse(e2.line), ST_Reverse(e3.line)]))) AS geom,
       coalesce(exp(-sqrt(power((n.u - h.hu), 2) + power((n.v - h.hv), 2)) / h.decay), 0) AS near,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 31)) AS r_class,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 32)) AS r_land,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 33)) AS r_measures,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 34)) AS r_crops,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 35)) AS r_doc,
       pg_temp.h(pg_temp.k(c.b, c.i, c.j, 36)) AS r_hist,
       bl.paddy, bl.seq0
FROM g_cell c
JOIN g_block bl ON bl.b = c.b
JOIN g_edge e0 ON e0.b = c.b AND e0.i = c.i AND e0.j = c.j AND e0.dir = 0          -- bottom, +i
JOIN g_edge e1 ON e1.b = c.b AND e1.i = c.i + 1 AND e1.j = c.j AND e1.dir = 1      -- right, +j
JOIN g_edge e2 ON e2.b = c.b AND e2.i = c.i AND e2.j = c.j + 1 AND e2.dir = 0      -- top, reversed
JOIN g_edge e3 ON e3.b = c.b AND e3.i = c.i AND e3.j = c.j AND e3.dir = 1          -- left, reversed
JOIN g_node n ON n.b = c.b AND n.i = c.i AND n.j = c.j
LEFT JOIN g_hot h ON h.b = c.b;

RESET enable_nestloop;
RESET enable_mergejoin;

-- Class and attributes. p(strict) = 0.5 % + 50 % near^1.5, p(safe) = 8 % + 74 % near.
CREATE TEMP TABLE g_unit2 AS
SELECT u.*,
       CASE WHEN u.r_class < 0.005 + 0.50 * power(u.near, 1.5) THEN 'strict_control'
            WHEN u.r_class < 0.005 + 0.50 * power(u.near, 1.5) + 0.08 + 0.74 * u.near THEN 'safe_use'
            ELSE 'priority_protection' END AS class,
       CASE WHEN u.paddy THEN (CASE WHEN u.r_land < 0.80 THEN '0101' WHEN u.r_land < 0.87 THEN '0102' ELSE '0103' END)
            ELSE (CASE WHEN u.r_land < 0.60 THEN '0103' WHEN u.r_land < 0.66 THEN '0102' ELSE '0101' END) END AS land_type,
       u.seq0 + row_number() OVER (PARTITION BY u.b ORDER BY u.j, u.i) AS seq
FROM g_unit u;

-- The cities' classification documents: the initial one (k = 0) and later dynamic adjustments.
CREATE TEMP TABLE g_doc (city text, k int, doc text, day date);
INSERT INTO g_doc VALUES
    ('柳州市', 0, '柳农发〔2021〕47号', '2021-09-14'), ('柳州市', 1, '柳环发〔2022〕15号', '2022-05-18'),
    ('柳州市', 2, '柳农发〔2022〕88号', '2022-11-07'), ('柳州市', 3, '柳环发〔2023〕22号', '2023-07-21'),
    ('柳州市', 4, '柳农函〔2024〕19号', '2024-04-16'),
    ('桂林市', 0, '桂市农发〔2021〕62号', '2021-10-11'), ('桂林市', 1, '桂环函〔2022〕908号', '2022-06-02'),
    ('桂林市', 2, '桂环函〔2023〕41号', '2023-01-19'), ('桂林市', 3, '桂市农发〔2023〕35号', '2023-09-05'),
    ('桂林市', 4, '桂市农函〔2024〕11号', '2024-05-28');

CREATE TEMP TABLE g_unit3 AS
SELECT u.*, ST_Area(u.geom::geography) AS area_m2,
       format('%s-GD-%s', u.county, lpad(u.seq::text, 7, '0')) AS unit_code,
       -- measures and crops as in the demo data; about 5 % of the polluted units fail them
       CASE WHEN u.class = 'priority_protection' THEN u.r_measures < 0.99
            WHEN u.class = 'safe_use' THEN u.r_measures >= 0.03
            ELSE u.r_measures >= 0.10 END AS measures_in_place,
       CASE WHEN u.class = 'priority_protection' THEN (CASE WHEN u.r_crops < 0.14 THEN true END)
            WHEN u.class = 'safe_use' THEN (CASE WHEN u.r_crops < 0.03 THEN false WHEN u.r_crops < 0.84 THEN true END)
            ELSE (CASE WHEN u.r_crops < 0.25 THEN false WHEN u.r_crops < 0.40 THEN true END) END AS crops_compliant,
       -- units with an earlier version take a later document; the others mostly the initial one
       CASE WHEN u.r_hist < (SELECT history FROM g_param) THEN 1 + floor(u.r_doc * 4)::int
            WHEN u.class = 'priority_protection' THEN (CASE WHEN u.r_doc < 0.78 THEN 0 ELSE 1 + floor((u.r_doc - 0.78) / 0.22 * 4)::int END)
            ELSE (CASE WHEN u.r_doc < 0.45 THEN 0 ELSE 1 + floor((u.r_doc - 0.45) / 0.55 * 4)::int END) END AS doc_k
FROM g_unit2 u;

INSERT INTO g_time (phase) VALUES ('geometry');

-- Current rows, in code order (as an import by county would write them).
INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, crops_compliant,
                                    basis_doc, geom, area_m2, valid_from, recorded_at, recorded_by, change)
SELECT u.unit_code, u.county, u.class, u.land_type, u.measures_in_place, u.crops_compliant,
       d.doc, u.geom, u.area_m2, d.day, d.day + time '10:00', 'bench-gen', 'import'
FROM g_unit3 u JOIN g_doc d ON d.city = u.city AND d.k = least(u.doc_k, 4)
ORDER BY u.county, u.seq;

-- Earlier versions: the initial classification, ended by a dynamic adjustment on the current valid_from.
INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, crops_compliant,
                                    basis_doc, geom, area_m2, valid_from, valid_to, recorded_at, recorded_by, change,
                                    ended_by, ended_change)
SELECT u.unit_code, u.county,
       CASE WHEN u.class = 'priority_protection' THEN 'safe_use' ELSE 'priority_protection' END,
       u.land_type, true, NULL, d0.doc, u.geom, u.area_m2, d0.day, d.day,
       d0.day + time '10:00', 'bench-gen', 'import', 'bench-gen', 'replace'
FROM g_unit3 u
JOIN g_doc d ON d.city = u.city AND d.k = least(u.doc_k, 4)
JOIN g_doc d0 ON d0.city = u.city AND d0.k = 0
WHERE u.r_hist < (SELECT history FROM g_param) AND u.doc_k >= 1
ORDER BY u.county, u.seq;

-- Same-day corrections (1 %): a version recorded with a wrong measures flag, superseded a month later.
INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, crops_compliant,
                                    basis_doc, geom, area_m2, valid_from, recorded_at, recorded_by, superseded_at,
                                    change, ended_by, ended_change)
SELECT u.unit_code, u.county, u.class, u.land_type, NOT u.measures_in_place, u.crops_compliant, d.doc, u.geom,
       u.area_m2, d.day, d.day + time '09:00', 'bench-gen', d.day + interval '30 days',
       'import', 'bench-gen', 'patch'
FROM g_unit3 u JOIN g_doc d ON d.city = u.city AND d.k = least(u.doc_k, 4)
WHERE pg_temp.h(pg_temp.k(u.b, u.i, u.j, 37)) < 0.01
ORDER BY u.county, u.seq;

INSERT INTO g_time (phase) VALUES ('rows');

INSERT INTO landguard_meta (key, value)
SELECT 'bench_gen_part_' || :part, json_build_object('units', (SELECT count(*) FROM g_cell),
           'seconds', (SELECT json_object_agg(phase, round(extract(epoch FROM at - lag)::numeric, 2))
                       FROM (SELECT phase, at, lag(at) OVER (ORDER BY at) AS lag FROM g_time) t
                       WHERE lag IS NOT NULL))::text;
COMMIT;
