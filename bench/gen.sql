-- Synthetic registry layers at any size, generated inside PostGIS (bench/gen.sh runs this; see there).
--
-- psql variables: units (farmland units), parcels (construction parcels), seed, cell (nominal field size
-- in metres, 0 = 50), history (share of units with an earlier version), counties (GeoJSON text of the
-- county outlines, fixtures/counties.geojson).
--
-- The layout, all deterministic in the seed (hashint8extended of integer keys; no random()):
--   * a super-grid of square cells (34 field sizes wide) over the counties of Liuzhou (4502xx) and Guilin
--     (4503xx); each grid cell whose centre is in a county may hold one farming "valley": a perturbed
--     lattice of C x R fields (C 14-24, R 5-11), rotated, bent along a sine and warped so that column widths
--     and row heights vary; valleys are taken in a seeded hash order until there are enough fields, so a
--     small layer is scattered over both cities and a big one fills them. When the counties cannot hold
--     the layer at the nominal field size, fields shrink (a 10^7 layer has ~16 m fields).
--   * lattice nodes are jittered (up to 18 % of a field) and each shared edge gets 2 intermediate points
--     offset across it (up to 7 % of its length); a node or an edge is computed ONCE and both neighbours
--     use it, so neighbouring units share their edge vertices exactly (a topologically clean partition).
--     6 % of fields are left out (villages, ponds). Rings have 13 vertices.
--   * half of the valleys have a polluting site (mine, smelter) beside them, 100-250 m beyond their outer
--     fields; the chance of a field being safe_use or strict_control falls off with its distance from the
--     site, which gives clustered hotspots and an overall mix near 75 / 20 / 5 % (priority_protection /
--     safe_use / strict_control). Land type follows the valley (paddy-dominated or upland-dominated).
--   * construction parcels: one at each polluting site (as many as there are, up to a third of them),
--     the rest four to an industrial zone at super-grid corners (never on farmland); each parcel walks the
--     lifecycle from `suspected` to a final state drawn from the demo mix, one version row per step with
--     the issuing document, so every state is present and current rows are the final states.
--   * version rows follow migrations/: current rows have valid_to IS NULL AND superseded_at IS NULL; `history`
--     of the units also have an earlier version (a dynamic class adjustment, valid_to = the new valid_from)
--     and 1 % a superseded same-day correction; area_m2 is geodesic (ST_Area(geom::geography)).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET jit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';

BEGIN;
CREATE TEMP TABLE g_time (phase text, at timestamptz DEFAULT clock_timestamp());
INSERT INTO g_time (phase) VALUES ('start');

-- A uniform number in [0, 1) from an integer key, fixed by the seed.
SELECT format($f$CREATE FUNCTION pg_temp.h(k bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT ((hashint8extended(k, %s) >> 11) & 9007199254740991)::float8 / 9007199254740992.0'$f$, :seed::bigint) \gexec
-- Keys: ((block * 1024 + i) * 1024 + j) * 64 + salt.
CREATE FUNCTION pg_temp.k(b bigint, i int, j int, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT ((b * 1024 + i) * 1024 + j) * 64 + salt';

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

-- Enough valleys for the layer (and their fields counted exactly below; spares are dropped).
CREATE TEMP TABLE g_cell AS
WITH bl AS MATERIALIZED (
    SELECT b, nc, nr FROM g_block WHERE b <= (SELECT ceil(n / 143.0 * 1.08)::int + 3 FROM g_param)
)
SELECT bl.b, i, j
FROM bl, LATERAL generate_series(0, bl.nc - 1) AS i, LATERAL generate_series(0, bl.nr - 1) AS j
WHERE pg_temp.h(pg_temp.k(bl.b, i, j, 30)) >= 0.06;     -- 6 % of fields are not farmland
DO $$
BEGIN
    IF (SELECT count(*) FROM g_cell) < (SELECT n FROM g_param) THEN
        RAISE EXCEPTION 'not enough fields: % < %', (SELECT count(*) FROM g_cell), (SELECT n FROM g_param);
    END IF;
END $$;
-- Keep exactly n fields: whole valleys in rank order, the last one cut short.
DELETE FROM g_cell c USING (
    SELECT b, i, j, row_number() OVER (ORDER BY b, j, i) AS rn FROM g_cell
) r, g_param p
WHERE c.b = r.b AND c.i = r.i AND c.j = r.j AND r.rn > p.n;
DELETE FROM g_block WHERE b > (SELECT max(b) FROM g_cell) + (SELECT ceil(np / 4.0) FROM g_param);
ANALYZE g_cell;
ANALYZE g_block;

-- Valley coordinates (u along, v across, metres) to lon/lat: bend along a sine, rotate, then a local
-- tangent plane. Called with plain columns only, so that the planner inlines it.
CREATE FUNCTION pg_temp.ll(u float8, v float8, lon0 float8, lat0 float8, mlon float8, mlat float8, ct float8,
                           st float8, amp float8, kw float8, phi float8) RETURNS geometry LANGUAGE sql IMMUTABLE AS
  'SELECT ST_MakePoint(lon0 + (u * ct - (v + amp * sin(kw * u + phi)) * st) / mlon,
                       lat0 + (u * st + (v + amp * sin(kw * u + phi)) * ct) / mlat)';
-- The same for the rotation etc. of one valley, as columns.
CREATE TEMP TABLE g_frame AS
SELECT b, lon0, lat0, mlon, mlat, cos(theta) AS ct, sin(theta) AS st, amp_rel * nc * cw AS amp,
       2 * pi() / (wave_rel * nc * cw) AS kw, phi
FROM g_block WHERE b IN (SELECT DISTINCT b FROM g_cell);
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

-- Polluting sites beside half of the valleys, in valley metres.
CREATE TEMP TABLE g_hot AS
SELECT bl.b,
       (bl.hot_u - 0.5) * 0.5 * bl.nc * bl.cw AS hu,
       bl.hot_side * ((bl.nr / 2.0 + 0.6) * bl.chh + bl.hot_dist_c * p.c) AS hv,
       0.4 * bl.nc * bl.cw AS decay
FROM g_block bl, g_param p
WHERE bl.hot AND bl.b IN (SELECT DISTINCT b FROM g_cell);

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
       bl.paddy
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
       row_number() OVER (PARTITION BY u.county ORDER BY u.b, u.j, u.i) AS seq
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

-- The secondary indexes of the two tables (whatever the migrations made them) are dropped for the load and
-- built again at the end: a sorted GiST build is several times faster than a million index insertions.
CREATE TEMP TABLE g_index AS
SELECT i.indexname, i.indexdef FROM pg_indexes i
JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
WHERE i.schemaname = 'public' AND i.tablename IN ('farmland_unit_versions', 'construction_parcel_versions')
  AND NOT x.indisprimary;
SELECT format('DROP INDEX %I', indexname) FROM g_index \gexec

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

-- ---------------------------------------------------------------------------------------------------------
-- Construction parcels
-- ---------------------------------------------------------------------------------------------------------

-- Sites: one beside each polluting valley (up to a third of the parcels), then four to an industrial zone
-- at the top-right corner of a super-grid cell (at least 0.52 of a step from any valley: never on farmland).
CREATE TEMP TABLE g_site AS
WITH hot AS (
    SELECT row_number() OVER (ORDER BY h.b) AS n, h.b, bl.county, bl.city, 'hot' AS kind,
           -- the parcel's centre lies one radius further out than the site, so its edge is 2-5 fields away
           h.hu AS u, h.hv + bl.hot_side * (1.2 + 0.8 * pg_temp.h(pg_temp.k(h.b, 0, 0, 40))) * p.c AS v,
           (1.2 + 0.8 * pg_temp.h(pg_temp.k(h.b, 0, 0, 40))) * p.c AS radius, 0 AS slot
    FROM g_hot h JOIN g_block bl ON bl.b = h.b, g_param p
),
hot_kept AS (SELECT * FROM hot WHERE n <= (SELECT round(np / 3.0) FROM g_param)),
zone AS (
    SELECT bl.b, bl.county, bl.city, 'zone' AS kind, s.slot,
           -- zone slots 0.13 step wide around the corner, in valley metres of an unrotated frame
           (0.5 + ((s.slot % 2) - 0.5) * 0.13) * p.step AS x,
           (0.5 + ((s.slot / 2) - 0.5) * 0.13) * p.step AS y,
           0.35 * 0.13 * p.step * (0.8 + 0.2 * pg_temp.h(pg_temp.k(bl.b, s.slot, 0, 41))) AS radius
    FROM g_block bl, g_param p, generate_series(0, 3) AS s(slot)
)
SELECT row_number() OVER (ORDER BY kind, b, slot) AS pid, *
FROM (
    SELECT k.b, k.county, k.city, k.kind, k.slot, k.radius,
           pg_temp.ll(k.u, k.v, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi) AS centre
    FROM hot_kept k JOIN g_frame f ON f.b = k.b
    UNION ALL
    SELECT z.b, z.county, z.city, z.kind, z.slot, z.radius,
           ST_MakePoint(bl.lon0 + z.x / bl.mlon, bl.lat0 + z.y / bl.mlat)
    FROM zone z JOIN g_block bl ON bl.b = z.b
    WHERE (z.b - 1) * 4 + z.slot < (SELECT np FROM g_param) - (SELECT count(*) FROM hot_kept)
) s;

-- Shape: a star-shaped polygon of 6-9 vertices (simple by construction), in local metres around the centre.
CREATE TEMP TABLE g_parcel AS
SELECT s.*,
       ST_Multi(ST_MakePolygon(ST_MakeLine(pts || pts[1]))) AS geom,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 50)) AS r_state,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 51)) AS r_var,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 52)) AS r_key,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 53)) AS r_pri,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 54)) AS r_use,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 55)) AS r_ind,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 56)) AS r_name,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 57)) AS r_start,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 58)) AS r_rclass
FROM g_site s
CROSS JOIN LATERAL (SELECT 6 + floor(pg_temp.h(pg_temp.k(s.pid, 0, 0, 59)) * 4)::int AS nv) AS n
CROSS JOIN LATERAL (
    SELECT array_agg(ST_MakePoint(
               ST_X(s.centre) + s.radius * (0.75 + 0.25 * pg_temp.h(pg_temp.k(s.pid, t, 0, 61))) * cos(a)
                   / (111320 * cos(radians(ST_Y(s.centre)))),
               ST_Y(s.centre) + s.radius * (0.75 + 0.25 * pg_temp.h(pg_temp.k(s.pid, t, 0, 61))) * sin(a) / 110574)
           ORDER BY t) AS pts
    FROM generate_series(0, n.nv - 1) AS t,
         LATERAL (SELECT 2 * pi() * (t + 0.6 * (pg_temp.h(pg_temp.k(s.pid, t, 0, 60)) - 0.5)) / n.nv
                         + pg_temp.h(pg_temp.k(s.pid, 0, 0, 62)) * pi() AS a) AS ang
) AS ring;

-- Final states in the demo mix (per 120: 13 suspected, 10 surveying, 23 cleared, 8 risk_assessment,
-- 7 listed, 14 under_control, 13 under_remediation, 10 effect_evaluation, 9 delisted, 13 post_management);
-- key-unit land (enterprises still producing) only gets as far as a survey result.
CREATE TEMP TABLE g_parcel2 AS
WITH w(state, lo, hi) AS (VALUES
    ('suspected', 0, 13), ('surveying', 13, 23), ('cleared', 23, 46), ('risk_assessment', 46, 54),
    ('listed', 54, 61), ('under_control', 61, 75), ('under_remediation', 75, 88),
    ('effect_evaluation', 88, 98), ('delisted', 98, 107), ('post_management', 107, 120))
SELECT p.*, p.r_key < 0.08 AND p.kind = 'zone' AS key_unit_land,
       CASE WHEN p.r_key < 0.08 AND p.kind = 'zone' THEN (ARRAY['suspected', 'surveying', 'cleared'])[1 + floor(p.r_state * 3)::int]
            ELSE w.state END AS final
FROM g_parcel p JOIN w ON p.r_state * 120 >= w.lo AND p.r_state * 120 < w.hi;

CREATE TEMP TABLE g_path AS
SELECT p.pid,
       CASE p.final
           WHEN 'suspected' THEN ARRAY['suspected']
           WHEN 'surveying' THEN ARRAY['suspected', 'surveying']
           WHEN 'cleared' THEN CASE WHEN p.r_var < 0.4 THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'cleared']
                                    ELSE ARRAY['suspected', 'surveying', 'cleared'] END
           WHEN 'risk_assessment' THEN ARRAY['suspected', 'surveying', 'risk_assessment']
           WHEN 'listed' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed']
           WHEN 'under_control' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed', 'under_control']
           WHEN 'under_remediation' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed', 'under_remediation']
           ELSE (ARRAY['suspected', 'surveying', 'risk_assessment', 'listed']
                 || CASE WHEN p.r_var < 0.35 THEN ARRAY['under_control', 'effect_evaluation']
                         WHEN p.r_var < 0.43 THEN ARRAY['under_remediation', 'effect_evaluation', 'under_remediation', 'effect_evaluation']
                         ELSE ARRAY['under_remediation', 'effect_evaluation'] END
                 || CASE p.final WHEN 'delisted' THEN ARRAY['delisted']
                                 WHEN 'post_management' THEN ARRAY['delisted', 'post_management']
                                 ELSE ARRAY[]::text[] END)
       END AS path
FROM g_parcel2 p;

-- Steps: registration between 2018-03 and 2022-11, 40-340 days a step, squeezed to end by 2025-10-31.
CREATE TEMP TABLE g_step AS
WITH s AS (
    SELECT p.pid, k, cardinality(t.path) AS len, t.path[k] AS state, t.path[k - 1] AS from_state,
           DATE '2018-03-01' + floor(p.r_start * 1700)::int AS start,
           CASE WHEN k = 1 THEN 0 ELSE 40 + floor(pg_temp.h(pg_temp.k(p.pid, k, 0, 70)) * 300)::int END AS gap
    FROM g_parcel2 p JOIN g_path t ON t.pid = p.pid, LATERAL generate_series(1, cardinality(t.path)) AS k
),
c AS (
    SELECT s.*, sum(gap) OVER (PARTITION BY pid) AS total,
           sum(gap) OVER (PARTITION BY pid ORDER BY k) AS upto
    FROM s
)
SELECT c.pid, c.k, c.len, c.state, c.from_state,
       c.start + floor(c.upto * least(1.0, (DATE '2025-10-31' - c.start)::float8 / greatest(c.total, 1)))::int AS day
FROM c;
-- Steps closer than a day after squeezing are spread so that valid_from increases strictly.
UPDATE g_step s SET day = s.day + s.k WHERE true;

CREATE TEMP TABLE g_names (k int, brand text);
INSERT INTO g_names SELECT row_number() OVER () - 1, b FROM unnest(ARRAY[
    '鑫华', '永固', '宏桂', '红星', '金江', '龙腾', '盛达', '华力', '联丰', '东成', '恒昌', '裕隆', '汇通', '新柳', '南方',
    '兴达', '长青', '荣昌', '嘉禾', '瑞丰', '德兴', '光明', '立新', '前进', '友谊', '红旗', '胜利', '万通', '宏源', '富民',
    '国泰', '远东', '金源', '辉煌', '众力', '建华', '顺发', '利民', '华南', '桂中', '鸿运', '振兴']) AS b;
CREATE TEMP TABLE g_industry (k int, industry text, suffix text);
INSERT INTO g_industry VALUES
    (0, '化工', '化工厂'), (1, '冶炼', '冶炼厂'), (2, '电镀', '电镀厂'), (3, '焦化', '焦化厂'), (4, '制药', '制药厂'),
    (5, '铅蓄电池', '蓄电池厂'), (6, '农药', '农药厂'), (7, '机械制造（铸造）', '铸造厂'), (8, '皮革鞣制', '皮革厂'),
    (9, '印染', '印染厂'), (10, '造纸', '造纸厂'), (11, '有色金属采选', '选矿厂'), (12, '危险废物处置', '废旧物资回收站'),
    (13, '石油化工（储运）', '油库');

-- Parcel attributes; codes per city and registration year, in order of registration.
CREATE TEMP TABLE g_parcel3 AS
SELECT p.*, c.name AS county_name, st.day AS registered,
       format('%s-%s-%s', CASE WHEN p.city = '柳州市' THEN 'LZ' ELSE 'GL' END, extract(year FROM st.day),
              lpad((row_number() OVER (PARTITION BY p.city, extract(year FROM st.day) ORDER BY st.day, p.pid))::text, 5, '0')) AS parcel_code,
       CASE WHEN p.kind = 'hot' THEN (ARRAY[1, 11, 1, 11, 5])[1 + floor(p.r_ind * 5)::int]
            ELSE floor(p.r_ind * 14)::int END AS ind_k,
       p.kind = 'hot' OR p.r_pri < 0.45 AS priority_supervision
FROM g_parcel2 p
JOIN g_county c ON c.code = p.county
JOIN g_step st ON st.pid = p.pid AND st.k = 1;

INSERT INTO construction_parcel_versions
    (parcel_code, county_code, name, state, priority_supervision, key_unit_land, current_use, use_code_system,
     remediated_for_class, former_industry, geom, area_m2, valid_from, valid_to, recorded_at, recorded_by, change,
     from_state, document, note, ended_by, ended_change)
SELECT p.parcel_code, p.county,
       CASE WHEN p.key_unit_land THEN format('%s%s%s厂区地块', p.county_name, n.brand, i.suffix)
            ELSE format('原%s%s%s地块', p.county_name, n.brand, i.suffix) END,
       st.state, p.priority_supervision, p.key_unit_land,
       CASE WHEN p.key_unit_land THEN (CASE WHEN p.r_use < 0.5 THEN '100102' ELSE '100103' END)
            WHEN p.r_use < 0.32 THEN '100102' WHEN p.r_use < 0.54 THEN '100103' WHEN p.r_use < 0.70 THEN '1001'
            WHEN p.r_use < 0.82 THEN '100101' WHEN p.r_use < 0.94 THEN '1101' ELSE '2301' END,
       'ydyh2023',
       CASE WHEN p.final IN ('delisted', 'post_management') THEN (CASE WHEN p.r_rclass < 0.3 THEN 2 ELSE 1 END) END,
       i.industry, p.geom, ST_Area(p.geom::geography), st.day, nx.day, st.day + time '15:00', 'bench-gen',
       CASE WHEN st.k = 1 THEN 'create' ELSE 'transition' END,
       st.from_state,
       CASE WHEN st.k > 1 THEN format('%s〔%s〕%s号',
           CASE WHEN st.state IN ('listed', 'delisted') THEN '桂环函'
                WHEN p.city = '柳州市' THEN (CASE WHEN st.state IN ('cleared', 'risk_assessment', 'under_control', 'under_remediation') THEN '柳环审' ELSE '柳环函' END)
                ELSE (CASE WHEN st.state IN ('cleared', 'risk_assessment', 'under_control', 'under_remediation') THEN '桂市环审' ELSE '桂市环函' END) END,
           extract(year FROM st.day), 1 + (p.pid * 7 + st.k * 13) % 97) END,
       CASE st.state
           WHEN 'surveying' THEN '启动土壤污染状况调查'
           WHEN 'cleared' THEN '土壤污染状况调查报告通过评审，不属于污染地块'
           WHEN 'risk_assessment' THEN '调查发现部分点位超过筛选值，开展风险评估'
           WHEN 'listed' THEN '列入建设用地土壤污染风险管控和修复名录'
           WHEN 'under_control' THEN '风险管控方案备案，实施风险管控'
           WHEN 'under_remediation' THEN '修复方案通过评审，修复工程开工'
           WHEN 'effect_evaluation' THEN '工程完工，启动效果评估'
           WHEN 'delisted' THEN '效果评估达标，移出名录'
           WHEN 'post_management' THEN '后期管理计划备案，开展长期监测'
       END,
       CASE WHEN nx.pid IS NOT NULL THEN 'bench-gen' END,
       CASE WHEN nx.pid IS NOT NULL THEN 'transition' END
FROM g_parcel3 p
JOIN g_step st ON st.pid = p.pid
LEFT JOIN g_step nx ON nx.pid = st.pid AND nx.k = st.k + 1
JOIN g_names n ON n.k = floor(p.r_name * 42)::int
JOIN g_industry i ON i.k = p.ind_k
ORDER BY p.parcel_code, st.k;

INSERT INTO g_time (phase) VALUES ('rows');
SELECT indexdef FROM g_index \gexec
INSERT INTO g_time (phase) VALUES ('indexes');
ANALYZE farmland_unit_versions;
ANALYZE construction_parcel_versions;
INSERT INTO g_time (phase) VALUES ('analyze');

INSERT INTO landguard_meta (key, value)
SELECT 'bench_gen', json_build_object('units', (SELECT n FROM g_param), 'parcels', (SELECT np FROM g_param),
                                      'seed', :seed::bigint, 'field_m', round((SELECT c FROM g_param)::numeric, 2),
                                      'generated_at', now(),
                                      'seconds', (SELECT json_object_agg(phase, round(extract(epoch FROM at - lag)::numeric, 2))
                                                  FROM (SELECT phase, at, lag(at) OVER (ORDER BY at) AS lag FROM g_time) t
                                                  WHERE lag IS NOT NULL))::text
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
COMMIT;
