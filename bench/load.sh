#!/usr/bin/env bash
# Sustained mixed load (issue 7): bbox pages, single features, access-rule checks and writes with an editor
# token, at 64 concurrent connections for 5 minutes on loopback against a release build, with the service's
# resident memory sampled every 5 s. Passes only with zero errors (HTTP >= 400 or socket errors).
#
#   bash bench/load.sh                 # 300 s, 64 connections, demo data
#
# Environment: DURATION (300 s), CONNS (64), THREADS (2, wrk threads), LOAD_DB (landguard_load, made
# afresh from fixtures/ each run), PORT (18190), LANDGUARD_BIN (target/release/landguard, built if
# missing), OUT (bench/results/load-DATE.txt). Needs wrk (Debian package) and the private PostgreSQL
# (scripts/pg.sh) or DATABASE_URL naming a role that may create databases. Not run by `make test`.
#
# The mix, per request: 45 % bbox page (limit 50, a 0.03° box anywhere over the data), 25 % single
# feature by code, 15 % rezoning check of a 0.005° square, 15 % create of a new farmland unit (codes never
# repeat, so no write contends for an ETag: every write must succeed).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-300}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
LOAD_DB=${LOAD_DB:-landguard_load}
PORT=${PORT:-18190}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
mkdir -p bench/results
OUT=${OUT:-bench/results/load-$(date -u +%Y%m%dT%H%M%SZ).txt}

command -v wrk >/dev/null || { echo "load.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[ -x "$LANDGUARD_BIN" ] || cargo build --release --bin landguard
admin=${DATABASE_URL:-$(bash scripts/pg.sh start | tail -n 1)}
url="${admin%/*}/$LOAD_DB"
psql "$admin" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" -c "CREATE DATABASE $LOAD_DB" >/dev/null
DATABASE_URL=$url "$LANDGUARD_BIN" migrate 2>/dev/null
DATABASE_URL=$url "$LANDGUARD_BIN" demo-load fixtures/ >&2
token=$(DATABASE_URL=$url "$LANDGUARD_BIN" token create --name load-editor --role editor 2>/dev/null | tail -n 1)

work=$(mktemp -d)
trap 'kill $pid $sampler 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
psql "$url" -qAt -c "SELECT unit_code FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL" >"$work/ids"
extent=$(psql "$url" -qAt -F ' ' -c "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM farmland_unit_versions) x")
units_before=$(wc -l <"$work/ids")

DATABASE_URL=$url RUST_LOG=${RUST_LOG:-landguard=warn} "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done

# resident memory every 5 s: seconds since start, VmRSS in KiB
(t=0; while kill -0 $pid 2>/dev/null; do
   echo "$t $(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)"; sleep 5; t=$((t + 5)); done) >"$work/rss" &
sampler=$!

echo ">> wrk -t$THREADS -c$CONNS -d${DURATION}s against 127.0.0.1:$PORT ($units_before units, extent $extent)" >&2
LOAD_TOKEN=$token LOAD_IDS=$work/ids LOAD_EXTENT=$extent \
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -s bench/load.lua "http://127.0.0.1:$PORT" >"$work/wrk.txt"
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$work/metrics.txt"
kill $sampler 2>/dev/null || true

units_after=$(psql "$url" -qAt -c "SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL")
rss_first=$(awk 'NR==2 {print $2}' "$work/rss")   # after 5 s of load
rss_last=$(awk 'NF==2 {v=$2} END {print v}' "$work/rss")
rss_max=$(awk 'NF==2 && $2>m {m=$2} END {print m}' "$work/rss")
rss_min=$(awk 'NR>=2 && NF==2 && (m=="" || $2<m) {m=$2} END {print m}' "$work/rss")
server_5xx=$(awk '/^landguard_http_requests_total/ && /status="5xx"/ {s+=$2} END {print s+0}' "$work/metrics.txt")
{
  echo "# bench/load.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $CONNS connections, $THREADS wrk threads, ${DURATION}s, $(nproc) cores"
  echo "# binary $LANDGUARD_BIN; units before $units_before, after $units_after"
  cat "$work/wrk.txt"
  echo "rss_kib first $rss_first min $rss_min max $rss_max last $rss_last"
  echo "server_5xx $server_5xx"
  echo "# rss samples (s KiB):"
  tr '\n' ';' <"$work/rss"; echo
  grep -E '^landguard_(http_requests_total|db_pool)' "$work/metrics.txt"
} | tee "$OUT"
summary=$(grep '^summary' "$work/wrk.txt")
http_errors=$(echo "$summary" | awk '{print $5}')
socket_errors=$(echo "$summary" | awk '{print $7}')
echo "results in $OUT" >&2
if [ "$http_errors" != 0 ] || [ "$socket_errors" != 0 ] || [ "$server_5xx" != 0 ]; then
  echo "FAILED: $http_errors HTTP errors, $socket_errors socket errors, $server_5xx server 5xx" >&2
  exit 1
fi
echo "ok: zero errors" >&2
