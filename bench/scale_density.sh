#!/usr/bin/env bash
# Latency at growing layer sizes with the same work per request (issue 13, goal 6), beside bench/scale.sh.
#
#   SIZES="100000 1000000 10000000" bash bench/scale_density.sh
#
# bench/gen.sh fills the same two cities at every size, so its fields shrink as the layer grows (50 m at 10^5
# and 10^6, 15.7 m at 10^7) and scale.sh's fixed ~1 km boxes and 0.4-7 ha check polygons hold ten times the
# features at 10^7. Here the boxes' sides and the check polygons (bench_check_queries, made by scale.sh) are
# scaled by the size's field_m / 50 around their centres, so that a request holds about as many features at
# every size, and what is left of the growth is the layer's size itself. One server per size on the kept
# databases landguard_scale_N (scale.sh makes them), tile cache off, 16 connections; ROUNDS rounds in which
# the sizes take turns, bbox and rezoning checks at CONNS connections and at 1, DURATION seconds each.
# Settings: SIZES, ROUNDS (2), DURATION (8), CONNS (16), PORT (18190, +1 per size), LANDGUARD_BIN, OUT.
# Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100000 1000000 10000000"}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-8}
CONNS=${CONNS:-16}
PORT=${PORT:-18190}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/scale-density-$(date -u +%Y%m%dT%H%M%SZ).md}
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
WORK=$(mktemp -d /tmp/landguard-density.XXXXXX)
SERVER_PIDS=
cleanup() {
    for p in $SERVER_PIDS; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }

declare -A PORTS PIDS SCALE
i=0
for N in $SIZES; do
    URL="${BASE_URL%/*}/landguard_scale_$N"
    D="$WORK/$N"; mkdir -p "$D"
    SCALE[$N]=$(psql "$URL" -Atc "SELECT round((value::json->>'field_m')::numeric / 50, 4) FROM landguard_meta WHERE key = 'bench_gen'")
    psql "$URL" -At -c "SELECT format('/collections/farmland_units/items?bbox=%s,%s,%s,%s&limit=1000', ST_X(c) - 0.005 * s, ST_Y(c) - 0.0045 * s, ST_X(c) + 0.005 * s, ST_Y(c) + 0.0045 * s)
        FROM (SELECT ST_PointOnSurface(geom) AS c FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
              ORDER BY hashint8extended(version_id, 3) LIMIT 500) p, (SELECT ${SCALE[$N]}::float8 AS s) k" > "$D/bbox.txt"
    psql "$URL" -At -c "SELECT json_build_object('geometry', ST_AsGeoJSON(ST_Translate(ST_Scale(ST_Translate(g, -ST_X(c), -ST_Y(c)), s, s), ST_X(c), ST_Y(c)))::json,
        'proposed_use', '070101', 'use_code_system', 'ydyh2023')::text
        FROM (SELECT id, ST_GeomFromGeoJSON(geojson) AS g, ST_Centroid(ST_GeomFromGeoJSON(geojson)) AS c FROM bench_check_queries) q,
             (SELECT ${SCALE[$N]}::float8 AS s) k ORDER BY id" > "$D/rezoning.txt"
    BOXF=$(head -100 "$D/bbox.txt" | sed -E 's/.*bbox=([^&]+).*/\1/' | while IFS=, read -r a b c d; do echo "SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL AND ST_Intersects(geom, ST_MakeEnvelope($a, $b, $c, $d, 4490));"; done | psql "$URL" -At | awk '{s += $1} END {printf "%.0f", s / NR}')
    echo "$N ${SCALE[$N]} $BOXF" > "$D/static.txt"
    PORTS[$N]=$(( PORT + i )); i=$(( i + 1 ))
    DATABASE_URL="$URL" LANDGUARD_POOL_SIZE=$CONNS LANDGUARD_TILE_CACHE_BYTES=0 RUST_LOG=warn \
        "$LANDGUARD_BIN" serve --bind "127.0.0.1:${PORTS[$N]}" >"$D/server.log" 2>&1 &
    PIDS[$N]=$!; SERVER_PIDS+=" ${PIDS[$N]}"
    say "$N: boxes and check polygons scaled by ${SCALE[$N]}, $BOXF features per box (first 100)"
done
for N in $SIZES; do
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:${PORTS[$N]}/health" >/dev/null 2>&1 && break; sleep 0.1; done
done
wrkrun() { URLS=$1 wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$4" | grep '^RESULT'; }
chk() { BODIES=$1 CHECK_PATH=/checks/rezoning wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/checks.lua "http://127.0.0.1:$4" | grep '^RESULT'; }
for N in $SIZES; do wrkrun "$WORK/$N/bbox.txt" "$CONNS" 3 "${PORTS[$N]}" >/dev/null; chk "$WORK/$N/rezoning.txt" "$CONNS" 3 "${PORTS[$N]}" >/dev/null; done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ORDER=$SIZES
for r in $(seq 1 "$ROUNDS"); do
    for what in bbox bbox1 check check1; do
        for N in $ORDER; do
            P=${PORTS[$N]}; D="$WORK/$N"
            case $what in
                bbox) wrkrun "$D/bbox.txt" "$CONNS" "$DURATION" "$P" ;;
                bbox1) wrkrun "$D/bbox.txt" 1 "$DURATION" "$P" ;;
                check) chk "$D/rezoning.txt" "$CONNS" "$DURATION" "$P" ;;
                check1) chk "$D/rezoning.txt" 1 "$DURATION" "$P" ;;
            esac > "$D/$what.$r.txt"
            say "round $r, $N, $what: $(cat "$D/$what.$r.txt")"
        done
    done
    ORDER=$(echo "$ORDER" | tr ' ' '\n' | tac | paste -sd' ')   # the other way round next time
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$WORK" "$OUT" "$LOAD_BEFORE" "$LOAD_AFTER" "$(git rev-parse --short HEAD)" "$LANDGUARD_BIN" $SIZES <<'PY'
import re, statistics, sys
work, out, lb, la, commit, binary, sizes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:]
def num(t, k):
    m = re.search(r"\b" + k + r"=([0-9.]+)", t)
    return float(m.group(1)) if m else None
import glob
lines = ["| | " + " | ".join(f"{int(n):,} units" for n in sizes) + " | growth (p50) |", "|---|" + "---|" * len(sizes) + "---|"]
static = {n: open(f"{work}/{n}/static.txt").read().split() for n in sizes}
lines.append("| box and check polygon scale (field_m / 50) | " + " | ".join(static[n][1] for n in sizes) + " | |")
lines.append("| features per box (first 100 boxes) | " + " | ".join(static[n][2] for n in sizes) + " | |")
raw = []
for what, name in (("bbox", "bbox @16: req/s (p50 / p99 ms)"), ("bbox1", "bbox 1 client: p50 / p99 ms"),
                   ("check", "check @16: req/s (p50 / p99 ms)"), ("check1", "check 1 client: p50 / p99 ms")):
    cells, p50s = [], []
    for n in sizes:
        texts = [open(f).read() for f in sorted(glob.glob(f"{work}/{n}/{what}.*.txt"))]
        raw += [f"{n} {what} round {k + 1}: {t.strip()}" for k, t in enumerate(texts)]
        med = {k: statistics.median(num(t, k) for t in texts) for k in ("rps", "p50", "p99")}
        p50s.append(med["p50"])
        cells.append(f"{med['rps']:.0f} ({med['p50']:.2f} / {med['p99']:.2f})" if what in ("bbox", "check") else f"{med['p50']:.2f} / {med['p99']:.2f}")
    lines.append(f"| {name} | " + " | ".join(cells) + f" | x{p50s[-1] / p50s[0]:.2f} |")
text = "\n".join(lines) + f"\n\nMedians of the rounds; bench scripts at {commit}, service {binary}; load average {lb} before, {la} after.\n\nRaw:\n\n```\n" + "\n".join(raw) + "\n```\n"
open(out, "w").write(text)
print(text)
PY
say "report: $OUT"
