#!/usr/bin/env bash
# OGC API Features (issue 4): landguard against tipg 1.6.1 on the same PostGIS table in the same run, and
# against the bare PostGIS statement that produces the same GeoJSON (the physical limit):
#   1. full pull of a 100 000-unit layer, following `next` links with limit=10000 (bench/features_pull.py),
#      with the servers' resident memory sampled every 20 ms during the pull;
#      bare: psql \copy of the service's own SELECT over the whole layer to /dev/null; plain: \copy of the
#      same GeoJSON already rendered into a plain table (the floor issue 13 measures the pull against);
#   2. bbox queries (~1 km boxes around random units, limit=1000 so no page is cut) by one client alone
#      (a person panning a map, QGIS: each request waits for the one before, so this is pure latency) and
#      at 16 concurrent clients, for a fixed time (wrk + bench/features.lua); bare: the service's bbox
#      statement run by pgbench -M prepared with the same boxes, at 1 and 16 connections.
# Not run by the tests.
#
#   bash bench/features.sh
#
# Settings (environment): DURATION (20, seconds per bbox run), CONNS (16), ROUNDS (3; the three contenders
# take turns within a round, the order reversed in even rounds), UNITS (100000), BENCH_DB (landguard_bench_100k; generated once by bench/gen.sh),
# PORT_LG (18182), PORT_TIPG (18183), TIPG_WORKERS (2: one per core), LANDGUARD_BIN
# (target/release/landguard, built if missing), COMMIT (the commit the binary was built from: HEAD), OUT
# (bench/results/features-DATE.md).
# tipg runs from a venv under .run/ (pip install tipg==1.6.1 "uvicorn[standard]") with TIPG_WORKERS uvicorn
# workers of 8 connections each; landguard gets 16 connections. What tipg serves: bench/features_tipg.sql.
set -euo pipefail
cd "$(dirname "$0")/.."
# The commit the run starts at (the report is written at the end, when HEAD may have moved on).
COMMIT=${COMMIT:-$(git rev-parse --short HEAD)}

DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-3}
UNITS=${UNITS:-100000}
BENCH_DB=${BENCH_DB:-landguard_bench_100k}
PORT_LG=${PORT_LG:-18182}
PORT_TIPG=${PORT_TIPG:-18183}
TIPG_WORKERS=${TIPG_WORKERS:-2}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/features-$(date -u +%Y%m%dT%H%M%SZ).md}
WORK=$(mktemp -d /tmp/landguard-features.XXXXXX)
LG_PID= TIPG_PID=

cleanup() {
    for p in $LG_PID $TIPG_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }
field() { echo "$1" | sed -E "s/.*$2=([0-9.]+).*/\1/"; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null; }
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi
VENV=.run/venv-tipg
if [ ! -x "$VENV/bin/uvicorn" ] || ! "$VENV/bin/pip" show tipg 2>/dev/null | grep -q '^Version: 1.6.1$'; then
    say "pip install tipg==1.6.1 uvicorn[standard] into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check tipg==1.6.1 "uvicorn[standard]" >&2
fi

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

# --- data
have=$(psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")
meta=
[ "$have" = 1 ] && meta=$(psql "$BENCH_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if ! echo "$meta" | grep -q "\"units\" : $UNITS,"; then
    LANDGUARD_BIN=$LANDGUARD_BIN bash bench/gen.sh --db "$BENCH_DB" --units "$UNITS" --recreate >&2
fi
psql "$BENCH_URL" -q -f bench/features_tipg.sql
N_UNITS=$(psql "$BENCH_URL" -Atc "SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL")

# ~1 km boxes around 500 units picked by a fixed hash order
psql "$BENCH_URL" -q <<'SQL'
DROP TABLE IF EXISTS bench_bbox;
CREATE TABLE bench_bbox AS
SELECT row_number() OVER ()::int AS id, ST_X(c) - 0.005 AS x0, ST_Y(c) - 0.0045 AS y0, ST_X(c) + 0.005 AS x1, ST_Y(c) + 0.0045 AS y1
FROM (SELECT ST_PointOnSurface(geom) AS c FROM farmland_unit_versions
      WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 3) LIMIT 500) s;
ALTER TABLE bench_bbox ADD PRIMARY KEY (id);
SQL
psql "$BENCH_URL" -At -c "SELECT format('/collections/farmland_units/items?bbox=%s,%s,%s,%s&limit=1000', x0, y0, x1, y1) FROM bench_bbox ORDER BY id" > "$WORK/urls-lg.txt"
psql "$BENCH_URL" -At -c "SELECT format('/collections/bench_tipg.farmland_units/items?bbox=%s,%s,%s,%s&limit=1000', x0, y0, x1, y1) FROM bench_bbox ORDER BY id" > "$WORK/urls-tipg.txt"
BBOX_FEATURES=$(psql "$BENCH_URL" -Atc "SELECT round(avg(n)) || ' (' || min(n) || '-' || max(n) || ')' FROM (SELECT (SELECT count(*) FROM farmland_unit_versions v
    WHERE v.valid_to IS NULL AND v.superseded_at IS NULL AND ST_Intersects(v.geom, ST_MakeEnvelope(x0, y0, x1, y1, 4490))) AS n FROM bench_bbox) s")
say "$N_UNITS current units; features per bbox: $BBOX_FEATURES"

# --- the service's statements (src/store/items.rs for farmland_units, CRS84, 6 decimals, all properties)
FEATURE_SQL="json_build_array(v.unit_code)::text AS cursor, '{\"type\":\"Feature\",\"id\":' || to_json(v.unit_code)::text || ',\"geometry\":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',\"properties\":' || json_build_object('unit_code', v.unit_code, 'county_code', v.county_code, 'class', v.class, 'land_type', v.land_type, 'measures_in_place', v.measures_in_place, 'crops_compliant', v.crops_compliant, 'valid_from', v.valid_from, 'basis_doc', v.basis_doc, 'area_m2', round(v.area_m2::numeric, 2), 'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3))::text || '}' AS feature"
FULL_SQL="SELECT $FEATURE_SQL FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL ORDER BY v.unit_code ASC"
cat > "$WORK/bbox.pgbench" <<EOF
\\set id random(1, 500)
SELECT $FEATURE_SQL FROM farmland_unit_versions v, bench_bbox b WHERE b.id = :id AND v.valid_to IS NULL AND v.superseded_at IS NULL AND ST_Intersects(v.geom, ST_SetSRID(ST_MakeEnvelope(b.x0, b.y0, b.x1, b.y1, 4326), 4490)) ORDER BY v.unit_code ASC LIMIT 1000;
EOF

# --- servers
DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=$CONNS RUST_LOG=warn \
    "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT_LG" >"$WORK/lg.log" 2>&1 &
LG_PID=$!
(cd "$WORK" && DATABASE_URL="$BENCH_URL" TIPG_DB_SCHEMAS='["bench_tipg"]' TIPG_DB_MIN_CONN_SIZE=8 TIPG_DB_MAX_CONN_SIZE=$(( CONNS / TIPG_WORKERS )) \
    TIPG_TABLE_CONFIG__bench_tipg_farmland_units__PK=unit_code TIPG_MAX_FEATURES_PER_QUERY=10000 \
    exec "$OLDPWD/$VENV/bin/uvicorn" tipg.main:app --host 127.0.0.1 --port "$PORT_TIPG" --workers "$TIPG_WORKERS" \
    --log-level warning --no-access-log) >"$WORK/tipg.log" 2>&1 &
TIPG_PID=$!
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$PORT_LG/health" >/dev/null 2>&1 \
        && curl -fsS "http://127.0.0.1:$PORT_TIPG/collections/bench_tipg.farmland_units" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT_TIPG/collections/bench_tipg.farmland_units" >/dev/null || { cat "$WORK/tipg.log" >&2; exit 1; }
TIPG_PIDS=$(pgrep -P "$TIPG_PID" | tr '\n' ' ')

# --- same features? the service's first features are the bare statement's rows, byte for byte
psql "$BENCH_URL" -At -c "SELECT feature FROM ($FULL_SQL LIMIT 3) s" > "$WORK/bare3.txt"
curl -fsS "http://127.0.0.1:$PORT_LG/collections/farmland_units/items?limit=3" > "$WORK/lg3.json"
SAME=yes
while IFS= read -r f; do grep -qF -- "$f" "$WORK/lg3.json" || SAME=no; done < "$WORK/bare3.txt"
[ "$SAME" = yes ] || say "WARNING: the service's features differ from the bare statement's (has src/store/items.rs changed?)"
TIPG_FIRST=$(curl -fsS "http://127.0.0.1:$PORT_TIPG/collections/bench_tipg.farmland_units/items?limit=1" | jq_py "d['features'][0]['id'], d['numberMatched']")
LG_FIRST=$(jq_py "d['features'][0]['id']" < "$WORK/lg3.json")
say "first feature: landguard $LG_FIRST, tipg $TIPG_FIRST; landguard features equal the bare rows: $SAME"

pull_lg() { python3 bench/features_pull.py "http://127.0.0.1:$PORT_LG/collections/farmland_units/items?limit=10000" --pid "$LG_PID"; }
# shellcheck disable=SC2086
pull_tipg() { python3 bench/features_pull.py "http://127.0.0.1:$PORT_TIPG/collections/bench_tipg.farmland_units/items?limit=10000" $(for p in $TIPG_PIDS; do echo --pid "$p"; done); }
# The issue's own floor: the same GeoJSON already rendered, in a plain table, copied out whole (no rendering,
# no order, no paging): what a pull would cost if the service stored each version's GeoJSON when written.
pull_plain() {
    local t0 t1 bytes
    t0=$(date +%s.%N)
    bytes=$(psql "$BENCH_URL" -X -q -c "\\copy bench_plain_geojson TO STDOUT" | wc -c)
    t1=$(date +%s.%N)
    echo "{\"seconds\": $(echo "$t1 - $t0" | bc), \"features\": $N_UNITS, \"bytes\": $bytes}"
}
pull_bare() {
    local t0 t1 bytes
    t0=$(date +%s.%N)
    bytes=$(psql "$BENCH_URL" -X -q -c "\\copy ($FULL_SQL) TO STDOUT" | wc -c)
    t1=$(date +%s.%N)
    echo "{\"seconds\": $(echo "$t1 - $t0" | bc), \"features\": $N_UNITS, \"bytes\": $bytes}"
}
wrk_run() { # urls-file port [clients] -> RESULT
    local c=${3:-$CONNS} t=2
    [ "$c" = 1 ] && t=1
    URLS="$1" wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$2" | grep '^RESULT'
}
bare_bbox() { # [clients] -> RESULT
    local tps n p50 p99 c=${1:-$CONNS} j=2
    [ "$c" = 1 ] && j=1
    rm -f "$WORK"/pgb*
    tps=$(cd "$WORK" && pgbench -n -M prepared -c "$c" -j "$j" -T "$DURATION" -f "$WORK/bbox.pgbench" -l --log-prefix=pgb "$BENCH_URL" 2>/dev/null \
        | sed -nE 's/^tps = ([0-9.]+) .*without initial.*/\1/p')
    cat "$WORK"/pgb* | awk '{print $3 / 1000}' | sort -n > "$WORK/lat.txt"
    n=$(wc -l < "$WORK/lat.txt")
    p50=$(sed -n "$(( (n * 50 + 99) / 100 ))p" "$WORK/lat.txt")
    p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/lat.txt")
    echo "RESULT rps=$tps p50=$p50 p99=$p99 requests=$n"
}

psql "$BENCH_URL" -q -c "DROP TABLE IF EXISTS bench_plain_geojson" -c "CREATE TABLE bench_plain_geojson AS SELECT feature FROM ($FULL_SQL) s" \
    -c "VACUUM ANALYZE bench_plain_geojson"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up: one pull each, 5 s of bbox each"
pull_lg >/dev/null; pull_tipg >/dev/null; pull_bare >/dev/null; pull_plain >/dev/null
DURATION_SAVE=$DURATION; DURATION=5
wrk_run "$WORK/urls-lg.txt" "$PORT_LG" >/dev/null; wrk_run "$WORK/urls-tipg.txt" "$PORT_TIPG" >/dev/null; bare_bbox >/dev/null
DURATION=$DURATION_SAVE

declare -A PULL BBOX BBOX1
for r in $(seq 1 "$ROUNDS"); do
    order="lg tipg bare"; [ $((r % 2)) = 0 ] && order="bare tipg lg"   # alternate who goes first
    porder="$order plain"; [ $((r % 2)) = 0 ] && porder="plain $order"
    for who in $porder; do
        say "round $r: full pull, $who"
        PULL[$who,$r]=$(pull_$who)
        say "  $(echo "${PULL[$who,$r]}" | jq_py "d['seconds'], d['features'], d['bytes'], d.get('rss_kb', {}).get('max')")"
    done
    for who in $order; do
        say "round $r: bbox by one client alone for $DURATION s, $who"
        case $who in
            lg) BBOX1[$who,$r]=$(wrk_run "$WORK/urls-lg.txt" "$PORT_LG" 1) ;;
            tipg) BBOX1[$who,$r]=$(wrk_run "$WORK/urls-tipg.txt" "$PORT_TIPG" 1) ;;
            bare) BBOX1[$who,$r]=$(bare_bbox 1) ;;
        esac
        say "  ${BBOX1[$who,$r]}"
    done
    for who in $order; do
        say "round $r: bbox at $CONNS clients for $DURATION s, $who"
        case $who in
            lg) BBOX[$who,$r]=$(wrk_run "$WORK/urls-lg.txt" "$PORT_LG") ;;
            tipg) BBOX[$who,$r]=$(wrk_run "$WORK/urls-tipg.txt" "$PORT_TIPG") ;;
            bare) BBOX[$who,$r]=$(bare_bbox) ;;
        esac
        say "  ${BBOX[$who,$r]}"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report
mean() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(round(sum(v)/len(v), 3))" "$@"; }
pull_field() { echo "${PULL[$1,$2]}" | jq_py "$3"; }
mkdir -p "$(dirname "$OUT")"
{
    echo "### Features: landguard vs tipg 1.6.1 vs bare SQL ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, PostgreSQL $(psql "$BENCH_URL" -Atc 'SHOW server_version' | cut -d' ' -f1) (shared_buffers $(psql "$BENCH_URL" -Atc 'SHOW shared_buffers')); load average before $LOAD_BEFORE, after $LOAD_AFTER."
    echo "Data: $N_UNITS current farmland units (bench/gen.sh); bbox: 500 boxes of 0.010° x 0.009° (~1 km) around random units, $BBOX_FEATURES features each, limit=1000."
    echo "landguard $COMMIT (release build): 16 connections; tipg: $TIPG_WORKERS uvicorn workers x $(( CONNS / TIPG_WORKERS )) connections; wrk -t2 -c$CONNS -d${DURATION}s and wrk -t1 -c1; pgbench -M prepared -c$CONNS -j2 and -c1 -j1."
    echo "landguard's first features equal the bare statement's rows byte for byte: $SAME."
    echo
    echo "Full pull (limit=10000, following next):"
    echo
    echo "| round | landguard s | tipg s | bare \\copy s | plain-table \\copy s | landguard / tipg speed | landguard / bare time | landguard / plain time | landguard RSS start → max → end (MB) | tipg workers RSS start → max → end (MB) | bytes landguard / tipg |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    ls_all=(); ts_all=(); bs_all=(); ps_all=()
    for r in $(seq 1 "$ROUNDS"); do
        ls=$(pull_field lg "$r" "d['seconds']"); ts=$(pull_field tipg "$r" "d['seconds']"); bs=$(pull_field bare "$r" "d['seconds']")
        ps=$(pull_field plain "$r" "d['seconds']")
        ls_all+=("$ls"); ts_all+=("$ts"); bs_all+=("$bs"); ps_all+=("$ps")
        lrss=$(pull_field lg "$r" "' → '.join(str(round(d['rss_kb'][k] / 1024, 1)) for k in ('start', 'max', 'end'))")
        trss=$(pull_field tipg "$r" "' → '.join(str(round(d['rss_kb'][k] / 1024, 1)) for k in ('start', 'max', 'end'))")
        lb=$(pull_field lg "$r" "round(d['bytes'] / 1e6, 1)"); tb=$(pull_field tipg "$r" "round(d['bytes'] / 1e6, 1)")
        lf=$(pull_field lg "$r" "d['features']"); tf=$(pull_field tipg "$r" "d['features']")
        echo "| $r | $ls ($lf features) | $ts ($tf features) | $bs | $ps | $(echo "scale=2; $ts / $ls" | bc)x | $(echo "scale=2; $ls / $bs" | bc)x | $(echo "scale=2; $ls / $ps" | bc)x | $lrss | $trss | $lb MB / $tb MB |"
    done
    lm=$(mean "${ls_all[@]}"); tm=$(mean "${ts_all[@]}"); bm=$(mean "${bs_all[@]}"); pm=$(mean "${ps_all[@]}")
    echo "| **mean** | **$lm** | **$tm** | **$bm** | **$pm** | **$(echo "scale=2; $tm / $lm" | bc)x** | **$(echo "scale=2; $lm / $bm" | bc)x** | **$(echo "scale=2; $lm / $pm" | bc)x** | | | |"
    echo
    echo "bare: the service's own statement over the whole layer by \\copy (rendering the GeoJSON, in the pages' order); plain table: the same GeoJSON already rendered into a table of one text column, copied out whole (issue 13's floor for goal 3)."
    echo
    echo "bbox queries by one client alone (each request sent when the one before has been answered):"
    echo
    echo "| round | landguard req/s (p50 / p99 ms) | tipg req/s (p50 / p99 ms) | bare pgbench tx/s (p50 / p99 ms) | landguard p50 / bare p50 | landguard p50 − bare p50 (ms) |"
    echo "|---|---|---|---|---|---|"
    for r in $(seq 1 "$ROUNDS"); do
        l=${BBOX1[lg,$r]}; t=${BBOX1[tipg,$r]}; b=${BBOX1[bare,$r]}
        echo "| $r | $(field "$l" rps) ($(field "$l" p50) / $(field "$l" p99)) | $(field "$t" rps) ($(field "$t" p50) / $(field "$t" p99)) | $(field "$b" rps) ($(field "$b" p50) / $(field "$b" p99)) | $(awk -v a="$(field "$l" p50)" -v b="$(field "$b" p50)" 'BEGIN {printf "%.2fx | %.2f", a / b, a - b}') |"
    done
    echo
    echo "bbox queries at $CONNS concurrent clients:"
    echo
    echo "| round | landguard req/s (p50 / p99 ms) | tipg req/s (p50 / p99 ms) | bare pgbench tx/s (p50 / p99 ms) | landguard / tipg | landguard / bare |"
    echo "|---|---|---|---|---|---|"
    lr_all=(); tr_all=(); br_all=()
    for r in $(seq 1 "$ROUNDS"); do
        l=${BBOX[lg,$r]}; t=${BBOX[tipg,$r]}; b=${BBOX[bare,$r]}
        lr=$(field "$l" rps); tr=$(field "$t" rps); br=$(field "$b" rps)
        lr_all+=("$lr"); tr_all+=("$tr"); br_all+=("$br")
        echo "| $r | $lr ($(field "$l" p50) / $(field "$l" p99)) | $tr ($(field "$t" p50) / $(field "$t" p99)) | $br ($(field "$b" p50) / $(field "$b" p99)) | $(echo "scale=2; $lr / $tr" | bc)x | $(echo "scale=0; 100 * $lr / $br" | bc) % |"
    done
    lm=$(mean "${lr_all[@]}"); tm=$(mean "${tr_all[@]}"); bm=$(mean "${br_all[@]}")
    echo "| **mean** | **$lm** | **$tm** | **$bm** | **$(echo "scale=2; $lm / $tm" | bc)x** | **$(echo "scale=0; 100 * $lm / $bm" | bc) %** |"
    echo
    echo "Errors (socket / non-2xx) in the one-client bbox runs: landguard $(for r in $(seq 1 "$ROUNDS"); do echo "$(field "${BBOX1[lg,$r]}" errors)/$(field "${BBOX1[lg,$r]}" non2xx)"; done | paste -sd' '), tipg $(for r in $(seq 1 "$ROUNDS"); do echo "$(field "${BBOX1[tipg,$r]}" errors)/$(field "${BBOX1[tipg,$r]}" non2xx)"; done | paste -sd' ')."
    echo
    echo "Errors (socket / non-2xx) in the $CONNS-client bbox runs: landguard $(for r in $(seq 1 "$ROUNDS"); do echo "$(field "${BBOX[lg,$r]}" errors)/$(field "${BBOX[lg,$r]}" non2xx)"; done | paste -sd' '), tipg $(for r in $(seq 1 "$ROUNDS"); do echo "$(field "${BBOX[tipg,$r]}" errors)/$(field "${BBOX[tipg,$r]}" non2xx)"; done | paste -sd' ')."
    echo
    echo "landguard RSS during the last pull (s, MB): $(echo "${PULL[lg,$ROUNDS]}" | jq_py "' '.join(f'{t}:{round(v / 1024)}' for t, v in d['rss_series'])")"
    echo
    echo "tipg RSS during the last pull (s, MB): $(echo "${PULL[tipg,$ROUNDS]}" | jq_py "' '.join(f'{t}:{round(v / 1024)}' for t, v in d['rss_series'])")"
} | tee "$OUT"
say "written to $OUT"
