#!/usr/bin/env bash
# Import of a large GeoPackage: `landguard import` against `ogr2ogr -f PostgreSQL` (PG_USE_COPY=YES), in the
# same run, on the same cluster, from the same file, into equivalent tables; wall time and peak RSS of each
# client from /usr/bin/time -v.
#
#   bash bench/import.sh                 # 200 000 farmland units
#   N=20000 REPEAT=1 bash bench/import.sh  # a quick run
#
# Settings (environment): N (200000 polygons), REPEAT (3 rounds; best and median are reported: on a
# shared machine single runs vary by a factor of two or more), BENCH_DB (landguard_bench_import), LANDGUARD_BIN
# (target/release/landguard, built if missing), BASELINE_BIN (another landguard build, e.g. main's, run in the
# same rounds as runs 1 and 2 against the same file; optional), WORK_DIR (scratch directory, made with mktemp
# under /tmp by default), OUT (bench/results/import-DATE.md). Rounds alternate the order of the runs (odd rounds
# landguard first, even rounds the ogr2ogr runs and the baseline first), so that neither side always gets the
# quieter minute.
#
# The file: bench/import_gen.py writes N irregular polygons (8-24 vertices) over Liuzhou as CSV with WKT;
# ogr2ogr turns it into a GeoPackage in EPSG:4545 (Gauss-Krueger zone 36, metres), so both importers
# reproject every vertex to EPSG:4490.
#
# The runs, each into an empty database of its own (dropped and re-created, migrated):
#   1. landguard import units.gpkg --collection farmland_units: every feature checked as the API checks it
#      (properties, geometry validity, extent, geodesic area), binary COPY into staging, one merge into the
#      versioned table (CHECK ST_IsValid, GiST and b-tree indexes) with one audit row per feature.
#   2. the same command again: all 200 000 unchanged (compared attribute by attribute and by geometry).
#   3. ogr2ogr -append into bench_ogr_farmland_units: the same columns and types, geometry(MultiPolygon,
#      4490) with the same CHECK (ST_IsValid(geom)) and a GiST index, PG_USE_COPY=YES, -t_srs EPSG:4490.
#   4. the same into bench_ogr_registry, a clone of farmland_unit_versions (LIKE ... INCLUDING ALL: every
#      CHECK, both partial GiST indexes, the b-tree indexes); the bookkeeping columns it cannot fill
#      (recorded_at, recorded_by, change, area_m2) are left NULL. The registry's generated columns (the stored
#      zoom-12 tile geometry) become plain columns filled by a BEFORE INSERT trigger with the same
#      expressions: GDAL (3.6) takes a generated column for one with a default and then gives up COPY for
#      one INSERT per row (46 s instead of a few for 50 000 polygons), which would no longer be ogr2ogr
#      with PG_USE_COPY. The registry's trigger that renders each version's GeoJSON (feature_json) is put on
#      the clone as it is.
# ogr2ogr checks nothing itself and writes no history or audit rows; the comparison shows what
# validation, versioning and the audit log cost.
# Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}
REPEAT=${REPEAT:-3}
BENCH_DB=${BENCH_DB:-landguard_bench_import}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
BASELINE_BIN=${BASELINE_BIN:-}
OUT=${OUT:-bench/results/import-$(date -u +%Y%m%dT%H%M%SZ).md}
if [ -n "${WORK_DIR:-}" ]; then
    mkdir -p "$WORK_DIR"
    WORK=$(mktemp -d "$WORK_DIR/run.XXXXXX")
else
    WORK=$(mktemp -d /tmp/landguard-bench-import.XXXXXX)
fi
trap 'rm -rf "$WORK"' EXIT

say() { echo ">> $*" >&2; }

for c in psql ogr2ogr python3; do command -v "$c" >/dev/null || { echo "$c is needed" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release
fi

[ -z "$BASELINE_BIN" ] || [ -x "$BASELINE_BIN" ] || { echo "BASELINE_BIN $BASELINE_BIN is not executable" >&2; exit 1; }

# Migrated by the build under test (a baseline's import runs against the same schema).
fresh_db() {
    psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
    psql -X -q "$BENCH_URL" -c "CREATE EXTENSION IF NOT EXISTS postgis"
    DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate 2>/dev/null
}

# `timed NAME CMD...`: runs CMD under /usr/bin/time -v; prints "seconds peak_rss_mb" on stdout.
timed() {
    local name=$1
    shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        cat "$WORK/$name.err" >&2
        exit 1
    }
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/$name.time" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/$name.time")
    echo "$wall $((rss / 1024))"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "generating $N polygons"
python3 bench/import_gen.py "$N" >"$WORK/units.csv" 2>"$WORK/gen.txt"
echo 'String,String,String,String,Integer(Boolean),Integer(Boolean),Date,String,WKT' >"$WORK/units.csvt"
ogr2ogr -f GPKG "$WORK/units.gpkg" "$WORK/units.csv" -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
    -oo EMPTY_STRING_AS_NULL=YES -s_srs EPSG:4490 -t_srs EPSG:4545 -nln farmland_units -nlt MULTIPOLYGON -lco GEOMETRY_NAME=geom
FILE_MB=$(du -m "$WORK/units.gpkg" | cut -f1)
VERTICES=$(sed -n 's/.* polygons, \([0-9]*\) vertices/\1/p' "$WORK/gen.txt")
PG_CONN="PG:$(python3 - "$BENCH_URL" <<'PY'
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1])
parts = [f"dbname={p.path.lstrip('/')}", f"host={p.hostname or '127.0.0.1'}", f"port={p.port or 5432}", f"user={p.username or 'postgres'}"]
if p.password:
    parts.append(f"password={p.password}")
print(" ".join(parts))
PY
)"

# `landguard_runs TAG BIN`: an import into an empty registry, then the same file again (all unchanged);
# appends "seconds rss_mb" to $WORK/TAG.results and $WORK/TAG-re.results.
landguard_runs() {
    local tag=$1 bin=$2 s rss
    say "round $r/$REPEAT: $tag import (empty registry)"
    fresh_db
    read -r s rss < <(timed "$tag" env DATABASE_URL="$BENCH_URL" "$bin" import "$WORK/units.gpkg" --collection farmland_units)
    echo "$s $rss" >>"$WORK/$tag.results"
    { grep -E '^(summary|time)' "$WORK/$tag.out" | tr '\n' ' '; echo " [load $(cut -d' ' -f1 /proc/loadavg)]"; } >>"$WORK/$tag.summaries"
    echo "$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM farmland_unit_versions") versions, $(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM audit_log") audit rows" >"$WORK/$tag.rows"

    say "round $r/$REPEAT: $tag import again (all unchanged)"
    read -r s rss < <(timed "$tag-re" env DATABASE_URL="$BENCH_URL" "$bin" import "$WORK/units.gpkg" --collection farmland_units)
    echo "$s $rss" >>"$WORK/$tag-re.results"
    { grep -E '^(summary|time)' "$WORK/$tag-re.out" | tr '\n' ' '; echo " [load $(cut -d' ' -f1 /proc/loadavg)]"; } >>"$WORK/$tag-re.summaries"
}

ogr_equivalent() {
    local s rss
    say "round $r/$REPEAT: ogr2ogr -f PostgreSQL (PG_USE_COPY=YES) into an equivalent table"
    fresh_db
    psql -X -q "$BENCH_URL" <<'SQL'
CREATE TABLE bench_ogr_farmland_units (
    ogc_fid           serial PRIMARY KEY,
    unit_code         text NOT NULL,
    county_code       text NOT NULL,
    class             text NOT NULL,
    land_type         text NOT NULL,
    measures_in_place boolean NOT NULL,
    crops_compliant   boolean,
    valid_from        date NOT NULL,
    basis_doc         text,
    geom              geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX bench_ogr_farmland_units_geom ON bench_ogr_farmland_units USING gist (geom);
SQL
    read -r s rss < <(timed ogr env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$PG_CONN" "$WORK/units.gpkg" farmland_units \
        -append -unsetFid -nln bench_ogr_farmland_units -t_srs EPSG:4490 -nlt MULTIPOLYGON --config PG_USE_COPY YES)
    echo "$s $rss" >>"$WORK/ogr.results"
    OGR_ROWS=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM bench_ogr_farmland_units")
}

ogr_registry() {
    local s rss
    say "round $r/$REPEAT: ogr2ogr into a clone of the registry table"
    fresh_db
    psql -X -q -v ON_ERROR_STOP=1 "$BENCH_URL" <<'SQL'
CREATE TABLE bench_ogr_registry (LIKE farmland_unit_versions INCLUDING ALL EXCLUDING GENERATED);
-- ogr2ogr cannot fill these; it also falls back from COPY to one INSERT per row when a column it leaves
-- unset has a default, so they are made nullable without defaults
ALTER TABLE bench_ogr_registry ALTER recorded_at DROP NOT NULL, ALTER recorded_at DROP DEFAULT,
    ALTER recorded_by DROP NOT NULL, ALTER change DROP NOT NULL, ALTER area_m2 DROP NOT NULL;
-- the registry's generated columns, computed by a trigger with the same expressions (see the head of this file)
DO $do$
DECLARE body text;
BEGIN
    SELECT string_agg(format('NEW.%I := %s;', a.attname,
                             regexp_replace(pg_get_expr(d.adbin, d.adrelid), '\mgeom\M', 'NEW.geom', 'g')), E'\n')
      INTO body
      FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = 'farmland_unit_versions'::regclass AND a.attgenerated = 's';
    EXECUTE format('CREATE FUNCTION bench_ogr_generated() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'BEGIN ' || coalesce(body, '') || ' RETURN NEW; END');
    CREATE TRIGGER bench_ogr_generated BEFORE INSERT ON bench_ogr_registry
        FOR EACH ROW EXECUTE FUNCTION bench_ogr_generated();
    -- and each version's GeoJSON rendered on write, by the registry's own trigger function
    -- (migrations/20261206060001_feature_json.sql), where the schema has it
    IF to_regproc('farmland_unit_versions_feature_json') IS NOT NULL THEN
        CREATE TRIGGER bench_ogr_feature_json BEFORE INSERT ON bench_ogr_registry
            FOR EACH ROW EXECUTE FUNCTION farmland_unit_versions_feature_json();
    END IF;
END
$do$;
SQL
    read -r s rss < <(timed ogr2 env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$PG_CONN" "$WORK/units.gpkg" farmland_units \
        -append -unsetFid -nln bench_ogr_registry -t_srs EPSG:4490 -nlt MULTIPOLYGON --config PG_USE_COPY YES)
    echo "$s $rss" >>"$WORK/ogr2.results"
    OGR2_ROWS=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM bench_ogr_registry")
    OGR2_Z12=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM bench_ogr_registry WHERE tile_z12 IS NOT NULL")
}

# One round: every run, each from an empty database; odd rounds landguard first, even rounds last.
round() {
    r=$1
    if [ $((r % 2)) -eq 1 ]; then
        landguard_runs lg "$LANDGUARD_BIN"
        [ -z "$BASELINE_BIN" ] || landguard_runs base "$BASELINE_BIN"
        ogr_equivalent
        ogr_registry
    else
        ogr_registry
        ogr_equivalent
        [ -z "$BASELINE_BIN" ] || landguard_runs base "$BASELINE_BIN"
        landguard_runs lg "$LANDGUARD_BIN"
    fi
}

for r in $(seq 1 "$REPEAT"); do round "$r"; done

# "best median max_rss" of a run's results
stats() {
    sort -n "$WORK/$1.results" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
        END { med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.1f %.1f %d\n", t[1], med, m }'
}
read -r LG_BEST LG_MED LG_RSS < <(stats lg)
read -r RE_BEST RE_MED RE_RSS < <(stats lg-re)
if [ -n "$BASELINE_BIN" ]; then
    read -r BASE_BEST BASE_MED BASE_RSS < <(stats base)
    read -r BRE_BEST BRE_MED BRE_RSS < <(stats base-re)
fi
read -r OGR_BEST OGR_MED OGR_RSS < <(stats ogr)
read -r OGR2_BEST OGR2_MED OGR2_RSS < <(stats ogr2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(nproc)
PGV=$(psql -X -qtA "$BENCH_URL" -c "SELECT split_part(version(), ' ', 2) || ' / PostGIS ' || postgis_lib_version()")
mkdir -p "$(dirname "$OUT")"
{
    echo "# Import benchmark, $(date -u +%Y-%m-%d)"
    echo
    echo "$N polygons ($VERTICES vertices), GeoPackage in EPSG:4545, ${FILE_MB} MB; $CPU CPUs; PostgreSQL $PGV;"
    echo "GDAL $(gdal-config --version 2>/dev/null || ogrinfo --version). $REPEAT rounds, the runs interleaved; load average"
    echo "at the start $LOAD0, at the end $LOAD."
    echo
    echo "| run | best | median | peak RSS (client) | rows |"
    echo "|---|---|---|---|---|"
    echo "| landguard import (empty registry), $LANDGUARD_BIN | ${LG_BEST} s | ${LG_MED} s | ${LG_RSS} MB | $(cat "$WORK/lg.rows") |"
    echo "| landguard import again (all unchanged) | ${RE_BEST} s | ${RE_MED} s | ${RE_RSS} MB | — |"
    if [ -n "$BASELINE_BIN" ]; then
        echo "| baseline import (empty registry), $BASELINE_BIN | ${BASE_BEST} s | ${BASE_MED} s | ${BASE_RSS} MB | $(cat "$WORK/base.rows") |"
        echo "| baseline import again (all unchanged) | ${BRE_BEST} s | ${BRE_MED} s | ${BRE_RSS} MB | — |"
    fi
    echo "| ogr2ogr -f PostgreSQL, PG_USE_COPY=YES, into an equivalent table (columns, CHECK ST_IsValid, GiST) | ${OGR_BEST} s | ${OGR_MED} s | ${OGR_RSS} MB | $OGR_ROWS |"
    echo "| the same into a clone of the registry table (LIKE farmland_unit_versions INCLUDING ALL, generated columns by trigger) | ${OGR2_BEST} s | ${OGR2_MED} s | ${OGR2_RSS} MB | $OGR2_ROWS ($OGR2_Z12 with tile_z12) |"
    echo
    echo "landguard / ogr2ogr, best times: **$(ratio "$LG_BEST" "$OGR_BEST")** (equivalent table),"
    echo "**$(ratio "$LG_BEST" "$OGR2_BEST")** (registry clone); medians: $(ratio "$LG_MED" "$OGR_MED"), $(ratio "$LG_MED" "$OGR2_MED")."
    if [ -n "$BASELINE_BIN" ]; then
        echo "baseline / ogr2ogr, best times: $(ratio "$BASE_BEST" "$OGR_BEST") (equivalent table), $(ratio "$BASE_BEST" "$OGR2_BEST") (registry clone);"
        echo "medians: $(ratio "$BASE_MED" "$OGR_MED"), $(ratio "$BASE_MED" "$OGR2_MED"). landguard / baseline: best $(ratio "$LG_BEST" "$BASE_BEST"), median $(ratio "$LG_MED" "$BASE_MED")."
    fi
    echo
    echo "Every run, in order (seconds, peak RSS MB):"
    echo
    for t in lg lg-re base base-re ogr ogr2; do
        [ -f "$WORK/$t.results" ] && echo "    $t: $(tr '\n' ';' <"$WORK/$t.results")"
    done
    echo
    echo "landguard's own report, per round:"
    echo
    sed 's/^/    /' "$WORK/lg.summaries"
    echo
    echo "again (unchanged):"
    echo
    sed 's/^/    /' "$WORK/lg-re.summaries"
    if [ -n "$BASELINE_BIN" ]; then
        echo
        echo "baseline's own report, per round (empty registry, then again):"
        echo
        sed 's/^/    /' "$WORK/base.summaries"
        sed 's/^/    /' "$WORK/base-re.summaries"
    fi
} | tee "$OUT"
say "written to $OUT"
psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB"
