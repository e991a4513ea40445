-- Query polygons for the check benchmarks (bench/checks.sh, bench/scale.sh): project sites of 0.4-7 ha,
-- star-shaped 6-10-gons, deterministic (hashes of fixed keys), written to the table bench_check_queries.
--   half centred on a farmland unit (they overlap several units: the usual question), a quarter on a
--   construction parcel (they overlap it and perhaps its neighbours), a quarter on a point of the county
--   extents away from both (mostly unregistered land: the cheapest answer), inside a county outline (table
--   counties: bench/checks.sh loads fixtures/counties.geojson).
-- psql variable: n (number of polygons, 1000).
\set ON_ERROR_STOP 1
DROP TABLE IF EXISTS bench_check_queries;
CREATE TABLE bench_check_queries (id int PRIMARY KEY, kind text NOT NULL, geojson text NOT NULL);

CREATE FUNCTION pg_temp.hq(k bigint) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  'SELECT ((hashint8extended(k, 4242) >> 11) & 9007199254740991)::float8 / 9007199254740992.0';

WITH units AS (
    SELECT ST_PointOnSurface(geom) AS c, 'farmland' AS kind
    FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
    ORDER BY hashint8extended(version_id, 1) LIMIT :n / 2
),
parcels AS (
    SELECT ST_PointOnSurface(geom) AS c, 'parcel' AS kind
    FROM construction_parcel_versions v,
         generate_series(1, ceil((:n / 4.0) / greatest(1, (SELECT count(*) FROM construction_parcel_versions
                                                               WHERE valid_to IS NULL AND superseded_at IS NULL)))::int) AS rep
    WHERE valid_to IS NULL AND superseded_at IS NULL
    ORDER BY hashint8extended(version_id * 16 + rep, 2) LIMIT :n / 4
),
box AS (SELECT ST_Extent(geom) AS b FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL),
elsewhere AS (
    -- points of the box inside a county outline: checks outside every county are refused (422), not answered
    SELECT c, kind FROM (
        SELECT ST_SetSRID(ST_MakePoint(ST_XMin(b) + pg_temp.hq(k * 2) * (ST_XMax(b) - ST_XMin(b)),
                                       ST_YMin(b) + pg_temp.hq(k * 2 + 1) * (ST_YMax(b) - ST_YMin(b))), 4490) AS c,
               'elsewhere' AS kind, k
        FROM box, generate_series(1, 8 * (:n - :n / 2 - :n / 4)) AS k
    ) p
    WHERE EXISTS (SELECT 1 FROM counties co WHERE ST_Intersects(co.geom, p.c))
    ORDER BY k LIMIT :n - :n / 2 - :n / 4
),
centres AS (
    SELECT row_number() OVER () AS id, c, kind FROM (
        SELECT * FROM units UNION ALL SELECT * FROM parcels UNION ALL SELECT * FROM elsewhere
    ) s
)
INSERT INTO bench_check_queries (id, kind, geojson)
SELECT ce.id, ce.kind, ST_AsGeoJSON(ST_MakePolygon(ST_MakeLine(pts || pts[1])), 7)
FROM centres ce
CROSS JOIN LATERAL (SELECT 6 + floor(pg_temp.hq(ce.id * 100) * 5)::int AS nv,
                           35 + 115 * pg_temp.hq(ce.id * 100 + 1) AS r) AS s
CROSS JOIN LATERAL (
    SELECT array_agg(ST_MakePoint(
               ST_X(ce.c) + s.r * (0.7 + 0.3 * pg_temp.hq(ce.id * 100 + 10 + t)) * cos(a) / (111320 * cos(radians(ST_Y(ce.c)))),
               ST_Y(ce.c) + s.r * (0.7 + 0.3 * pg_temp.hq(ce.id * 100 + 10 + t)) * sin(a) / 110574) ORDER BY t) AS pts
    FROM generate_series(0, s.nv - 1) AS t,
         LATERAL (SELECT 2 * pi() * (t + 0.6 * (pg_temp.hq(ce.id * 100 + 40 + t) - 0.5)) / s.nv AS a) AS ang
) AS ring;
ANALYZE bench_check_queries;
