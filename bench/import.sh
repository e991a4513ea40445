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
# (target/release/landguard, built if missing), OUT (bench/results/import-DATE.md).
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
#      (recorded_at, recorded_by, change, area_m2) are left NULL.
# ogr2ogr checks nothing itself and writes no history or audit rows; the comparison shows what
# validation, versioning and the audit log cost.
# Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}
REPEAT=${REPEAT:-3}
BENCH_DB=${BENCH_DB:-landguard_bench_import}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/import-$(date -u +%Y%m%dT%H%M%SZ).md}
WORK=$(mktemp -d /tmp/landguard-bench-import.XXXXXX)
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

# One round: the four runs, each from an empty database; appends "seconds rss_mb" to $WORK/<run>.results.
round() {
    local r=$1 s rss
    say "round $r/$REPEAT: landguard import (empty registry)"
    fresh_db
    read -r s rss < <(timed lg env DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" import "$WORK/units.gpkg" --collection farmland_units)
    echo "$s $rss" >>"$WORK/lg.results"
    grep -E '^(summary|time)' "$WORK/lg.out" | tr '\n' ' ' >>"$WORK/lg.summaries"
    echo >>"$WORK/lg.summaries"
    LG_ROWS=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM farmland_unit_versions")
    LG_AUDIT=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM audit_log")

    say "round $r/$REPEAT: landguard import again (all unchanged)"
    read -r s rss < <(timed re env DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" import "$WORK/units.gpkg" --collection farmland_units)
    echo "$s $rss" >>"$WORK/re.results"
    grep -E '^(summary|time)' "$WORK/re.out" | tr '\n' ' ' >>"$WORK/re.summaries"
    echo >>"$WORK/re.summaries"

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

    say "round $r/$REPEAT: ogr2ogr into a clone of the registry table"
    fresh_db
    psql -X -q "$BENCH_URL" <<'SQL'
CREATE TABLE bench_ogr_registry (LIKE farmland_unit_versions INCLUDING ALL);
-- ogr2ogr cannot fill these; it also falls back from COPY to one INSERT per row when a column it leaves
-- unset has a default, so they are made nullable without defaults
ALTER TABLE bench_ogr_registry ALTER recorded_at DROP NOT NULL, ALTER recorded_at DROP DEFAULT,
    ALTER recorded_by DROP NOT NULL, ALTER change DROP NOT NULL, ALTER area_m2 DROP NOT NULL;
SQL
    read -r s rss < <(timed ogr2 env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$PG_CONN" "$WORK/units.gpkg" farmland_units \
        -append -unsetFid -nln bench_ogr_registry -t_srs EPSG:4490 -nlt MULTIPOLYGON --config PG_USE_COPY YES)
    echo "$s $rss" >>"$WORK/ogr2.results"
    OGR2_ROWS=$(psql -X -qtA "$BENCH_URL" -c "SELECT count(*) FROM bench_ogr_registry")
}

for r in $(seq 1 "$REPEAT"); do round "$r"; done

# "best median max_rss" of a run's results
stats() {
    sort -n "$WORK/$1.results" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
        END { med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.1f %.1f %d\n", t[1], med, m }'
}
read -r LG_BEST LG_MED LG_RSS < <(stats lg)
read -r RE_BEST RE_MED RE_RSS < <(stats re)
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
    echo "| landguard import (empty registry) | ${LG_BEST} s | ${LG_MED} s | ${LG_RSS} MB | $LG_ROWS versions, $LG_AUDIT audit rows |"
    echo "| landguard import again (all unchanged) | ${RE_BEST} s | ${RE_MED} s | ${RE_RSS} MB | — |"
    echo "| ogr2ogr -f PostgreSQL, PG_USE_COPY=YES, into an equivalent table (columns, CHECK ST_IsValid, GiST) | ${OGR_BEST} s | ${OGR_MED} s | ${OGR_RSS} MB | $OGR_ROWS |"
    echo "| the same into a clone of the registry table (LIKE farmland_unit_versions INCLUDING ALL) | ${OGR2_BEST} s | ${OGR2_MED} s | ${OGR2_RSS} MB | $OGR2_ROWS |"
    echo
    echo "landguard / ogr2ogr, best times: **$(ratio "$LG_BEST" "$OGR_BEST")** (equivalent table),"
    echo "**$(ratio "$LG_BEST" "$OGR2_BEST")** (registry clone); medians: $(ratio "$LG_MED" "$OGR_MED"), $(ratio "$LG_MED" "$OGR2_MED")."
    echo
    echo "landguard's own report, per round:"
    echo
    sed 's/^/    /' "$WORK/lg.summaries"
    echo
    echo "again (unchanged):"
    echo
    sed 's/^/    /' "$WORK/re.summaries"
} | tee "$OUT"
say "written to $OUT"
psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB"
