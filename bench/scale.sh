#!/usr/bin/env bash
# Scaling runs (issue 8): the same measurements at growing layer sizes, in one command, ending in a
# Markdown table (bench/results/scale-DATE.md, printed too) and a plot (docs/img/scaling.png).
#
#   bash bench/scale.sh                       # 10^5 and 10^6 units
#   SIZES="100000 1000000 10000000" bash bench/scale.sh
#
# For each size N (N farmland units, N/200 parcels, seed fixed), in a database of its own
# (landguard_scale_N, dropped and generated again unless KEEP=1 finds it complete):
#   load     bench/gen.sh: generation inside PostGIS, index builds, ANALYZE (the seconds of each phase);
#            with IMPORT=1 also `landguard import` of the layer exported to a GeoPackage, into a fresh database
#   size     pg_database_size; farmland table and index sizes
#   pull     the whole current layer through the service, limit=10000 following `next` (bench/features_pull.py),
#            and the service's peak RSS meanwhile
#   bbox     ~1 km boxes around 500 random units, limit=1000, wrk 16 connections, DURATION seconds
#   check    POST /checks/rezoning with 1000 polygons (bench/checks_queries.sql), wrk 16 connections, and
#            one client for 10 s (latency without queueing)
#   tile     farmland_units MVT tiles z12-16 holding features (150 per zoom), tile cache off, wrk 16 conns
#   plans    EXPLAIN of the bbox, check and tile statements: which index each one uses
# Heavy steps run one at a time. Settings: SIZES, DURATION (20), CONNS (16), PORT (18184), KEEP (0),
# IMPORT (0), DROP_AFTER (0: keep the databases; 1 drops each after its run), LANDGUARD_BIN, OUT.
# Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100000 1000000"}
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
PORT=${PORT:-18184}
KEEP=${KEEP:-0}
IMPORT=${IMPORT:-0}
DROP_AFTER=${DROP_AFTER:-0}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-bench/results/scale-$STAMP.md}
JSON=${OUT%.md}.json
PNG=${PNG:-docs/img/scaling.png}
WORK=$(mktemp -d /tmp/landguard-scale.XXXXXX)
LG_PID=

stop_server() {
    if [ -n "$LG_PID" ]; then kill "$LG_PID" 2>/dev/null || true; wait "$LG_PID" 2>/dev/null || true; LG_PID=; fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
say() { echo ">> $*" >&2; }
field() { echo "$1" | sed -E "s/.*$2=([0-9.]+).*/\1/"; }

command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null; }
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi
VENV=.run/venv-bench
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
    say "pip install matplotlib into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check matplotlib >&2
fi

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
ADMIN_URL="${BASE_URL%/*}/postgres"
mkdir -p "$(dirname "$OUT")" "$(dirname "$PNG")"
echo "[]" > "$JSON"

for N in $SIZES; do
    DB=landguard_scale_$N
    URL="${BASE_URL%/*}/$DB"
    say "=== $N units ($DB); df: $(df -h --output=avail /work | tail -1 | tr -d ' ') free"
    meta=
    if [ "$KEEP" = 1 ] && psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        meta=$(psql "$URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
    fi
    LOAD_AT_GEN=$(cut -d' ' -f1 /proc/loadavg)
    if ! echo "$meta" | grep -q "\"units\" : $N,"; then
        LANDGUARD_BIN=$LANDGUARD_BIN bash bench/gen.sh --db "$DB" --units "$N" --recreate >&2
        meta=$(psql "$URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'")
    fi
    psql "$URL" -qc "VACUUM ANALYZE farmland_unit_versions" >/dev/null

    IMPORT_S=null
    if [ "$IMPORT" = 1 ]; then
        say "import: export to GeoPackage, then landguard import into landguard_scale_import"
        rm -f "$WORK/farmland_units.gpkg"
        DATABASE_URL="$URL" "$LANDGUARD_BIN" export farmland_units "$WORK/farmland_units.gpkg" >&2
        IURL="${BASE_URL%/*}/landguard_scale_import"
        psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS landguard_scale_import WITH (FORCE)" -c "CREATE DATABASE landguard_scale_import"
        DATABASE_URL="$IURL" "$LANDGUARD_BIN" migrate >&2
        t0=$(date +%s.%N)
        DATABASE_URL="$IURL" "$LANDGUARD_BIN" import "$WORK/farmland_units.gpkg" --collection farmland_units >"$WORK/import.txt"
        t1=$(date +%s.%N)
        IMPORT_S=$(echo "$t1 - $t0" | bc)
        psql "$ADMIN_URL" -qc "DROP DATABASE landguard_scale_import WITH (FORCE)"
        rm -f "$WORK/farmland_units.gpkg"
    fi

    read -r DB_BYTES TABLE_BYTES INDEX_BYTES ROWS <<<"$(psql "$URL" -At -F ' ' -c "SELECT pg_database_size(current_database()),
        pg_table_size('farmland_unit_versions'), pg_indexes_size('farmland_unit_versions'),
        (SELECT count(*) FROM farmland_unit_versions)")"

    # inputs: boxes, check polygons, tiles
    psql "$URL" -q -v n=1000 -f bench/checks_queries.sql 2>/dev/null
    psql "$URL" -At -c "SELECT json_build_object('geometry', geojson::json, 'proposed_use', '070101',
        'use_code_system', 'ydyh2023')::text FROM bench_check_queries ORDER BY id" > "$WORK/rezoning.txt"
    psql "$URL" -At -c "SELECT format('/collections/farmland_units/items?bbox=%s,%s,%s,%s&limit=1000', ST_X(c) - 0.005, ST_Y(c) - 0.0045, ST_X(c) + 0.005, ST_Y(c) + 0.0045)
        FROM (SELECT ST_PointOnSurface(geom) AS c FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
              ORDER BY hashint8extended(version_id, 3) LIMIT 500) s" > "$WORK/bbox.txt"
    psql "$URL" -At -F ' ' > "$WORK/tiles.txt" <<'SQL'
WITH c AS (SELECT ST_X(p) AS lon, ST_Y(p) AS lat
           FROM (SELECT ST_PointOnSurface(geom) AS p FROM farmland_unit_versions
                 WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 5) LIMIT 3000) s),
t AS (SELECT DISTINCT z,
             floor((c.lon + 180) / 360 * 2 ^ z)::int AS x,
             floor((1 - ln(tan(radians(c.lat)) + 1 / cos(radians(c.lat))) / pi()) / 2 * 2 ^ z)::int AS y
      FROM generate_series(12, 16) AS z, c),
r AS (SELECT t.*, row_number() OVER (PARTITION BY z ORDER BY md5(z || '/' || x || '/' || y)) AS n FROM t)
SELECT z, x, y FROM r WHERE n <= 150 ORDER BY md5(z || '/' || x || '/' || y);
SQL
    awk '{print "/collections/farmland_units/tiles/WebMercatorQuad/" $1 "/" $3 "/" $2}' "$WORK/tiles.txt" > "$WORK/tile_urls.txt"

    # plans: the index behind each statement
    B=$(head -1 "$WORK/bbox.txt" | sed -E 's/.*bbox=([^&]+).*/\1/')
    PLAN_BBOX=$(psql "$URL" -At -c "EXPLAIN SELECT v.unit_code FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
        AND ST_Intersects(v.geom, ST_SetSRID(ST_MakeEnvelope($B, 4326), 4490)) ORDER BY v.unit_code LIMIT 1000" | grep -oE '(Index|Bitmap Index|Seq) Scan( using [a-z_0-9]+)?( on [a-z_]+)?' | paste -sd';')
    sed "s/\$1/(SELECT geojson FROM bench_check_queries WHERE id = 1)/; s/\$2/current_date/g; s/\$3/0::float8/g" src/store/sql/check_facts.sql > "$WORK/cf.sql"
    PLAN_CHECK=$( (echo "EXPLAIN"; cat "$WORK/cf.sql") | psql "$URL" -At | grep -oE '(Index|Bitmap Index|Seq) Scan( using [a-z_0-9]+)?( on [a-z_]+)?' | grep -v bench_check | paste -sd';')

    # the service, tile cache off
    DATABASE_URL="$URL" LANDGUARD_POOL_SIZE=$CONNS LANDGUARD_TILE_CACHE_BYTES=0 RUST_LOG=warn \
        "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
    LG_PID=$!
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    LOAD_AT_RUN=$(cut -d' ' -f1 /proc/loadavg)

    say "full pull"
    PULL=$(python3 bench/features_pull.py "http://127.0.0.1:$PORT/collections/farmland_units/items?limit=10000" --pid "$LG_PID" --interval 0.1)
    say "  $(echo "$PULL" | cut -c1-160)"
    wrkrun() { URLS=$1 wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$PORT" | grep '^RESULT'; }
    say "bbox"
    wrkrun "$WORK/bbox.txt" "$CONNS" 5 >/dev/null
    BBOX=$(wrkrun "$WORK/bbox.txt" "$CONNS" "$DURATION"); say "  $BBOX"
    say "checks"
    chk() { BODIES="$WORK/rezoning.txt" CHECK_PATH=/checks/rezoning wrk -t"$3" -c"$1" -d"$2s" --timeout 20s -s bench/checks.lua "http://127.0.0.1:$PORT" | grep '^RESULT'; }
    chk "$CONNS" 5 2 >/dev/null
    CHECK=$(chk "$CONNS" "$DURATION" 2); say "  $CHECK"
    CHECK1=$(chk 1 10 1); say "  one client: $CHECK1"
    say "tiles"
    wrkrun "$WORK/tile_urls.txt" "$CONNS" 5 >/dev/null
    TILE=$(wrkrun "$WORK/tile_urls.txt" "$CONNS" "$DURATION"); say "  $TILE"
    TILE1=$(wrkrun "$WORK/tile_urls.txt" 1 10); say "  one client: $TILE1"
    stop_server

    python3 - "$JSON" <<PY
import json, sys
rows = json.load(open(sys.argv[1]))
meta = json.loads('''$meta''')
pull = json.loads('''$PULL''')
def f(line, k):
    import re
    m = re.search(k + r'=([0-9.]+)', line)
    return float(m.group(1)) if m else None
rows.append({
    "units": $N, "rows": $ROWS, "field_m": meta.get("field_m"), "gen_seconds": meta.get("seconds"),
    "gen_total_s": round(sum(meta.get("seconds", {}).values()), 1), "import_s": json.loads("$IMPORT_S"),
    "db_bytes": $DB_BYTES, "table_bytes": $TABLE_BYTES, "index_bytes": $INDEX_BYTES,
    "pull_s": pull["seconds"], "pull_features": pull["features"], "pull_bytes": pull["bytes"],
    "pull_rss_mb": [round(pull["rss_kb"][k] / 1024, 1) for k in ("start", "max", "end")],
    "bbox_rps": f("""$BBOX""", "rps"), "bbox_p50": f("""$BBOX""", "p50"), "bbox_p99": f("""$BBOX""", "p99"),
    "bbox_mbps": f("""$BBOX""", "mbps"), "bbox_non2xx": f("""$BBOX""", "non2xx"),
    "check_rps": f("""$CHECK""", "rps"), "check_p50": f("""$CHECK""", "p50"), "check_p99": f("""$CHECK""", "p99"),
    "check1_p50": f("""$CHECK1""", "p50"), "check1_p99": f("""$CHECK1""", "p99"), "check_non2xx": f("""$CHECK""", "non2xx"),
    "tile_rps": f("""$TILE""", "rps"), "tile_p50": f("""$TILE""", "p50"), "tile_p99": f("""$TILE""", "p99"),
    "tile1_p50": f("""$TILE1""", "p50"), "tile1_p99": f("""$TILE1""", "p99"), "tile_non2xx": f("""$TILE""", "non2xx"),
    "plan_bbox": """$PLAN_BBOX""", "plan_check": """$PLAN_CHECK""",
    "load_at_gen": $LOAD_AT_GEN, "load_at_run": $LOAD_AT_RUN,
})
json.dump(rows, open(sys.argv[1], "w"), indent=1)
PY
    if [ "$DROP_AFTER" = 1 ]; then psql "$ADMIN_URL" -qc "DROP DATABASE $DB WITH (FORCE)"; fi
done

"$VENV/bin/python" bench/scale_plot.py "$JSON" "$PNG" "$OUT"
say "table: $OUT; plot: $PNG; data: $JSON"
cat "$OUT"
