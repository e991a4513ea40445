#!/usr/bin/env bash
# GET /duties for one city of 10^4 source-control entities (issue 15: "answers within 100 ms"; a bench, not
# a timed test). Loads ENTITIES key units, tailings ponds and pollution sources (4:3:3) with about 2.7
# records each into a bench database (bench/duties_gen.py, seeded), starts the service on it, and times
# REQUESTS requests of /duties?county_code=CITY&as_of=AS_OF by one client, each after the one before, after
# WARMUP unrecorded ones; prints p50, p99 and max, and the size and counts of one answer; then the same for
# /duties.ics. Not run by the tests.
#
#   bash bench/duties.sh
#
# Settings (environment): ENTITIES (10000), CITY (4502), AS_OF (2026-12-05), REQUESTS (200), WARMUP (20),
# BENCH_DB (landguard_bench_duties; reloaded when ENTITIES changes), PORT (18184), LANDGUARD_BIN
# (target/release/landguard, built if missing; a debug binary may be given, and the report says which),
# OUT (bench/results/duties-DATE.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
COMMIT=${COMMIT:-$(git rev-parse --short HEAD)}
ENTITIES=${ENTITIES:-10000}
CITY=${CITY:-4502}
AS_OF=${AS_OF:-2026-12-05}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-20}
BENCH_DB=${BENCH_DB:-landguard_bench_duties}
PORT=${PORT:-18184}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/duties-$(date -u +%Y%m%dT%H%M%SZ).txt}
WORK=$(mktemp -d /tmp/landguard-duties.XXXXXX)
LG_PID=
cleanup() {
    if [ -n "$LG_PID" ]; then kill "$LG_PID" 2>/dev/null || true; wait "$LG_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }

if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

# --- data
loaded=
if psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
    loaded=$(psql "$BENCH_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_duties'" 2>/dev/null || true)
fi
if [ "$loaded" != "$ENTITIES $CITY" ]; then
    say "loading $ENTITIES entities into $BENCH_DB"
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
    psql "$ADMIN_URL" -qc "CREATE DATABASE $BENCH_DB"
    psql "$ADMIN_URL" -qc "ALTER DATABASE $BENCH_DB SET jit = off"
    DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate >&2
    python3 bench/duties_gen.py "$WORK" "$ENTITIES" "$CITY" >&2
    psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 <<SQL
\copy key_supervised_unit_versions (enterprise_code, name, county_code, industry, listed_years, list_doc, buried_facilities, groundwater_sensitive, status, geom, area_m2, valid_from, recorded_by, change) FROM '$WORK/key_units.csv' WITH (FORMAT csv)
\copy tailings_pond_versions (pond_code, name, county_code, operator, level, level_doc, status, geom, area_m2, valid_from, recorded_by, change) FROM '$WORK/ponds.csv' WITH (FORMAT csv)
\copy pollution_source_versions (source_code, name, county_code, kind, pollutants, list, state, deadline, plan_doc, geom, area_m2, valid_from, recorded_by, change) FROM '$WORK/sources.csv' WITH (FORMAT csv)
\copy duty_records (collection, feature_id, kind, date, recorded_by) FROM '$WORK/records.csv' WITH (FORMAT csv)
ANALYZE;
INSERT INTO landguard_meta (key, value) VALUES ('bench_duties', '$ENTITIES $CITY');
SQL
fi

# --- service
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
LG_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

URL="http://127.0.0.1:$PORT/duties?county_code=$CITY&as_of=$AS_OF"
time_requests() { # URL -> one time in ms per line
    for _ in $(seq "$WARMUP"); do curl -fs -o /dev/null "$1"; done
    for _ in $(seq "$REQUESTS"); do curl -fs -o /dev/null -w '%{time_total}\n' "$1"; done
}
stats() { python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
q = lambda p: t[min(len(t) - 1, int(round(p * (len(t) - 1))))]
print(f"n={len(t)} p50={q(0.5):.1f} ms p99={q(0.99):.1f} ms max={t[-1]:.1f} ms")'; }

{
    echo "bench/duties.sh at $COMMIT, $(date -u +%Y-%m-%dT%H:%M:%SZ), binary $LANDGUARD_BIN ($(file -b "$LANDGUARD_BIN" | grep -o 'not stripped\|stripped' | head -1); $(case "$LANDGUARD_BIN" in *debug*) echo 'DEBUG build: not representative of release';; *) echo release;; esac))"
    echo "machine: $(nproc) CPU, $(uname -r); database $BENCH_DB"
    psql "$BENCH_URL" -Atc "SELECT 'entities: ' || (SELECT count(*) FROM key_supervised_unit_versions) || ' key units, ' || (SELECT count(*) FROM tailings_pond_versions) || ' ponds, ' || (SELECT count(*) FROM pollution_source_versions) || ' sources, ' || (SELECT count(*) FROM duty_records) || ' records'"
    curl -fs "$URL" >"$WORK/one.json"
    echo "one answer: $(wc -c <"$WORK/one.json") bytes; $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['duties']), 'duties,', len(d['city_duties']), 'city duties, counts', d['counts'])" "$WORK/one.json")"
    echo "GET /duties?county_code=$CITY&as_of=$AS_OF, one client, $REQUESTS requests after $WARMUP:"
    time_requests "$URL" | stats
    echo "GET /duties?county_code=$CITY&as_of=$AS_OF&status=overdue:"
    time_requests "$URL&status=overdue" | stats
    ICS="http://127.0.0.1:$PORT/duties.ics?county_code=$CITY&as_of=$AS_OF"
    echo "GET /duties.ics (same query; $(curl -fs "$ICS" | grep -c 'BEGIN:VEVENT') events):"
    time_requests "$ICS" | stats
} | tee "$OUT"
say "written $OUT"
