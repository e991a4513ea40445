#!/usr/bin/env bash
# Vector-tile latency and throughput: landguard against martin, on the same PostGIS table, uncached and
# cached, with wrk over a fixed list of tile URLs for a bounded time: by one client alone (each tile asked for
# when the one before has arrived: pure latency) and at a fixed concurrency.
#
#   bash bench/tiles.sh                  # everything it can run (martin only if installed, see below)
#   INSTALL_MARTIN=1 bash bench/tiles.sh # also `cargo install martin` first (~35 min on 2 cores)
#
# Settings (environment): DURATION (20s per run), ROUNDS (1; rounds alternate the servers and the
# report adds the medians), CONNS (16), THREADS (2), PORT_LG (18080),
# PORT_MARTIN (13000), BENCH_DB (landguard_bench), LANDGUARD_BIN (target/release/landguard, built if
# missing), BASELINE_BIN (another landguard build, e.g. of an older commit: then its uncached tiles are
# measured in the same rounds, cache off and on, the two alternating which goes first, rows "baseline uncached" and "baseline cached"), BASELINE_ENV
# (settings for the baseline server, e.g. LANDGUARD_TILE_LEASE_MS=0: the same build without leases), MARTIN_BIN (martin on PATH, or ~/.cargo/bin/martin), MARTIN_VERSION (1.14.0, the last one
# that builds with rustc 1.95), NO_100K=1 (demo data only), CACHED_ONLY=1 (only the cached rows, without the
# like-with-like check: for a change to the cached path alone), WRITE_SECS (5: each round also times writes
# to the layer, one every 50 ms through pgbench, while one client reads cached tiles, with tile leases on
# and off: what a lease costs a writer; 0 skips it), OUT (bench/results/tiles-DATE.md).
# Each row also gives the server's own CPU time per request served (user + system, /proc/PID/stat; the
# database's not included), which a shared machine's load changes far less than the wall-clock figures.
#
# The data: a database of its own on the cluster of DATABASE_URL (or scripts/pg.sh), migrated, with the
# demo data and 100 000 generated farmland units (bench/tiles_100k.sql); martin serves the view
# bench_farmland_units, the same current rows and properties as landguard's farmland_units layer, with
# ST_AsMVTGeom's clipping only ("martin": martin's own treatment, NOT like with like: landguard simplifies
# to the tile grid and leaves out features under a pixel), and the function source landguard_same
# ("martin_same": a PL/pgSQL function running landguard's own tile statement at full detail, as the binary
# prints it (`landguard sql farmland_units tile` and `tile-z12`), so the two servers do the same database
# work; the script checks
# that the two answer the same bytes for every tile of the list).
# Both get 16 database connections and jit=off (set on the bench database: PostGIS's high function
# costs make JIT compile short tile queries). Only loopback addresses are used; every server started
# here is stopped on exit. Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-1}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
PORT_LG=${PORT_LG:-18080}
PORT_MARTIN=${PORT_MARTIN:-13000}
BENCH_DB=${BENCH_DB:-landguard_bench}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
MARTIN_VERSION=${MARTIN_VERSION:-1.14.0}
OUT=${OUT:-bench/results/tiles-$(date -u +%Y%m%dT%H%M%SZ).md}
WORK=$(mktemp -d /tmp/landguard-bench.XXXXXX)
PIDS=()

cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo ">> $*" >&2; }

command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null; }
command -v psql >/dev/null || { echo "psql is needed" >&2; exit 1; }

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

# --- martin: optional, slow to build; the figures say "pending" without it
MARTIN_BIN=${MARTIN_BIN:-$(command -v martin || echo "$HOME/.cargo/bin/martin")}
if [ ! -x "$MARTIN_BIN" ] && [ "${INSTALL_MARTIN:-0}" = 1 ]; then
    say "cargo install martin --version $MARTIN_VERSION --locked, postgres only (slow: ~35 min on 2 cores)"
    timeout 4h cargo install martin --version "$MARTIN_VERSION" --locked --no-default-features --features postgres
    MARTIN_BIN="$HOME/.cargo/bin/martin"
fi
HAVE_MARTIN=0
[ -x "$MARTIN_BIN" ] && HAVE_MARTIN=1

# --- landguard release binary
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release
fi

# --- the bench database: migrated, demo data, the 100k layer, the martin view
if ! psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
    say "creating database $BENCH_DB"
    psql "$ADMIN_URL" -qc "CREATE DATABASE $BENCH_DB"
fi
psql "$ADMIN_URL" -qc "ALTER DATABASE $BENCH_DB SET jit = off"
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" demo-status >/dev/null 2>&1 || DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" demo-load fixtures/
if [ "${NO_100K:-0}" != 1 ]; then
    say "100 000 generated farmland units (once)"
    psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 -f bench/tiles_100k.sql
else
    psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 -c "$(sed -n '/CREATE OR REPLACE VIEW/,$p' bench/tiles_100k.sql)"
fi
say "martin's function source landguard_same: landguard's own tile statement (landguard sql)"
# $1..$3 stay: in PL/pgSQL they are the function's z, x and y, bound as landguard binds them (int4); $4..$6
# become variables holding what landguard binds at full detail (src/store/tiles.rs, detail_params), so that
# they reach the plan as parameters, as landguard's do, not as constants the planner could fold.
tile_body() { "$LANDGUARD_BIN" sql farmland_units "$1" | sed '1d; s/\$4/lg_tolerance/g; s/\$5/lg_smallest/g; s/\$6/lg_full/g'; }
psql "$BENCH_URL" -q -v ON_ERROR_STOP=1 <<SQL
CREATE OR REPLACE FUNCTION landguard_same(z integer, x integer, y integer) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE AS \$fn\$
DECLARE
lg_tolerance float8 := 1.0;
lg_smallest float8 := 8.0;
lg_full boolean := true;
BEGIN
IF z <= 12 THEN
RETURN (SELECT s.mvt FROM (
$(tile_body tile-z12)
) s);
END IF;
RETURN (SELECT s.mvt FROM (
$(tile_body tile)
) s);
END
\$fn\$;
SQL
FEATURES=$(psql "$BENCH_URL" -Atc "SELECT count(*) FROM bench_farmland_units")
say "$FEATURES current farmland units"

# --- a fixed list of tiles: up to 150 per zoom 12..16 holding features (of the 100k layer when it is
# there, else of the demo data), picked by a fixed hash order
ONLY_BENCH=true
[ "${NO_100K:-0}" = 1 ] && ONLY_BENCH=false
psql "$BENCH_URL" -At -F ' ' -v only_bench="$ONLY_BENCH" > "$WORK/tiles.txt" <<'SQL'
WITH z AS (SELECT generate_series(12, 16) AS z),
c AS (SELECT ST_X(p) AS lon, ST_Y(p) AS lat
      FROM (SELECT ST_PointOnSurface(geom) AS p FROM bench_farmland_units
            WHERE (unit_code LIKE '%-BENCH-%') = :only_bench) s),
t AS (SELECT DISTINCT z.z,
             floor((c.lon + 180) / 360 * 2 ^ z.z)::int AS x,
             floor((1 - ln(tan(radians(c.lat)) + 1 / cos(radians(c.lat))) / pi()) / 2 * 2 ^ z.z)::int AS y
      FROM z, c),
r AS (SELECT t.*, row_number() OVER (PARTITION BY z ORDER BY md5(z || '/' || x || '/' || y)) AS n FROM t)
SELECT z, x, y FROM r WHERE n <= 150 ORDER BY md5(z || '/' || x || '/' || y);
SQL
NTILES=$(wc -l < "$WORK/tiles.txt")
awk '{print "/collections/farmland_units/tiles/WebMercatorQuad/" $1 "/" $3 "/" $2}' "$WORK/tiles.txt" > "$WORK/urls-landguard.txt"
awk '{print "/bench_farmland_units/" $1 "/" $2 "/" $3}' "$WORK/tiles.txt" > "$WORK/urls-martin.txt"
awk '{print "/landguard_same/" $1 "/" $2 "/" $3}' "$WORK/tiles.txt" > "$WORK/urls-martin-same.txt"
ZOOMS=$(awk '{n[$1]++} END {for (z in n) printf "%s z%s, ", n[z], z}' "$WORK/tiles.txt" | sed 's/, $//')
say "$NTILES tile URLs: $ZOOMS"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

cat > "$WORK/urls.lua" <<'LUA'
-- Cycles through a fixed list of paths, each thread from its own offset.
local paths = {}
for line in io.lines(os.getenv("URLS")) do paths[#paths + 1] = line end
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
function init(args) i = tonumber(offset) or 0 end
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
    io.write(string.format("RESULT rps=%.1f p50=%.2f p90=%.2f p99=%.2f errors=%d non2xx=%d requests=%d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        summary.errors.status, summary.requests))
end
LUA

wait_up() {
    for _ in $(seq 1 100); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.2
    done
    echo "server at $1 did not come up" >&2
    return 1
}

stop_last() {
    local p=${PIDS[-1]}
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    unset 'PIDS[-1]'
}

# One pass over every URL (fills a cache; checks every tile answers 200).
warm() {
    local base=$1 list=$2 bad=0
    while read -r path; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
        [ "$code" = 200 ] || bad=$((bad + 1))
    done < "$list"
    [ "$bad" = 0 ] || say "warning: $bad tiles did not answer 200 at $base"
}

RESULTS=()
TICK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# One wrk run against the server started last, with the server's own CPU time per request served (user +
# system from /proc, the database's not included): the load of a shared machine changes it far less than
# the wall-clock figures.
measure() { # threads conns list base
    local pid=${PIDS[-1]} t0 t1 line n
    t0=$(ticks "$pid")
    line=$(URLS="$3" timeout 120 wrk -t"$1" -c"$2" -d"$DURATION" --latency -s "$WORK/urls.lua" "$4" | grep '^RESULT' || true)
    t1=$(ticks "$pid")
    n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$line")
    [ -n "$line" ] && line="$line cpu_us=$(awk -v a="$t0" -v b="$t1" -v t="$TICK" -v n="${n:-0}" 'BEGIN {printf "%.1f", (n > 0 ? (b - a) / t / n * 1e6 : 0)}')"
    echo "$line"
}
run() { # name base list: one client alone, then CONNS clients
    local name=$1 base=$2 list=$3
    local line
    line=$(measure 1 1 "$list" "$base")
    say "$name, 1 client: ${line:-no result}"
    RESULTS+=("$name, 1 client|$line")
    line=$(measure "$THREADS" "$CONNS" "$list" "$base")
    say "$name: ${line:-no result}"
    RESULTS+=("$name|$line")
}

start_landguard() { # cache bytes [binary [settings]]
    # shellcheck disable=SC2086 # the settings are words on purpose
    env ${3:-} DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=16 LANDGUARD_TILE_CACHE_BYTES=$1 RUST_LOG=warn \
        "${2:-$LANDGUARD_BIN}" serve --bind "127.0.0.1:$PORT_LG" > "$WORK/landguard.log" 2>&1 &
    PIDS+=($!)
    wait_up "http://127.0.0.1:$PORT_LG/health"
}

start_martin() {
    "$MARTIN_BIN" --listen-addresses "127.0.0.1:$PORT_MARTIN" --pool-size 16 --cache-size "$1" "$BENCH_URL" \
        > "$WORK/martin.log" 2>&1 &
    PIDS+=($!)
    wait_up "http://127.0.0.1:$PORT_MARTIN/catalog"
}

LG="http://127.0.0.1:$PORT_LG"
MA="http://127.0.0.1:$PORT_MARTIN"

# Like with like: landguard (cache off) and martin's landguard_same must answer the same bytes for every
# tile of the list (a tile over landguard's size bound would be made again with less detail, and differ).
SAME="martin not installed"
[ "${CACHED_ONLY:-0}" = 1 ] && SAME="not checked (CACHED_ONLY=1)"
if [ "$HAVE_MARTIN" = 1 ] && [ "${CACHED_ONLY:-0}" != 1 ]; then
    start_landguard 0
    start_martin 0
    same=0 differ=0
    paste "$WORK/urls-landguard.txt" "$WORK/urls-martin-same.txt" > "$WORK/pairs.txt"
    while read -r a b; do
        if [ "$(curl -s "$LG$a" | md5sum)" = "$(curl -s "$MA$b" | md5sum)" ]; then
            same=$((same + 1))
        else
            differ=$((differ + 1))
        fi
    done < "$WORK/pairs.txt"
    stop_last
    stop_last
    SAME="$same of $((same + differ)) tiles byte-identical between landguard and martin_same ($differ differ)"
    say "$SAME"
fi

# Rounds alternate the servers, so that a change in the machine's load falls on both.
baseline() {
    [ -n "${BASELINE_BIN:-}" ] && [ "${CACHED_ONLY:-0}" != 1 ] || return 0
    say "round $round: baseline ($BASELINE_BIN), cache off"
    start_landguard 0 "$BASELINE_BIN" "${BASELINE_ENV:-}"
    warm "$LG" "$WORK/urls-landguard.txt"
    run "baseline uncached" "$LG" "$WORK/urls-landguard.txt"
    stop_last
}
baseline_cached() {
    [ -n "${BASELINE_BIN:-}" ] || return 0
    say "round $round: baseline ($BASELINE_BIN), cache on (64 MiB)"
    start_landguard $((64 * 1024 * 1024)) "$BASELINE_BIN" "${BASELINE_ENV:-}"
    warm "$LG" "$WORK/urls-landguard.txt"
    run "baseline cached" "$LG" "$WORK/urls-landguard.txt"
    stop_last
}
# A write to the layer every 50 ms for WRITE_SECS (pgbench; the statement changes no row but, like any
# write, bumps the layer's change counter, and so waits for any tile lease on it), while one client reads
# cached tiles: the write's mean time, with the service's tile leases on (the default period) and off.
WRITE_SECS=${WRITE_SECS:-5}
WRITES=()
printf '\\sleep 50 ms\nUPDATE farmland_unit_versions SET class = class WHERE false;\n' > "$WORK/write.sql"
writes() { # name settings
    start_landguard $((64 * 1024 * 1024)) "$LANDGUARD_BIN" "$2"
    warm "$LG" "$WORK/urls-landguard.txt"
    URLS="$WORK/urls-landguard.txt" timeout 120 wrk -t1 -c1 -d"$((WRITE_SECS + 2))s" -s "$WORK/urls.lua" "$LG" \
        > "$WORK/wrk-writes.txt" &
    local reader=$! ms
    sleep 1
    ms=$(pgbench -n -c1 -T "$WRITE_SECS" -r -f "$WORK/write.sql" "$BENCH_URL" 2>/dev/null | awk '/UPDATE/ {print $1}')
    wait "$reader" || true
    WRITES+=("$1|${ms:-?}|$(sed -n 's/.*rps=\([^ ]*\).*/\1/p' "$WORK/wrk-writes.txt")")
    say "$1: a write took ${ms:-?} ms on average"
    stop_last
}
for round in $(seq 1 "$ROUNDS"); do
    [ $((round % 2)) = 0 ] && baseline
    if [ "${CACHED_ONLY:-0}" != 1 ]; then
        say "round $round: landguard, cache off"
        start_landguard 0
        warm "$LG" "$WORK/urls-landguard.txt"
        run "landguard uncached" "$LG" "$WORK/urls-landguard.txt"
        stop_last
    fi
    [ $((round % 2)) = 1 ] && baseline
    if [ "$HAVE_MARTIN" = 1 ] && [ "${CACHED_ONLY:-0}" != 1 ]; then
        say "round $round: martin, cache off"
        start_martin 0
        warm "$MA" "$WORK/urls-martin.txt"
        run "martin uncached" "$MA" "$WORK/urls-martin.txt"
        stop_last
        say "round $round: martin_same (landguard's statement as a function source), cache off"
        start_martin 0
        warm "$MA" "$WORK/urls-martin-same.txt"
        run "martin_same uncached" "$MA" "$WORK/urls-martin-same.txt"
        stop_last
    fi
    [ $((round % 2)) = 0 ] && baseline_cached
    say "round $round: landguard, cache on (64 MiB)"
    start_landguard $((64 * 1024 * 1024))
    warm "$LG" "$WORK/urls-landguard.txt"
    run "landguard cached" "$LG" "$WORK/urls-landguard.txt"
    stop_last
    [ $((round % 2)) = 1 ] && baseline_cached
    if [ "$HAVE_MARTIN" = 1 ]; then
        say "round $round: martin, cache on (512 MB)"
        start_martin 512
        warm "$MA" "$WORK/urls-martin.txt"
        run "martin cached" "$MA" "$WORK/urls-martin.txt"
        stop_last
    fi
    if [ "$WRITE_SECS" != 0 ]; then
        if [ $((round % 2)) = 1 ]; then
            writes "leases on" ""
            writes "leases off" "LANDGUARD_TILE_LEASE_MS=0"
        else
            writes "leases off" "LANDGUARD_TILE_LEASE_MS=0"
            writes "leases on" ""
        fi
    fi
done

mkdir -p "$(dirname "$OUT")"
{
    echo "# Tiles: landguard $(git rev-parse --short HEAD 2>/dev/null || echo '?') vs martin"
    [ -n "${BASELINE_BIN:-}" ] && echo && echo "baseline: $BASELINE_BIN (${BASELINE_NOTE:-another landguard build})${BASELINE_ENV:+, with $BASELINE_ENV}"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average before the runs: $LOAD, after: $(cut -d' ' -f1-3 /proc/loadavg); $FEATURES farmland units;"
    echo "$NTILES tiles ($ZOOMS);"
    echo "like with like: $SAME;"
    echo "wrk -t1 -c1 -d$DURATION (rows marked 1 client) and wrk -t$THREADS -c$CONNS -d$DURATION; martin: $([ "$HAVE_MARTIN" = 1 ] && "$MARTIN_BIN" --version || echo 'not installed')"
    echo
    echo "| server | requests/s | p50 ms | p90 ms | p99 ms | errors | non-2xx | server CPU µs/request |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for r in "${RESULTS[@]}"; do
        name=${r%%|*}
        line=${r#*|}
        get() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<< "$line"; }
        echo "| $name | $(get rps) | $(get p50) | $(get p90) | $(get p99) | $(get errors) | $(get non2xx) | $(get cpu_us) |"
    done
    if [ "$ROUNDS" -gt 1 ]; then
        echo
        echo "Median over $ROUNDS rounds:"
        echo
        echo "| server | requests/s | p50 ms | p99 ms | server CPU µs/request |"
        echo "|---|---:|---:|---:|---:|"
        for name in "landguard uncached, 1 client" "baseline uncached, 1 client" "martin uncached, 1 client" \
            "martin_same uncached, 1 client" "landguard cached, 1 client" "baseline cached, 1 client" \
            "martin cached, 1 client" "landguard uncached" "baseline uncached" "martin uncached" \
            "martin_same uncached" "landguard cached" "baseline cached" "martin cached"; do
            rows=$(printf '%s\n' "${RESULTS[@]}" | grep "^$name|" || true)
            [ -n "$rows" ] || continue
            med() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<< "$rows" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
            echo "| $name | $(med rps) | $(med p50) | $(med p99) | $(med cpu_us) |"
        done
    fi
    if [ "${#WRITES[@]}" -gt 0 ]; then
        echo
        echo "A write to the layer every 50 ms for ${WRITE_SECS}s (pgbench), while one client reads cached tiles from landguard:"
        echo
        echo "| landguard | a write's mean time, ms | tiles/s read meanwhile |"
        echo "|---|---:|---:|"
        for r in "${WRITES[@]}"; do
            IFS='|' read -r name ms rps <<< "$r"
            echo "| $name | $ms | $rps |"
        done
    fi
} > "$OUT"
cat "$OUT"
