#!/usr/bin/env bash
# Synthetic farmland units and construction parcels at any size, written by PostGIS itself (bench/gen_*.sql):
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
# fills, default fixtures/counties.geojson; bench/report.sh passes Liuzhou's alone), --parts K (1; the
# layer's valleys split into K ranges of about units/K fields, each made and inserted by a psql run and a
# transaction of its own, with its own temporary tables, so that a large layer's intermediate tables fit the
# disk: bench/gen_plan.sql, then bench/gen_part.sql per part, then bench/gen_end.sql for the parcels, the
# indexes and ANALYZE; the same rows whatever K, except for the order of version_id). Resumable: a part done is recorded in
# landguard_meta and a rerun with the same options skips it. Each step prints its seconds, the database
# size, the free disk, its backend's peak memory (VmHWM) and its temporary files; a step is cancelled when
# the free disk falls under MIN_FREE_GB, 8).
# Refuses to generate into a database that already holds generated data (landguard_meta 'bench_gen').
# Prints the generation's seconds as `gen_seconds=...` on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=landguard_bench_100k UNITS=100000 PARCELS= SEED=20261122 CELL=0 HISTORY=0.08 RECREATE=0 GPKG=
COUNTIES=fixtures/counties.geojson PARTS=1
MIN_FREE_GB=${MIN_FREE_GB:-8}
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
        --parts) PARTS=$2; shift 2 ;;
        -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
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

# One psql run of a generation in parts, watched: its backend's peak memory (VmHWM, which counts the shared
# buffers it touched), the cluster's temporary files, and the free disk, under MIN_FREE_GB of which the
# statement is cancelled.
step() { # name file [psql options]
    local name=$1 file=$2 app="bench-gen-$$-$RANDOM" t0 t1 tb0 tb1 ppid bpid= hwm=0 h avail rc=0
    shift 2
    tb0=$(psql "$DB_URL" -Atc "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
    t0=$(date +%s.%N)
    PGAPPNAME=$app psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -v seed="$SEED" "$@" -f "$file" &
    ppid=$!
    while kill -0 "$ppid" 2>/dev/null; do
        [ -n "$bpid" ] || bpid=$(psql "$DB_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' LIMIT 1")
        if [ -n "$bpid" ]; then
            h=$(awk '/^VmHWM/ {print $2}' "/proc/$bpid/status" 2>/dev/null || true)
            [ -z "$h" ] || hwm=$h
        fi
        avail=$(df -k --output=avail "$PGDATA_DISK" | tail -1)
        if [ "$avail" -lt $(( MIN_FREE_GB * 1024 * 1024 )) ] && [ -n "$bpid" ]; then
            say "$name: free disk $(( avail / 1024 )) MB < $MIN_FREE_GB GB: cancelling"
            psql "$DB_URL" -Atc "SELECT pg_cancel_backend($bpid)" >/dev/null || true
        fi
        sleep 1
    done
    wait "$ppid" || rc=$?
    t1=$(date +%s.%N)
    [ "$rc" = 0 ] || { say "$name failed (psql exit $rc)"; exit 1; }
    # the backend drops the step's temporary tables as it exits, a moment after psql: size after that
    for _ in $(seq 1 100); do
        [ -n "$(psql "$DB_URL" -Atc "SELECT 1 FROM pg_stat_activity WHERE application_name = '$app'")" ] || break
        sleep 0.2
    done
    tb1=$(psql "$DB_URL" -Atc "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
    say "$name: $(echo "$t1 - $t0" | bc) s; database $(psql "$DB_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))");" \
        "free disk $(df -h --output=avail "$PGDATA_DISK" | tail -1 | tr -d ' '); backend peak $( [ "$hwm" -gt 0 ] && echo "$(( hwm / 1024 )) MB (VmHWM)" || echo "not sampled (a short step)");" \
        "temporary files $(( (tb1 - tb0) / 1024 / 1024 )) MB; load $(cut -d' ' -f1-3 /proc/loadavg); at $(date -u +%H:%M:%S)"
}
meta() { psql "$DB_URL" -Atc "SELECT value FROM landguard_meta WHERE key = '$1'"; }

say "generating $UNITS farmland units and $PARCELS parcels (seed $SEED) into $DB"
t0=$(date +%s.%N)
PGDATA_DISK=$(psql "$DB_URL" -Atc "SHOW data_directory" 2>/dev/null || echo /)
[ -d "$PGDATA_DISK" ] || PGDATA_DISK=/
PARAMS="units=$UNITS parcels=$PARCELS seed=$SEED cell=$CELL history=$HISTORY parts=$PARTS counties=$(md5sum < "$COUNTIES" | cut -c1-12)"
plan=$(meta bench_gen_plan)
if [ -z "$plan" ]; then
    step plan bench/gen_plan.sql -v units="$UNITS" -v parcels="$PARCELS" -v cell="$CELL" -v history="$HISTORY" \
        -v counties="$(cat "$COUNTIES")" -v parts="$PARTS" -v params="$PARAMS"
elif [ "$(psql "$DB_URL" -Atc "SELECT value::json->>'params' FROM landguard_meta WHERE key = 'bench_gen_plan'")" != "$PARAMS" ]; then
    echo "gen.sh: $DB holds part of another generation ($plan); use --recreate" >&2
    exit 1
else
    say "plan: done before, resuming"
fi
for p in $(seq 0 $(( PARTS - 1 ))); do
    if [ -n "$(meta "bench_gen_part_$p")" ]; then
        say "part $(( p + 1 ))/$PARTS: done before ($(meta "bench_gen_part_$p"))"
    else
        step "part $(( p + 1 ))/$PARTS" bench/gen_part.sql -v part="$p"
    fi
done
step "parcels, indexes, analyze" bench/gen_end.sql
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
