#!/usr/bin/env bash
# Scaling runs (issue 8): the same measurements at growing layer sizes, in one command, ending in a
# Markdown table (bench/results/scale-DATE.md, printed too) and a plot (docs/img/scaling.png).
#
#   bash bench/scale.sh                       # 10^5 and 10^6 units
#   SIZES="100000 1000000 10000000" bash bench/scale.sh
#
# For each size N (N farmland units, N/200 parcels, seed fixed), in a database of its own
# (landguard_scale_N, dropped and generated again unless KEEP=1 finds it complete), first one size at a time:
#   load     bench/gen.sh: generation inside PostGIS (in parts of 10^6 units from 2*10^6 on), index builds,
#            ANALYZE (the seconds of each phase);
#            with IMPORT=1 also `landguard import` of the layer exported to a GeoPackage, into a fresh database
#   size     pg_database_size; farmland table and index sizes
#   plans    EXPLAIN of the bbox, next-page and check statements: which index each one uses
# then one server per size (tile cache off, 16 connections) and ROUNDS rounds in which the sizes take turns
# at each measurement, so that the changing load of a shared machine falls on every size alike; the table
# gives the median over the rounds:
#   pull     the whole current layer, limit=10000 following `next` (bench/features_pull.py), and the server's
#            RSS meanwhile
#   bbox     ~1 km boxes around 500 random units, limit=1000, wrk 16 connections and 1
#   feature  single features by id (/items/{unit_code}) of 500 random current units, 16 connections and 1
#   check    POST /checks/rezoning with 1000 polygons (bench/checks_queries.sql), 16 connections and 1
#   tile     farmland_units MVT tiles z12-16 holding features (150 per zoom), 16 connections and 1, and one
#            client per zoom (with the features per tile of each zoom)
# Settings: SIZES, ROUNDS (3), DURATION (10 s per wrk run), CONNS (16), PORT (18184, +1 per size), KEEP (0),
# IMPORT (0), DROP_AFTER (0: keep the databases; 1 drops them at the end), LANDGUARD_BIN, OUT, PNG.
# Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100000 1000000"}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
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
SERVER_PIDS=

cleanup() {
    for p in $SERVER_PIDS; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
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

COMMIT=$(git rev-parse --short HEAD)
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
ADMIN_URL="${BASE_URL%/*}/postgres"
mkdir -p "$(dirname "$OUT")" "$(dirname "$PNG")"

# --- phase 1, one size at a time: the data, its size, the request lists, the plans
for N in $SIZES; do
    DB=landguard_scale_$N
    URL="${BASE_URL%/*}/$DB"
    D="$WORK/$N"
    mkdir -p "$D"
    say "=== $N units ($DB); df: $(df -h --output=avail /work | tail -1 | tr -d ' ') free"
    meta=
    if [ "$KEEP" = 1 ] && psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        meta=$(psql "$URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
    fi
    LOAD_AT_GEN=$(cut -d' ' -f1 /proc/loadavg)
    if ! echo "$meta" | grep -q "\"units\" : $N,"; then
        # from 2*10^6 units on, in parts of 10^6 (one run's intermediate tables do not fit a modest disk at 10^7)
        LANDGUARD_BIN=$LANDGUARD_BIN bash bench/gen.sh --db "$DB" --units "$N" --recreate \
            --parts $(( N >= 2000000 ? N / 1000000 : 1 )) >&2
        meta=$(psql "$URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'")
    fi
    # a kept database is brought to the current schema before it is measured (a migration may rewrite the
    # table, as the stored feature JSON did)
    DATABASE_URL="$URL" "$LANDGUARD_BIN" migrate >&2
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

    # request lists: check bodies, boxes, tiles
    DATABASE_URL="$URL" "$LANDGUARD_BIN" counties-load fixtures/counties.geojson >&2
    psql "$URL" -q -v n=1000 -f bench/checks_queries.sql 2>/dev/null
    psql "$URL" -At -c "SELECT json_build_object('geometry', geojson::json, 'proposed_use', '070101',
        'use_code_system', 'ydyh2023')::text FROM bench_check_queries ORDER BY id" > "$D/rezoning.txt"
    psql "$URL" -At -c "SELECT format('/collections/farmland_units/items?bbox=%s,%s,%s,%s&limit=1000', ST_X(c) - 0.005, ST_Y(c) - 0.0045, ST_X(c) + 0.005, ST_Y(c) + 0.0045)
        FROM (SELECT ST_PointOnSurface(geom) AS c FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
              ORDER BY hashint8extended(version_id, 3) LIMIT 500) s" > "$D/bbox.txt"
    psql "$URL" -At -c "SELECT '/collections/farmland_units/items/' || unit_code FROM farmland_unit_versions
        WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 7) LIMIT 500" > "$D/feature.txt"
    psql "$URL" -At -F ' ' > "$D/tiles.txt" <<'SQL'
WITH c AS (SELECT ST_X(p) AS lon, ST_Y(p) AS lat
           FROM (SELECT ST_PointOnSurface(geom) AS p FROM farmland_unit_versions
                 WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 5) LIMIT 3000) s),
t AS (SELECT DISTINCT z,
             floor((c.lon + 180) / 360 * 2 ^ z)::int AS x,
             floor((1 - ln(tan(radians(c.lat)) + 1 / cos(radians(c.lat))) / pi()) / 2 * 2 ^ z)::int AS y
      FROM generate_series(12, 16) AS z, c),
r AS (SELECT t.*, row_number() OVER (PARTITION BY z ORDER BY md5(z || '/' || x || '/' || y)) AS n FROM t)
SELECT z, x, y, (SELECT count(*) FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
                 AND v.geom && ST_Transform(ST_TileEnvelope(z, x, y), 4490)) AS features
FROM r WHERE n <= 150 ORDER BY md5(z || '/' || x || '/' || y);
SQL
    awk '{print "/collections/farmland_units/tiles/WebMercatorQuad/" $1 "/" $3 "/" $2}' "$D/tiles.txt" > "$D/tile_urls.txt"
    for z in 12 13 14 15 16; do grep "/WebMercatorQuad/$z/" "$D/tile_urls.txt" > "$D/tile_urls_$z.txt"; done
    # what each request has to write: features per tile by zoom, per box
    TILE_FEATURES=$(awk '{s[$1] += $4; n[$1]++} END {for (z = 12; z <= 16; z++) printf "%s\"%d\": %d", (z > 12 ? ", " : ""), z, s[z] / n[z]}' "$D/tiles.txt")
    BBOX_FEATURES=$(psql "$URL" -At -c "SELECT round(avg((SELECT count(*) FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
        AND ST_Intersects(v.geom, ST_MakeEnvelope(ST_X(c) - 0.005, ST_Y(c) - 0.0045, ST_X(c) + 0.005, ST_Y(c) + 0.0045, 4490)))))
        FROM (SELECT ST_PointOnSurface(geom) AS c FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
              ORDER BY hashint8extended(version_id, 3) LIMIT 500) s")

    # plans: the index behind each statement
    B=$(head -1 "$D/bbox.txt" | sed -E 's/.*bbox=([^&]+).*/\1/')
    PLAN_BBOX=$(psql "$URL" -At -c "EXPLAIN SELECT v.unit_code FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
        AND ST_Intersects(v.geom, ST_SetSRID(ST_MakeEnvelope($B, 4326), 4490)) ORDER BY v.unit_code LIMIT 1000" | grep -oE '(Index|Bitmap Index|Seq) Scan( using [a-z_0-9]+)?( on [a-z_]+)?' | paste -sd';')
    PLAN_PAGE=$(psql "$URL" -At -c "EXPLAIN SELECT v.unit_code, v.geom FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL
        AND ((v.unit_code > '450206-GD-0000100'::text)) ORDER BY v.unit_code ASC LIMIT 10000" | grep -oE '(Index|Bitmap Index|Seq) Scan( using [a-z_0-9]+)?( on [a-z_]+)?|Index Cond|Filter' | paste -sd';')
    sed "s/\$1/(SELECT geojson FROM bench_check_queries WHERE id = 1)/; s/\$2/current_date/g; s/\$3/0::float8/g" src/store/sql/check_facts.sql > "$D/cf.sql"
    PLAN_CHECK=$( (echo "EXPLAIN"; cat "$D/cf.sql") | psql "$URL" -At | grep -oE '(Index|Bitmap Index|Seq) Scan( using [a-z_0-9]+)?( on [a-z_]+)?' | grep -v bench_check | paste -sd';')

    cat > "$D/static.json" <<JSON
{"units": $N, "rows": $ROWS, "meta": $meta, "import_s": $IMPORT_S, "db_bytes": $DB_BYTES, "table_bytes": $TABLE_BYTES,
 "index_bytes": $INDEX_BYTES, "tile_zoom_features": {$TILE_FEATURES}, "bbox_features": $BBOX_FEATURES,
 "plan_bbox": "$PLAN_BBOX", "plan_page": "$PLAN_PAGE", "plan_check": "$PLAN_CHECK", "load_at_gen": $LOAD_AT_GEN}
JSON
done

# --- phase 2: one server per size (tile cache off), then ROUNDS rounds in which the sizes take turns at
# every measurement, so that the machine's changing load falls on all sizes alike; medians are reported.
i=0
declare -A PIDS PORTS
for N in $SIZES; do
    PORTS[$N]=$(( PORT + i )); i=$(( i + 1 ))
    DATABASE_URL="${BASE_URL%/*}/landguard_scale_$N" LANDGUARD_POOL_SIZE=$CONNS LANDGUARD_TILE_CACHE_BYTES=0 RUST_LOG=warn \
        "$LANDGUARD_BIN" serve --bind "127.0.0.1:${PORTS[$N]}" >"$WORK/$N/server.log" 2>&1 &
    PIDS[$N]=$!
    SERVER_PIDS+=" ${PIDS[$N]}"
done
for N in $SIZES; do
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:${PORTS[$N]}/health" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:${PORTS[$N]}/health" >/dev/null || { cat "$WORK/$N/server.log" >&2; exit 1; }
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

wrkrun() { # urls conns seconds port
    URLS=$1 wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$4" | grep '^RESULT'
}
chk() { # bodies conns seconds port
    BODIES=$1 CHECK_PATH=/checks/rezoning wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3s" --timeout 20s -s bench/checks.lua "http://127.0.0.1:$4" | grep '^RESULT'
}
say "warm-up"
for N in $SIZES; do
    P=${PORTS[$N]}; D="$WORK/$N"
    wrkrun "$D/bbox.txt" "$CONNS" 3 "$P" >/dev/null; chk "$D/rezoning.txt" "$CONNS" 3 "$P" >/dev/null; wrkrun "$D/tile_urls.txt" "$CONNS" 3 "$P" >/dev/null
done
for r in $(seq 1 "$ROUNDS"); do
    for N in $SIZES; do
        P=${PORTS[$N]}; D="$WORK/$N"
        say "round $r, $N: full pull"
        python3 bench/features_pull.py "http://127.0.0.1:$P/collections/farmland_units/items?limit=10000" --pid "${PIDS[$N]}" --interval 0.1 > "$D/pull.$r.json"
        say "  $(cut -c1-120 "$D/pull.$r.json")"
    done
    for what in bbox bbox1 feature feature1 check check1 tile tile1 zoom; do
        for N in $SIZES; do
            P=${PORTS[$N]}; D="$WORK/$N"
            case $what in
                bbox) wrkrun "$D/bbox.txt" "$CONNS" "$DURATION" "$P" ;;
                bbox1) wrkrun "$D/bbox.txt" 1 "$DURATION" "$P" ;;
                feature) wrkrun "$D/feature.txt" "$CONNS" "$DURATION" "$P" ;;
                feature1) wrkrun "$D/feature.txt" 1 "$DURATION" "$P" ;;
                check) chk "$D/rezoning.txt" "$CONNS" "$DURATION" "$P" ;;
                check1) chk "$D/rezoning.txt" 1 "$DURATION" "$P" ;;
                tile) wrkrun "$D/tile_urls.txt" "$CONNS" "$DURATION" "$P" ;;
                tile1) wrkrun "$D/tile_urls.txt" 1 "$DURATION" "$P" ;;
                zoom) for z in 12 13 14 15 16; do echo "z$z $(wrkrun "$D/tile_urls_$z.txt" 1 4 "$P")"; done | paste -sd' ' ;;
            esac > "$D/$what.$r.txt"
            say "round $r, $N, $what: $(cut -c1-150 "$D/$what.$r.txt")"
        done
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
for N in $SIZES; do kill "${PIDS[$N]}" 2>/dev/null || true; wait "${PIDS[$N]}" 2>/dev/null || true; done
SERVER_PIDS=

python3 - "$WORK" "$JSON" "$COMMIT" "$LOAD_BEFORE" "$LOAD_AFTER" $SIZES <<'PY'
import json, re, statistics, sys
work, out, commit, load_before, load_after, sizes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
def num(text, key):
    m = re.search(r"\b" + key + r"=([0-9.]+)", text)
    return float(m.group(1)) if m else None
def med(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None
rows = []
for n in sizes:
    d = f"{work}/{n}"
    st = json.load(open(f"{d}/static.json"))
    meta = st.pop("meta")
    rounds = sorted({int(m) for m in re.findall(r"\.(\d+)\.", " ".join(__import__("os").listdir(d)))})
    read = lambda what: [open(f"{d}/{what}.{r}.txt").read() for r in rounds]
    pulls = [json.load(open(f"{d}/pull.{r}.json")) for r in rounds]
    row = dict(st)
    row.update({
        "field_m": meta.get("field_m"), "gen_seconds": meta.get("seconds"),
        "gen_total_s": round(sum(meta.get("seconds", {}).values()), 1), "commit": commit,
        "rounds": len(rounds), "load_before": load_before, "load_after": load_after,
        "load_at_run": load_before.split()[0],
        "pull_s": med([p["seconds"] for p in pulls]), "pull_s_all": [p["seconds"] for p in pulls],
        "pull_features": pulls[0]["features"], "pull_bytes": pulls[0]["bytes"],
        "pull_rss_mb": [round(max(p["rss_kb"][k] for p in pulls) / 1024, 1) for k in ("start", "max", "end")],
    })
    for what in ("bbox", "bbox1", "feature", "feature1", "check", "check1", "tile", "tile1"):
        prefix = what
        if not __import__("os").path.exists(f"{d}/{what}.{rounds[0]}.txt"):
            continue  # a measure this run did not make
        texts = read(what)
        for k in ("rps", "p50", "p99"):
            row[f"{prefix}_{k}"] = med([num(t, k) for t in texts])
        row[f"{prefix}_errors"] = sum((num(t, "errors") or 0) + (num(t, "non2xx") or 0) for t in texts)
    zooms = read("zoom")
    row["tile_zoom_p50"] = {z: med([num(t.split(f"z{z} ")[1], "p50") if f"z{z} " in t else None for t in zooms]) for z in ("12", "13", "14", "15", "16")}
    rows.append(row)
json.dump(rows, open(out, "w"), indent=1)
PY

if [ "$DROP_AFTER" = 1 ]; then for N in $SIZES; do psql "$ADMIN_URL" -qc "DROP DATABASE landguard_scale_$N WITH (FORCE)"; done; fi
"$VENV/bin/python" bench/scale_plot.py "$JSON" "$PNG" "$OUT"
say "table: $OUT; plot: $PNG; data: $JSON"
cat "$OUT"
