#!/usr/bin/env bash
# Synthetic farmland units and construction parcels at any size, written by PostGIS itself (bench/gen.sql):
# perturbed-lattice fields that share their edges exactly, in the counties of Liuzhou and Guilin, the real
# class mix with clustered hotspots, parcels in every lifecycle state with one version row per step.
# Deterministic in the seed. Not run by the tests.
#
#   bash bench/gen.sh --db landguard_bench_100k --units 100000            # create, migrate, generate
#   bash bench/gen.sh --db NAME --units 1000000 --parcels 5000 --seed 7 --gpkg /tmp/out
#
# Options: --db NAME (a database on the cluster of DATABASE_URL or scripts/pg.sh; created if missing and
# migrated with `landguard migrate`), --units N (100000), --parcels N (units/200, at least 50), --seed N
# (20261122), --cell METRES (nominal field size, 50; fields shrink when the counties cannot hold the
# layer), --history SHARE (0.08: units with an earlier version), --recreate (drop the database first),
# --gpkg DIR (also write DIR/farmland_units.gpkg and DIR/construction_parcels.gpkg with `landguard
# export`: the current rows, as the importer reads them), --counties FILE (the county outlines the layer
# fills, default fixtures/counties.geojson; bench/report.sh passes Liuzhou's alone).
# Refuses to generate into a database that already holds generated data (landguard_meta 'bench_gen').
# Prints the timings (seconds) as `gen_seconds=... index_seconds=...` on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=landguard_bench_100k UNITS=100000 PARCELS= SEED=20261122 CELL=0 HISTORY=0.08 RECREATE=0 GPKG=
COUNTIES=fixtures/counties.geojson
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DB=$2; shift 2 ;;
        --units) UNITS=$2; shift 2 ;;
        --parcels) PARCELS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --cell) CELL=$2; shift 2 ;;
        --history) HISTORY=$2; shift 2 ;;
        --recreate) RECREATE=1; shift ;;
        --gpkg) GPKG=$2; shift 2 ;;
        --counties) COUNTIES=$2; shift 2 ;;
        -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "gen.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$PARCELS" ] || PARCELS=$(( UNITS / 200 > 50 ? UNITS / 200 : 50 ))
case "$DB" in landguard) echo "gen.sh: refusing to write into the database 'landguard'" >&2; exit 2 ;; esac

say() { echo ">> $*" >&2; }
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
ADMIN_URL="${BASE_URL%/*}/postgres"
DB_URL="${BASE_URL%/*}/$DB"
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi

if [ "$RECREATE" = 1 ]; then
    say "dropping database $DB"
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
fi
if ! psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    say "creating database $DB"
    psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
fi
psql "$ADMIN_URL" -qc "ALTER DATABASE $DB SET jit = off"
DATABASE_URL="$DB_URL" "$LANDGUARD_BIN" migrate >&2
if [ -n "$(psql "$DB_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'")" ]; then
    echo "gen.sh: $DB already holds generated data ($(psql "$DB_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'")); use --recreate" >&2
    exit 1
fi

say "generating $UNITS farmland units and $PARCELS parcels (seed $SEED) into $DB"
t0=$(date +%s.%N)
psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -v units="$UNITS" -v parcels="$PARCELS" -v seed="$SEED" \
    -v cell="$CELL" -v history="$HISTORY" -v counties="$(cat "$COUNTIES")" -f bench/gen.sql
t1=$(date +%s.%N)
GEN=$(echo "$t1 - $t0" | bc)
psql "$DB_URL" -X -At -F ' ' <<'SQL' >&2
SELECT 'farmland rows', count(*), 'current', count(*) FILTER (WHERE valid_to IS NULL AND superseded_at IS NULL),
       'invalid', count(*) FILTER (WHERE NOT ST_IsValid(geom)) FROM farmland_unit_versions;
SELECT 'classes', string_agg(class || '=' || round(100.0 * n / total, 1) || '%', ' ' ORDER BY class)
FROM (SELECT class, count(*) AS n, sum(count(*)) OVER () AS total FROM farmland_unit_versions
      WHERE valid_to IS NULL AND superseded_at IS NULL GROUP BY class) s;
SELECT 'parcel rows', count(*), 'current', count(*) FILTER (WHERE valid_to IS NULL AND superseded_at IS NULL) FROM construction_parcel_versions;
SELECT 'states', string_agg(state || '=' || n, ' ' ORDER BY state)
FROM (SELECT state, count(*) AS n FROM construction_parcel_versions WHERE valid_to IS NULL AND superseded_at IS NULL GROUP BY state) s;
SELECT 'database size', pg_size_pretty(pg_database_size(current_database()));
SELECT 'generator', value FROM landguard_meta WHERE key = 'bench_gen';
SQL
if [ -n "$GPKG" ]; then
    mkdir -p "$GPKG"
    for c in farmland_units construction_parcels; do
        rm -f "$GPKG/$c.gpkg"
        say "exporting $c to $GPKG/$c.gpkg"
        DATABASE_URL="$DB_URL" "$LANDGUARD_BIN" export "$c" "$GPKG/$c.gpkg" >&2
    done
fi
echo "gen_seconds=$GEN"
