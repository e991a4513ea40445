-- The start of each psql run of a generation (bench/gen_plan.sql, gen_part.sql, gen_end.sql), inside its
-- transaction: the session's settings, the phase clock and the generator's functions. psql variable: seed.
SET client_min_messages = warning;
SET jit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
CREATE TEMP TABLE g_time (phase text, at timestamptz DEFAULT clock_timestamp());
INSERT INTO g_time (phase) VALUES ('start');

-- A uniform number in [0, 1) from an integer key, fixed by the seed.
SELECT format($f$CREATE FUNCTION pg_temp.h(k bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT ((hashint8extended(k, %s) >> 11) & 9007199254740991)::float8 / 9007199254740992.0'$f$, :seed::bigint) \gexec
-- Keys: ((block * 1024 + i) * 1024 + j) * 64 + salt.
CREATE FUNCTION pg_temp.k(b bigint, i int, j int, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT ((b * 1024 + i) * 1024 + j) * 64 + salt';
-- Valley coordinates (u along, v across, metres) to lon/lat: bend along a sine, rotate, then a local
-- tangent plane. Called with plain columns only, so that the planner inlines it.
CREATE FUNCTION pg_temp.ll(u float8, v float8, lon0 float8, lat0 float8, mlon float8, mlat float8, ct float8,
                           st float8, amp float8, kw float8, phi float8) RETURNS geometry LANGUAGE sql IMMUTABLE AS
  'SELECT ST_MakePoint(lon0 + (u * ct - (v + amp * sin(kw * u + phi)) * st) / mlon,
                       lat0 + (u * st + (v + amp * sin(kw * u + phi)) * ct) / mlat)';
