#!/usr/bin/env bash
# Uncached vector tiles per zoom on a large generated layer (issue 13: a z12 tile over 10^6 units), two
# landguard builds side by side on the same database in the same run, in rounds that alternate which build
# goes first: one client alone per zoom (each tile asked for when the one before has arrived) and 16
# clients on the z12 tiles and on all zooms mixed. Both with the tile cache off and 16 connections.
#
#   LANDGUARD_BIN=target/release/landguard BASELINE_BIN=/path/to/older/landguard \
#       DB=landguard_scale_overview_1m bash bench/tiles_lowzoom.sh
#
# The database: made by `bash bench/gen.sh --db NAME --units 1000000` and migrated by LANDGUARD_BIN (the
# newer build; an older one serves a database with more migrations than it knows). Settings: DB,
# LANDGUARD_BIN, BASELINE_BIN, ZOOMS ("10 11 12 13 14 16"), PER_ZOOM (60 tiles of each zoom holding
# units, in a fixed hash order), DURATION (5 s per one-client run), DURATION16 (8 s per 16-client run),
# ROUNDS (3), CONNS (16), PORT (18284 and +1), OUT (bench/results/tiles-lowzoom-DATE.txt). Both builds
# serve the same table, with the newer build's columns in it (a wider heap for the older build too).
# The tile statements' plans (EXPLAIN ANALYZE) are taken by hand: docs/benchmarks.md. Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${DB:?DB=name of a generated database}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
BASELINE_BIN=${BASELINE_BIN:?BASELINE_BIN=the build to compare with}
ZOOMS=${ZOOMS:-"10 11 12 13 14 16"}
PER_ZOOM=${PER_ZOOM:-60}
DURATION=${DURATION:-5}
DURATION16=${DURATION16:-8}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
PORT=${PORT:-18284}
OUT=${OUT:-bench/results/tiles-lowzoom-$(date -u +%Y%m%dT%H%M%SZ).txt}
WORK=$(mktemp -d /tmp/landguard-lowzoom.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
URL="${BASE_URL%/*}/$DB"
DATABASE_URL="$URL" "$LANDGUARD_BIN" migrate >&2
psql "$URL" -qc "VACUUM ANALYZE farmland_unit_versions"

# the tiles: per zoom, tiles holding current units, PER_ZOOM of them in a fixed hash order, with their counts
: > "$WORK/tiles.txt"
for z in $ZOOMS; do
    psql "$URL" -At -F ' ' >> "$WORK/tiles.txt" <<SQL
WITH c AS (SELECT ST_X(p) AS lon, ST_Y(p) AS lat
           FROM (SELECT ST_PointOnSurface(geom) AS p FROM farmland_unit_versions
                 WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 5) LIMIT 3000) s),
t AS (SELECT DISTINCT $z AS z,
             floor((c.lon + 180) / 360 * 2 ^ $z)::int AS x,
             floor((1 - ln(tan(radians(c.lat)) + 1 / cos(radians(c.lat))) / pi()) / 2 * 2 ^ $z)::int AS y FROM c)
SELECT z, x, y, (SELECT count(*) FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
                 AND v.geom && ST_Transform(ST_TileEnvelope(z, x, y), 4490))
FROM t ORDER BY md5(z || '/' || x || '/' || y) LIMIT $PER_ZOOM;
SQL
done
awk '{print "/collections/farmland_units/tiles/WebMercatorQuad/" $1 "/" $3 "/" $2}' "$WORK/tiles.txt" > "$WORK/all.txt"
for z in $ZOOMS; do grep "/WebMercatorQuad/$z/" "$WORK/all.txt" > "$WORK/z$z.txt"; done
FEATURES=$(awk '{s[$1] += $4; n[$1]++} END {for (z in s) printf "z%s=%d ", z, s[z] / n[z]}' "$WORK/tiles.txt")
say "features per tile (mean): $FEATURES"

start() { # bin port
    # a port already taken (another session's server) would answer the health check for ours
    if curl -s -o /dev/null "http://127.0.0.1:$2/health"; then echo "port $2 is taken: set PORT" >&2; exit 1; fi
    DATABASE_URL="$URL" LANDGUARD_POOL_SIZE=$CONNS LANDGUARD_TILE_CACHE_BYTES=0 RUST_LOG=warn \
        "$1" serve --bind "127.0.0.1:$2" >"$WORK/server.$2.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        curl -fsS "http://127.0.0.1:$2/health" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$WORK/server.$2.log" >&2; exit 1
}
start "$LANDGUARD_BIN" "$PORT"
start "$BASELINE_BIN" $((PORT + 1))

wrkrun() { # urls conns seconds port
    URLS=$1 wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$4" | grep '^RESULT'
}
say "warm-up"
for p in "$PORT" $((PORT + 1)); do wrkrun "$WORK/all.txt" "$CONNS" 4 "$p" >/dev/null; done

{
    echo "# tiles-lowzoom $(date -u +%FT%TZ)"
    echo "database $DB ($(psql "$URL" -Atc "SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL") current units, table $(psql "$URL" -Atc "SELECT pg_size_pretty(pg_table_size('farmland_unit_versions'))"))"
    echo "new: $LANDGUARD_BIN ($(git rev-parse --short HEAD)); baseline: $BASELINE_BIN"
    echo "tiles per zoom: $(for z in $ZOOMS; do printf 'z%s=%s ' "$z" "$(wc -l < "$WORK/z$z.txt")"; done)"
    echo "features per tile (mean): $FEATURES"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT"

for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="new baseline"; else order="baseline new"; fi
    for who in $order; do
        p=$PORT; [ "$who" = baseline ] && p=$((PORT + 1))
        for z in $ZOOMS; do
            echo "round $r $who 1client z$z $(wrkrun "$WORK/z$z.txt" 1 "$DURATION" "$p")" | tee -a "$OUT" >&2
        done
        echo "round $r $who ${CONNS}clients z12 $(wrkrun "$WORK/z12.txt" "$CONNS" "$DURATION16" "$p")" | tee -a "$OUT" >&2
        echo "round $r $who ${CONNS}clients mixed $(wrkrun "$WORK/all.txt" "$CONNS" "$DURATION16" "$p")" | tee -a "$OUT" >&2
        echo "round $r $who load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"

# medians over the rounds
python3 - "$OUT" <<'PY' | tee -a "$OUT"
import re, statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ (\w+) (\S+) (\S+) RESULT (.*)", line)
    if m:
        kv = dict(re.findall(r"(\w+)=([0-9.]+)", m.group(4)))
        rows[(m.group(2), m.group(3), m.group(1))].append(kv)
print("\n## medians over the rounds (requests/s, p50 ms, p99 ms; errors+non2xx summed)")
print("| run | zoom | landguard new | baseline | p50 ratio baseline/new |")
print("|---|---|---|---|---:|")
for (run, zoom) in sorted({(k[0], k[1]) for k in rows}, key=lambda k: (k[0], k[1])):
    cell = {}
    for who in ("new", "baseline"):
        rs = rows.get((run, zoom, who), [])
        med = lambda key: statistics.median(float(r[key]) for r in rs) if rs else float("nan")
        errs = sum(int(float(r["errors"])) + int(float(r["non2xx"])) for r in rs)
        cell[who] = (med("rps"), med("p50"), med("p99"), errs)
    n, b = cell["new"], cell["baseline"]
    f = lambda c: f"{c[0]:.1f}/s, {c[1]:.2f} / {c[2]:.2f} ms" + (f", {c[3]} errors" if c[3] else "")
    print(f"| {run} | {zoom} | {f(n)} | {f(b)} | {b[1] / n[1]:.2f}x |")
PY
say "report: $OUT"
