#!/usr/bin/env bash
# One person's click (issue 13, goal 1): each kind of request by one client alone (each request sent when the
# one before is answered, as a map panning or QGIS does) and by 16 concurrent clients, against the bare
# statement the service runs for it, run by pgbench -M prepared with the same values: the time the database
# needs, which is the floor. The statements come from the binary itself (`landguard sql`), so they are the
# service's own. Kinds:
#   feature        GET /collections/farmland_units/items/{id}; bare: `landguard sql farmland_units feature`
#   history        GET …/items/{id}/history; bare: `… history`
#   tile-cached    a z14 tile from the tile cache (warm); bare: `… data-version`, the one statement a cached
#                  tile runs when its process holds no tile lease (the read that keeps it from being older
#                  than the last committed write; under a lease, the default, it runs no statement at all)
#   tile-uncached  a z14 tile from a second server with the cache off; bare: `… tile` with the same z/x/y
# Items in a box and the access-rule checks have their own scripts with the same one-client and 16-client
# runs against their bare statements (bench/features.sh, bench/checks.sh); martin and tipg, the peers, are in
# bench/tiles.sh and bench/features.sh. Not run by the tests.
#
#   bash bench/latency.sh
#
# Settings (environment): DURATION (8, seconds per run), CONNS (16), ROUNDS (2; landguard and the bare
# statement alternate which goes first), KINDS ("feature history tile-cached tile-uncached"), N (100 ids and
# 100 tiles, by a fixed hash order), BENCH_DB (landguard_bench_latency, generated once by bench/gen.sh
# --units UNITS), UNITS (100000), PORT (18480; the uncached server PORT+1), LANDGUARD_BIN
# (target/release/landguard, built if missing), OUT (bench/results/latency-DATE.md).
# The aim it reports against: each p50 within 1.5x its bare statement's p50 plus 1 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMIT=${COMMIT:-$(git rev-parse --short HEAD)}
DURATION=${DURATION:-8}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-2}
KINDS=${KINDS:-feature history tile-cached tile-uncached}
N=${N:-100}
UNITS=${UNITS:-100000}
BENCH_DB=${BENCH_DB:-landguard_bench_latency}
PORT=${PORT:-18480}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/latency-$(date -u +%Y%m%dT%H%M%SZ).md}
WORK=$(mktemp -d /tmp/landguard-latency.XXXXXX)
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }
field() { echo "$1" | sed -nE "s/.*[ ]$2=([0-9.]+).*/\1/p"; }

command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null; }
command -v pgbench >/dev/null || { echo "pgbench (postgresql-15) is needed" >&2; exit 1; }
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

# --- data
meta=
if psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
    meta=$(psql "$BENCH_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
fi
if ! echo "$meta" | grep -q "\"units\" : $UNITS,"; then
    LANDGUARD_BIN=$LANDGUARD_BIN bash bench/gen.sh --db "$BENCH_DB" --units "$UNITS" --recreate >&2
    psql "$BENCH_URL" -qc "VACUUM (ANALYZE)"
fi
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate >&2
psql "$ADMIN_URL" -qc "ALTER DATABASE $BENCH_DB SET jit = off"
N_UNITS=$(psql "$BENCH_URL" -Atc "SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL")

# N current units and N z14 tiles that hold units, in a fixed hash order
psql "$BENCH_URL" -At -F ' ' -c "SELECT unit_code FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL
    ORDER BY hashint8extended(version_id, 7) LIMIT $N" > "$WORK/ids.txt"
psql "$BENCH_URL" -At -F ' ' -c "SELECT DISTINCT ON (x, y) x, y FROM (
      SELECT floor((ST_X(c) + 180) / 360 * 16384)::int AS x,
             floor((1 - ln(tan(radians(ST_Y(c))) + 1 / cos(radians(ST_Y(c)))) / pi()) / 2 * 16384)::int AS y,
             hashint8extended(version_id, 7) AS h
      FROM (SELECT version_id, ST_PointOnSurface(geom) AS c FROM farmland_unit_versions
            WHERE valid_to IS NULL AND superseded_at IS NULL ORDER BY hashint8extended(version_id, 11) LIMIT $((N * 20))) s) t
    ORDER BY x, y, h LIMIT $N" > "$WORK/tiles.txt"
sed 's#^#/collections/farmland_units/items/#' "$WORK/ids.txt" > "$WORK/urls-feature.txt"
sed 's#$#/history#' "$WORK/urls-feature.txt" > "$WORK/urls-history.txt"
awk '{print "/collections/farmland_units/tiles/WebMercatorQuad/14/" $2 "/" $1}' "$WORK/tiles.txt" > "$WORK/urls-tile.txt"

# --- the bare statements, as the binary prints them (`landguard sql`), run by pgbench -M prepared: each
# transaction picks an id or a tile at random from a small table and binds it (pgbench sends :variables as
# parameters, as the service binds them). The pick is one more tiny statement in the bare time; its own time
# is measured and reported beside it.
psql "$BENCH_URL" -q <<SQL
DROP TABLE IF EXISTS bench_latency_ids, bench_latency_tiles;
CREATE TABLE bench_latency_ids (i int PRIMARY KEY, id text);
CREATE TABLE bench_latency_tiles (i int PRIMARY KEY, x int, y int);
SQL
nl -w1 -s, "$WORK/ids.txt" | psql "$BENCH_URL" -qc "\\copy bench_latency_ids FROM STDIN WITH (FORMAT csv)"
awk '{print NR "," $1 "," $2}' "$WORK/tiles.txt" | psql "$BENCH_URL" -qc "\\copy bench_latency_tiles FROM STDIN WITH (FORMAT csv)"
psql "$BENCH_URL" -qc "ANALYZE bench_latency_ids; ANALYZE bench_latency_tiles"
mkdir -p "$WORK/bare"
stmt() { # kind binds... : the statement with $1.. replaced by the values or pgbench variables given
    local sql i=1
    sql=$("$LANDGUARD_BIN" sql farmland_units "$1" | grep -v '^[[:space:]]*--')
    shift
    for v in "$@"; do sql=$(printf '%s\n' "$sql" | sed -E "s/\\\$$i([^0-9]|\$)/$v\1/g"); i=$((i + 1)); done
    printf '%s;\n' "$sql"
}
pick_id='\set i random(1, '"$(wc -l < "$WORK/ids.txt")"')
SELECT id FROM bench_latency_ids WHERE i = :i \gset'
pick_tile='\set i random(1, '"$(wc -l < "$WORK/tiles.txt")"')
SELECT x, y FROM bench_latency_tiles WHERE i = :i \gset'
printf '%s\n%s\n' "$pick_id" "$(stmt feature :id)" > "$WORK/bare/feature.pgbench"
printf '%s\n%s\n' "$pick_id" "$(stmt history :id)" > "$WORK/bare/history.pgbench"
printf '%s\n%s\n' "$pick_tile" "$(stmt tile 14 :x :y 1.0 8.0 true)" > "$WORK/bare/tile-uncached.pgbench"
printf '%s\n' "$(stmt data-version "'farmland_units'")" > "$WORK/bare/tile-cached.pgbench"
printf '%s\n' "$pick_id" > "$WORK/bare/pick.pgbench"

# --- servers: the cache on, and off
DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=$CONNS RUST_LOG=warn "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/lg.log" 2>&1 &
PIDS="$PIDS $!"
DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=$CONNS LANDGUARD_TILE_CACHE_BYTES=0 RUST_LOG=warn \
    "$LANDGUARD_BIN" serve --bind "127.0.0.1:$((PORT + 1))" >"$WORK/lg-uncached.log" 2>&1 &
PIDS="$PIDS $!"
for p in "$PORT" "$((PORT + 1))"; do
    for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$p/health" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:$p/health" >/dev/null || { cat "$WORK"/lg*.log >&2; exit 1; }
done

# --- the same answers? the service's feature is the bare statement's, and its tile the bare tile's bytes
id1=$(head -n 1 "$WORK/ids.txt")
bare_feature=$(psql "$BENCH_URL" -At -c "$(stmt feature "'$id1'")" | cut -d'|' -f3)
lg_feature=$(curl -fsS "http://127.0.0.1:$PORT/collections/farmland_units/items/$id1")
SAME_FEATURE=no
python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); b.pop('links', None); sys.exit(0 if a == b else 1)" \
    "$bare_feature" "$lg_feature" && SAME_FEATURE=yes
read -r x1 y1 < "$WORK/tiles.txt"
curl -fsS "http://127.0.0.1:$((PORT + 1))/collections/farmland_units/tiles/WebMercatorQuad/14/$y1/$x1" -o "$WORK/lg-tile.mvt"
{ echo "SELECT encode(mvt, 'hex') FROM ("; stmt tile 14 "$x1" "$y1" 1.0 8.0 true | sed '$ s/;$//'; echo ") t;"; } \
    | psql "$BENCH_URL" -At -f - | xxd -r -p > "$WORK/bare-tile.mvt"
SAME_TILE=no
cmp -s "$WORK/lg-tile.mvt" "$WORK/bare-tile.mvt" && SAME_TILE=yes
say "$N_UNITS units; the feature equals the bare statement's: $SAME_FEATURE; the z14 tile's bytes equal the bare statement's: $SAME_TILE ($(wc -c < "$WORK/lg-tile.mvt") bytes)"

wrk_run() { # urls port clients -> RESULT
    local c=$3 t=2
    [ "$c" = 1 ] && t=1
    URLS="$1" wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 20s -s bench/features.lua "http://127.0.0.1:$2" | grep '^RESULT'
}
bare_run() { # kind clients -> RESULT
    local kind=$1 c=$2 j=2 tps n p50 p99
    [ "$c" = 1 ] && j=1
    rm -f "$WORK"/pgb*
    tps=$(cd "$WORK" && pgbench -n -M prepared -c "$c" -j "$j" -T "$DURATION" -f "$WORK/bare/$kind.pgbench" -l --log-prefix=pgb "$BENCH_URL" 2>"$WORK/pgbench.err" \
        | sed -nE 's/^tps = ([0-9.]+) .*without initial.*/\1/p')
    [ -n "$tps" ] || { cat "$WORK/pgbench.err" >&2; exit 1; }
    cat "$WORK"/pgb* | awk '{print $3 / 1000}' | sort -n > "$WORK/lat.txt"
    n=$(wc -l < "$WORK/lat.txt")
    p50=$(sed -n "$(( (n * 50 + 99) / 100 ))p" "$WORK/lat.txt")
    p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/lat.txt")
    echo "RESULT rps=$tps p50=$p50 p99=$p99 requests=$n"
}
lg_run() { # kind clients
    case $1 in
        feature) wrk_run "$WORK/urls-feature.txt" "$PORT" "$2" ;;
        history) wrk_run "$WORK/urls-history.txt" "$PORT" "$2" ;;
        tile-cached) wrk_run "$WORK/urls-tile.txt" "$PORT" "$2" ;;
        tile-uncached) wrk_run "$WORK/urls-tile.txt" "$((PORT + 1))" "$2" ;;
    esac
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up: every tile into the cache, 2 s of each kind"
while read -r u; do curl -fsS -o /dev/null "http://127.0.0.1:$PORT$u"; done < "$WORK/urls-tile.txt"
DSAVE=$DURATION; DURATION=2
for k in $KINDS; do lg_run "$k" 1 >/dev/null; bare_run "$k" 1 >/dev/null; done
DURATION=$DSAVE
declare -A R
for r in $(seq 1 "$ROUNDS"); do
    order="lg bare"; [ $((r % 2)) = 0 ] && order="bare lg"
    for k in $KINDS; do
        for c in 1 "$CONNS"; do
            for who in $order; do
                R[$k,$c,$who,$r]=$("${who}_run" "$k" "$c")
                say "round $r $k c=$c $who: ${R[$k,$c,$who,$r]}"
            done
        done
    done
done
PICK=$(bare_run pick 1)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report
med() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))" "$@"; }
pick() { local k=$1 c=$2 who=$3 f=$4 r vals=(); for r in $(seq 1 "$ROUNDS"); do vals+=("$(field " ${R[$k,$c,$who,$r]}" "$f")"); done; med "${vals[@]}"; }
mkdir -p "$(dirname "$OUT")"
{
    echo "### One client and $CONNS clients against the bare statement ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "landguard $COMMIT ($LANDGUARD_BIN), $CONNS database connections; $N_UNITS current farmland units (bench/gen.sh, $BENCH_DB);"
    echo "$N ids and $N z14 tiles in a fixed hash order; wrk -t1 -c1 and -t2 -c$CONNS, ${DURATION} s a run; pgbench -M prepared -c1 -j1 and -c$CONNS -j2;"
    echo "$ROUNDS rounds, landguard and the bare statement alternating which goes first. Machine: $(nproc) cores; load average before $LOAD_BEFORE, after $LOAD_AFTER."
    echo "The bare feature, history and uncached tile runs include picking the id or tile at random (one more statement); that pick alone, by one client: p50 $(field " $PICK" p50) ms."
    echo "The feature equals the bare statement's row: $SAME_FEATURE. The uncached z14 tile's bytes equal the bare statement's: $SAME_TILE."
    echo
    echo "Medians of the rounds. Aim (one client): landguard p50 ≤ 1.5 × bare p50 + 1 ms."
    echo
    echo "| request | clients | landguard req/s | p50 ms | p99 ms | bare tx/s | bare p50 ms | bare p99 ms | p50 ratio | aim (ms) | met |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for k in $KINDS; do
        for c in 1 "$CONNS"; do
            lr=$(pick "$k" "$c" lg rps); l50=$(pick "$k" "$c" lg p50); l99=$(pick "$k" "$c" lg p99)
            br=$(pick "$k" "$c" bare rps); b50=$(pick "$k" "$c" bare p50); b99=$(pick "$k" "$c" bare p99)
            read -r ratio aim met < <(python3 -c "l,b=$l50,$b50; a=1.5*b+1; print(f'{l/b:.2f}x' if b else '-', f'{a:.2f}', 'yes' if l<=a else 'NO')")
            [ "$c" = 1 ] || { aim=; met=; }
            echo "| $k | $c | $lr | $l50 | $l99 | $br | $b50 | $b99 | $ratio | $aim | $met |"
        done
    done
    echo
    echo "Every run:"
    echo
    for r in $(seq 1 "$ROUNDS"); do for k in $KINDS; do for c in 1 "$CONNS"; do for who in lg bare; do
        echo "- round $r, $k, $c clients, $who: ${R[$k,$c,$who,$r]}"
    done; done; done; done
    echo
    echo "Errors of landguard's runs (wrk): $(for k in $KINDS; do for c in 1 "$CONNS"; do for r in $(seq 1 "$ROUNDS"); do field " ${R[$k,$c,lg,$r]}" errors; field " ${R[$k,$c,lg,$r]}" non2xx; done; done; done | paste -sd+ | bc) (socket errors and non-2xx answers, summed)."
} > "$OUT"
cat "$OUT"
say "report: $OUT"
