#!/usr/bin/env bash
# GET /duties for one city of 10^4 source-control entities (issue 15: "answers within 100 ms"; a bench, not
# a timed test). Loads ENTITIES key units, tailings ponds and pollution sources (4:3:3) with about 2.7
# records each into a bench database (bench/duties_gen.py, seeded), starts the service on it, and times
# REQUESTS requests of /duties?county_code=CITY&as_of=AS_OF by one client, each after the one before, after
# WARMUP unrecorded ones, without and with Accept-Encoding: gzip (what a browser sends); prints p50, p99 and
# max, and the size and counts of one answer; then the same for ?status=overdue and /duties.ics. With each
# path's times, the CPU time per answer of the service's process and of the database's backends (from /proc,
# which the machine's load does not change as it does the times). Not run by the tests.
#
#   bash bench/duties.sh
#   BASELINE_BIN=/path/to/older/landguard ROUNDS=4 bash bench/duties.sh
#
# Settings (environment): ENTITIES (10000), CITY (4502), AS_OF (2026-12-05), REQUESTS (200 per round),
# WARMUP (20), BENCH_DB (landguard_bench_duties; reloaded when ENTITIES changes), PORT (18184), LANDGUARD_BIN
# (target/release/landguard, built if missing; a debug binary may be given, and the report says which),
# BASELINE_BIN (another landguard build, e.g. of an older commit: served on PORT+1 over the same database
# and timed in the same rounds, the two alternating which goes first; the report says whether both give
# the same answer), ROUNDS (1), OUT (bench/results/duties-DATE.txt). The load average is written before and
# after the runs: the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMIT=${COMMIT:-$(git rev-parse --short HEAD)}
ENTITIES=${ENTITIES:-10000}
CITY=${CITY:-4502}
AS_OF=${AS_OF:-2026-12-05}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-20}
BENCH_DB=${BENCH_DB:-landguard_bench_duties}
ROUNDS=${ROUNDS:-1}
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
SQL
    # A database in use has its visibility map and statistics; a fresh \copy has neither, and its scans
    # would read the heap for every row (index-only scans need the visibility map).
    psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 -c 'VACUUM (ANALYZE)'
    psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO landguard_meta (key, value) VALUES ('bench_duties', '$ENTITIES $CITY');
SQL
fi

# A database loaded by an older build lacks this one's newer migrations (the baseline, older, serves it as is).
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate >&2

# --- service
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
BASE_PID=
cleanup_base() { if [ -n "$BASE_PID" ]; then kill "$BASE_PID" 2>/dev/null || true; wait "$BASE_PID" 2>/dev/null || true; fi; }
trap 'cleanup_base; cleanup' EXIT
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
LG_PID=$!
if [ -n "${BASELINE_BIN:-}" ]; then
    DATABASE_URL="$BENCH_URL" "$BASELINE_BIN" serve --bind "127.0.0.1:$((PORT + 1))" >"$WORK/serve-base.log" 2>&1 &
    BASE_PID=$!
fi
for p in "$PORT" ${BASELINE_BIN:+$((PORT + 1))}; do
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done
done

QUERY="county_code=$CITY&as_of=$AS_OF"
# The first path twice: as curl asks by default (no Accept-Encoding: the body as the service writes it) and as a
# browser asks (Accept-Encoding: gzip, which the service's CompressionLayer answers at its fastest level).
PATHS=("/duties?$QUERY" "/duties?$QUERY" "/duties?$QUERY&status=overdue" "/duties.ics?$QUERY")
ENCODINGS=("" "gzip, deflate, br, zstd" "" "")
time_requests() { # URL ENCODING -> one time in ms per line
    local enc=()
    if [ -n "$2" ]; then enc=(-H "Accept-Encoding: $2"); fi
    for _ in $(seq "$WARMUP"); do curl -fs -o /dev/null "${enc[@]}" "$1"; done
    for _ in $(seq "$REQUESTS"); do curl -fs -o /dev/null "${enc[@]}" -w '%{time_total}\n' "$1"; done
}
stats() { python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
q = lambda p: t[min(len(t) - 1, int(round(p * (len(t) - 1))))]
print(f"n={len(t)} p50={q(0.5):.1f} ms p99={q(0.99):.1f} ms max={t[-1]:.1f} ms")'; }
TICK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # user + system CPU of a process
backends() { psql "$BENCH_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$BENCH_DB' AND pid <> pg_backend_pid()"; }
run() { # NAME PORT PID: every path once, times appended to $WORK/NAME.I, CPU ticks (service, backends) to NAME.I.cpu
    local i b pg
    for i in "${!PATHS[@]}"; do
        declare -A before=()
        for b in $(backends); do before[$b]=$(ticks "$b"); done
        local s0; s0=$(ticks "$3")
        time_requests "http://127.0.0.1:$2${PATHS[$i]}" "${ENCODINGS[$i]}" >>"$WORK/$1.$i"
        pg=0
        for b in $(backends); do pg=$((pg + $(ticks "$b") - ${before[$b]:-0})); done
        echo "$(($(ticks "$3") - s0)) $pg $((REQUESTS + WARMUP))" >>"$WORK/$1.$i.cpu"
        unset before
    done
}
cpu() { # FILE: CPU ms per answer of the service and of the backends, over the rounds
    awk -v t="$TICK" '{s += $1; p += $2; n += $3} END {if (n) printf "CPU per answer: service %.1f ms, PostgreSQL backends %.1f ms", s * 1000 / t / n, p * 1000 / t / n}' "$1"
}
for round in $(seq "$ROUNDS"); do
    if [ -n "${BASELINE_BIN:-}" ] && [ $((round % 2)) = 0 ]; then say "round $round: baseline"; run base $((PORT + 1)) "$BASE_PID"; fi
    say "round $round: landguard"; run this "$PORT" "$LG_PID"
    if [ -n "${BASELINE_BIN:-}" ] && [ $((round % 2)) = 1 ]; then say "round $round: baseline"; run base $((PORT + 1)) "$BASE_PID"; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

kind() { echo "$(file -b "$1" | grep -o 'not stripped\|stripped' | head -1); $(case "$1" in *debug*) echo 'DEBUG build: not representative of release';; *) echo release;; esac)"; }
{
    echo "bench/duties.sh at $COMMIT, $(date -u +%Y-%m-%dT%H:%M:%SZ), binary $LANDGUARD_BIN ($(kind "$LANDGUARD_BIN"))"
    if [ -n "${BASELINE_BIN:-}" ]; then echo "baseline: $BASELINE_BIN ($(kind "$BASELINE_BIN")${BASELINE_NOTE:+; $BASELINE_NOTE})"; fi
    echo "machine: $(nproc) CPU, $(uname -r); database $BENCH_DB; load average before the runs $LOAD_BEFORE, after $LOAD_AFTER"
    psql "$BENCH_URL" -Atc "SELECT 'entities: ' || (SELECT count(*) FROM key_supervised_unit_versions) || ' key units, ' || (SELECT count(*) FROM tailings_pond_versions) || ' ponds, ' || (SELECT count(*) FROM pollution_source_versions) || ' sources, ' || (SELECT count(*) FROM duty_records) || ' records'"
    curl -fs "http://127.0.0.1:$PORT/duties?$QUERY" >"$WORK/one.json"
    echo "one answer: $(wc -c <"$WORK/one.json") bytes; $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['duties']), 'duties,', len(d['city_duties']), 'city duties, counts', d['counts'])" "$WORK/one.json")"
    if [ -n "${BASELINE_BIN:-}" ]; then
        # The calendar's URLs name the port; county_duties (empty outside Guilin) is newer than 06822df.
        norm() { sed -e 's#127\.0\.0\.1:[0-9]*#HOST#g' -e 's/,"county_duties":\[\]//' | md5sum; }
        for path in "${PATHS[0]}" "${PATHS[2]}" "${PATHS[3]}"; do
            a=$(curl -fs "http://127.0.0.1:$PORT$path" | norm)
            b=$(curl -fs "http://127.0.0.1:$((PORT + 1))$path" | norm)
            echo "same answer as the baseline (host and an empty county_duties aside) for $path: $([ "$a" = "$b" ] && echo yes || echo no)"
        done
    fi
    echo "one client, $ROUNDS round(s) of $REQUESTS requests per path after $WARMUP unrecorded ones${BASELINE_BIN:+, the two binaries alternating which goes first}:"
    echo "$(grep -c 'BEGIN:VEVENT' <(curl -fs "http://127.0.0.1:$PORT${PATHS[3]}")) events in the calendar"
    for i in "${!PATHS[@]}"; do
        if [ -n "${ENCODINGS[$i]}" ]; then
            wire=$(curl -fs -H "Accept-Encoding: ${ENCODINGS[$i]}" -o /dev/null -w '%{size_download} bytes, Content-Encoding %header{content-encoding}' "http://127.0.0.1:$PORT${PATHS[$i]}")
            echo "GET ${PATHS[$i]} with Accept-Encoding: ${ENCODINGS[$i]} (as a browser asks; $wire)"
        else
            echo "GET ${PATHS[$i]} (no Accept-Encoding)"
        fi
        echo "  this:     $(stats <"$WORK/this.$i"); $(cpu "$WORK/this.$i.cpu")"
        if [ -n "${BASELINE_BIN:-}" ]; then echo "  baseline: $(stats <"$WORK/base.$i"); $(cpu "$WORK/base.$i.cpu")"; fi
    done
} | tee "$OUT"
say "written $OUT"
