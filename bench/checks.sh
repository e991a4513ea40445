#!/usr/bin/env bash
# Access-rule checks (issue 3): checks per second and latency at 16 concurrent clients through the HTTP
# service, side by side with the same spatial SQL (src/store/sql/check_facts.sql, the same query polygons,
# the same parameters) run bare by pgbench: the physical limit. And a third side, "bare + receipt": what the
# service asks of the database for one check, run bare by pgbench (check_receipt_facts.sql, which holds
# check_facts.sql, then the INSERT of an answer as large as the service's, committed on its own): the limit for
# a service that keeps every answer durably before it sends it. Not run by the tests.
#
#   bash bench/checks.sh
#
# Settings (environment): DURATION (20, seconds per run), CONNS (16), ROUNDS (4: service and bare take turns,
# which one goes first alternating between rounds, so that a change in the machine's load hits both alike), UNITS (200000), PARCELS (1000), NQ (1000 query
# polygons), BENCH_DB (landguard_bench_checks; generated once by bench/gen.sh), PORT (18181),
# LANDGUARD_BIN (target/release/landguard, built if missing), OUT (bench/results/checks-DATE.md), BASELINE_BIN
# (another landguard build, e.g. main's: then it runs as a fourth side, "baseline", on PORT+1 over the same
# database, in the same alternating rounds, and the report gives service / baseline; the bare sides are this
# checkout's SQL), BASELINE_NOTE (what the baseline is, for the report).
#
# Two kinds of check: `rezoning` to urban housing (070101; overlaps only: buffer 0) and `eia-site` for a
# heavy-metal plant (1 000 m farmland buffer: ST_DWithin on geography, many more units per answer). The
# service parses and validates the request, reprojects, runs check_facts.sql (inside
# check_receipt_facts.sql, with the location and registry state of the receipt), evaluates the rules, keeps
# the answer (one INSERT into check_answers on the primary) and writes it; pgbench runs check_facts.sql alone (-M prepared, as sqlx does), the polygon taken by
# id from the table bench_check_queries, and as_of and the buffer bound as parameters as the service does.
# wrk (Debian) drives the service with bench/checks.lua; both get 16 connections and 2 client threads.
set -euo pipefail
cd "$(dirname "$0")/.."
# The commit the run starts at (the report is written at the end, when HEAD may have moved on).
COMMIT=$(git rev-parse --short HEAD)

DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-4}
UNITS=${UNITS:-200000}
PARCELS=${PARCELS:-1000}
NQ=${NQ:-1000}
BENCH_DB=${BENCH_DB:-landguard_bench_checks}
PORT=${PORT:-18181}
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
OUT=${OUT:-bench/results/checks-$(date -u +%Y%m%dT%H%M%SZ).md}
BASELINE_BIN=${BASELINE_BIN:-}
WORK=$(mktemp -d /tmp/landguard-checks.XXXXXX)
LG_PID= BASE_PID=

cleanup() {
    if [ -n "$LG_PID" ]; then kill "$LG_PID" 2>/dev/null || true; wait "$LG_PID" 2>/dev/null || true; fi
    if [ -n "$BASE_PID" ]; then kill "$BASE_PID" 2>/dev/null || true; wait "$BASE_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo ">> $*" >&2; }

command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null; }
command -v pgbench >/dev/null || { echo "pgbench (postgresql-contrib / postgresql-15) is needed" >&2; exit 1; }
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
BENCH_URL="${BASE_URL%/*}/$BENCH_DB"
ADMIN_URL="${BASE_URL%/*}/postgres"

# --- data: generated once, reused while it has the size asked for
have=$(psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")
meta=
[ "$have" = 1 ] && meta=$(psql "$BENCH_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if ! echo "$meta" | grep -q "\"units\" : $UNITS, \"parcels\" : $PARCELS,"; then
    LANDGUARD_BIN=$LANDGUARD_BIN bash bench/gen.sh --db "$BENCH_DB" --units "$UNITS" --parcels "$PARCELS" --recreate >&2
fi
# checks are answered inside the county outlines only (a bench database made before they existed gets them here)
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" migrate >&2
DATABASE_URL="$BENCH_URL" "$LANDGUARD_BIN" counties-load fixtures/counties.geojson >&2
psql "$BENCH_URL" -q -v n="$NQ" -f bench/checks_queries.sql 2>/dev/null
read -r N_UNITS N_PARCELS <<<"$(psql "$BENCH_URL" -At -F ' ' -c "SELECT
    (SELECT count(*) FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL),
    (SELECT count(*) FROM construction_parcel_versions WHERE valid_to IS NULL AND superseded_at IS NULL)")"
say "$N_UNITS current farmland units, $N_PARCELS current parcels, $NQ query polygons"

# --- request bodies (service) and the bare statement (pgbench), from the same polygons
psql "$BENCH_URL" -At -c "SELECT json_build_object('geometry', geojson::json, 'proposed_use', '070101',
    'use_code_system', 'ydyh2023')::text FROM bench_check_queries ORDER BY id" > "$WORK/rezoning.txt"
psql "$BENCH_URL" -At -c "SELECT json_build_object('geometry', geojson::json, 'project_kind', 'heavy_metal')::text
    FROM bench_check_queries ORDER BY id" > "$WORK/eia.txt"
{
    echo "\\set id random(1, $NQ)"
    sed -e 's/--.*$//' src/store/sql/check_facts.sql \
        | sed -e 's/\$1/(SELECT geojson FROM bench_check_queries WHERE id = :id)/g' -e 's/\$2/:asof::date/g' -e 's/\$3/:buf::float8/g'
    echo ";"
} > "$WORK/check_facts.pgbench"
ASOF=$(date -u -d '+8 hours' +%F)   # the service's "today" is the date in China (UTC+8)

# --- the service
DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=$CONNS RUST_LOG=warn \
    "$LANDGUARD_BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
LG_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
BASE_PORT=$((PORT + 1))
if [ -n "$BASELINE_BIN" ]; then
    DATABASE_URL="$BENCH_URL" LANDGUARD_POOL_SIZE=$CONNS RUST_LOG=warn \
        "$BASELINE_BIN" serve --bind "127.0.0.1:$BASE_PORT" >"$WORK/baseline.log" 2>&1 &
    BASE_PID=$!
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$BASE_PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:$BASE_PORT/health" >/dev/null || { cat "$WORK/baseline.log" >&2; exit 1; }
fi

# decisions over a sample, to show that the polygons ask real questions
DECISIONS=""
for kind in rezoning eia; do
    path=/checks/rezoning; [ "$kind" = eia ] && path=/checks/eia-site
    d=$(awk 'NR % 20 == 1' "$WORK/$kind.txt" | while IFS= read -r body; do
        curl -fsS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT$path" | grep -o '"decision":"[a-z]*"' | head -1
    done | sort | uniq -c | awk '{gsub(/"decision":|"/, "", $2); printf "%s %s, ", $1, $2}')
    DECISIONS+="$kind: ${d%, }; "
done
say "sample decisions: $DECISIONS"

# --- bare + receipt: the receipt statement, then the INSERT of an answer of the service's own (one of each kind,
# kept in bench_answer_sample), under a fresh random id, committed on its own as the service's is. `answer || ''`
# makes it a new value, as the service's bound text is: the sample's stored value is compressed already, and
# PostgreSQL would keep it as it is, skipping the compression an answer sent by the service goes through.
psql "$BENCH_URL" -qc "CREATE TABLE IF NOT EXISTS bench_answer_sample (kind text PRIMARY KEY, answer text NOT NULL)"
for kind in rezoning eia; do
    path=/checks/rezoning k=rezoning; [ "$kind" = eia ] && path=/checks/eia-site k=eia-site
    while IFS= read -r body; do
        curl -fsS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT$path" > "$WORK/answer-$kind.json" 2>/dev/null && break
    done < "$WORK/$kind.txt"
    psql "$BENCH_URL" -q -v k="$k" -v a="$(cat "$WORK/answer-$kind.json")" <<'SQL'
INSERT INTO bench_answer_sample VALUES (:'k', :'a') ON CONFLICT (kind) DO UPDATE SET answer = EXCLUDED.answer;
SQL
    {
        echo "\\set id random(1, $NQ)"
        python3 - <<'PY'
import re
strip = lambda t: re.sub(r"--.*", "", t)
facts = strip(open("src/store/sql/check_facts.sql").read()).strip().rstrip(";")
sql = strip(open("src/store/sql/check_receipt_facts.sql").read()).replace("{check_facts}", facts)
sql = sql.replace("$1", "(SELECT geojson FROM bench_check_queries WHERE id = :id)").replace("$2", ":asof::date").replace("$3", ":buf::float8")
print(" ".join(sql.split()) + ";")
PY
        echo "INSERT INTO check_answers (id, kind, answer, asked_by) SELECT md5(random()::text || clock_timestamp()::text), kind, answer || '', NULL FROM bench_answer_sample WHERE kind = '$k';"
    } > "$WORK/receipt-$kind.pgbench"
done
ANSWER_BYTES="rezoning $(wc -c < "$WORK/answer-rezoning.json") B, eia-site $(wc -c < "$WORK/answer-eia.json") B"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_service() { # kind duration conns threads [port pid] -> RESULT line (+ cpu ms per request)
    local kind=$1 dur=$2 c=$3 t=$4 port=${5:-$PORT} pid=${6:-$LG_PID} path=/checks/rezoning
    [ "$kind" = eia ] && path=/checks/eia-site
    local t0 t1 line reqs
    t0=$(cpu_ticks "$pid")
    line=$(BODIES="$WORK/$kind.txt" CHECK_PATH=$path wrk -t"$t" -c"$c" -d"${dur}s" --timeout 10s -s bench/checks.lua \
        "http://127.0.0.1:$port" | grep '^RESULT')
    t1=$(cpu_ticks "$pid")
    reqs=$(echo "$line" | sed -E 's/.*requests=([0-9]+).*/\1/')
    echo "$line cpu_ms=$(echo "scale=3; ($t1 - $t0) * 1000 / $(getconf CLK_TCK) / ($reqs + 0.000001)" | bc)"
}

run_bare() { # kind duration conns threads [pgbench script] -> "RESULT rps=.. p50=.. p99=.."
    local kind=$1 dur=$2 c=$3 t=$4 script=${5:-$WORK/check_facts.pgbench} buf=0 tps
    [ "$kind" = eia ] && buf=1000
    rm -f "$WORK"/pgb*
    tps=$(cd "$WORK" && pgbench -n -M prepared -c "$c" -j "$t" -T "$dur" -D asof="$ASOF" -D buf="$buf" \
        -f "$script" -l --log-prefix=pgb "$BENCH_URL" 2>/dev/null \
        | sed -nE 's/^tps = ([0-9.]+) .*without initial.*/\1/p')
    cat "$WORK"/pgb* | awk '{print $3 / 1000}' | sort -n > "$WORK/lat.txt"
    local n p50 p99
    n=$(wc -l < "$WORK/lat.txt")
    p50=$(sed -n "$(( (n * 50 + 99) / 100 ))p" "$WORK/lat.txt")
    p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/lat.txt")
    echo "RESULT rps=$tps p50=$p50 p99=$p99 requests=$n"
}

field() { echo "$1" | sed -E "s/.*$2=([0-9.]+).*/\1/"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up (5 s each)"
for kind in rezoning eia; do
    run_service "$kind" 5 "$CONNS" 2 >/dev/null; run_bare "$kind" 5 "$CONNS" 2 >/dev/null
    [ -z "$BASELINE_BIN" ] || run_service "$kind" 5 "$CONNS" 2 "$BASE_PORT" "$BASE_PID" >/dev/null
    run_bare "$kind" 5 "$CONNS" 2 "$WORK/receipt-$kind.pgbench" >/dev/null
done

declare -A SVC BARE RCPT BASE
SIDES="service bare receipt"
[ -z "$BASELINE_BIN" ] || SIDES="service baseline bare receipt"
for r in $(seq 1 "$ROUNDS"); do
    for kind in rezoning eia; do
        # odd rounds run the service first, even rounds last
        for who in $([ $((r % 2)) = 1 ] && echo "$SIDES" || echo "$SIDES" | tr ' ' '\n' | tac); do
            if [ "$who" = baseline ]; then
                say "round $r, $kind: baseline ($DURATION s, $CONNS connections)"
                BASE[$kind,$r]=$(run_service "$kind" "$DURATION" "$CONNS" 2 "$BASE_PORT" "$BASE_PID")
                say "  ${BASE[$kind,$r]}"
            elif [ "$who" = service ]; then
                say "round $r, $kind: service ($DURATION s, $CONNS connections)"
                SVC[$kind,$r]=$(run_service "$kind" "$DURATION" "$CONNS" 2)
                say "  ${SVC[$kind,$r]}"
            elif [ "$who" = bare ]; then
                say "round $r, $kind: bare check_facts.sql through pgbench ($DURATION s, $CONNS connections)"
                BARE[$kind,$r]=$(run_bare "$kind" "$DURATION" "$CONNS" 2)
                say "  ${BARE[$kind,$r]}"
            else
                say "round $r, $kind: bare + receipt through pgbench ($DURATION s, $CONNS connections)"
                RCPT[$kind,$r]=$(run_bare "$kind" "$DURATION" "$CONNS" 2 "$WORK/receipt-$kind.pgbench")
                say "  ${RCPT[$kind,$r]}"
            fi
        done
    done
done
say "one client, 10 s each: latency without queueing"
for kind in rezoning eia; do
    SVC[$kind,1c]=$(run_service "$kind" 10 1 1)
    [ -z "$BASELINE_BIN" ] || BASE[$kind,1c]=$(run_service "$kind" 10 1 1 "$BASE_PORT" "$BASE_PID")
    BARE[$kind,1c]=$(run_bare "$kind" 10 1 1)
    RCPT[$kind,1c]=$(run_bare "$kind" 10 1 1 "$WORK/receipt-$kind.pgbench")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report
mkdir -p "$(dirname "$OUT")"
{
    echo "### Checks: service vs bare SQL ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, PostgreSQL $(psql "$BENCH_URL" -Atc 'SHOW server_version' | cut -d' ' -f1) (shared_buffers $(psql "$BENCH_URL" -Atc 'SHOW shared_buffers')); load average before $LOAD_BEFORE, after $LOAD_AFTER."
    echo "landguard: $COMMIT (release build), pool of $CONNS connections; wrk -t2 -c$CONNS -d${DURATION}s (bench/checks.lua); pgbench -M prepared -c$CONNS -j2 -T$DURATION."
    echo "Data: $N_UNITS current farmland units, $N_PARCELS current parcels (bench/gen.sh), $NQ query polygons (bench/checks_queries.sql)."
    echo "Sample decisions (every 20th polygon): $DECISIONS"
    echo "Bare + receipt: check_receipt_facts.sql, then the INSERT of one of the service's answers ($ANSWER_BYTES) under a fresh id, committed on its own (synchronous_commit $(psql "$BENCH_URL" -Atc 'SHOW synchronous_commit'))."
    echo
    echo "| check | round | service checks/s | service p50 / p99 ms | bare (pgbench) tx/s | bare p50 / p99 ms | bare + receipt tx/s | bare + receipt p50 / p99 ms | service / bare | service / (bare + receipt) | landguard CPU ms per check |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for kind in rezoning eia; do
        label="rezoning (070101, overlaps)"; [ "$kind" = eia ] && label="eia-site heavy_metal (1 km buffer)"
        ssum=0; bsum=0; rsum=0
        for r in $(seq 1 "$ROUNDS") 1c; do
            s=${SVC[$kind,$r]}; b=${BARE[$kind,$r]}; c=${RCPT[$kind,$r]}
            sr=$(field "$s" rps); br=$(field "$b" rps); cr=$(field "$c" rps)
            ratio=$(echo "scale=1; 100 * $sr / $br" | bc)
            ratio_r=$(echo "scale=1; 100 * $sr / $cr" | bc)
            rl=$r; [ "$r" = 1c ] && rl="1 client"
            echo "| $label | $rl | $sr | $(field "$s" p50) / $(field "$s" p99) | $br | $(field "$b" p50) / $(field "$b" p99) | $cr | $(field "$c" p50) / $(field "$c" p99) | $ratio % | $ratio_r % | $(field "$s" cpu_ms) |"
            if [ "$r" != 1c ]; then ssum=$(echo "$ssum + $sr" | bc); bsum=$(echo "$bsum + $br" | bc); rsum=$(echo "$rsum + $cr" | bc); fi
        done
        echo "| $label | **all $CONNS-client rounds** | $(echo "scale=1; $ssum / $ROUNDS" | bc) | | $(echo "scale=1; $bsum / $ROUNDS" | bc) | | $(echo "scale=1; $rsum / $ROUNDS" | bc) | | **$(echo "scale=1; 100 * $ssum / $bsum" | bc) %** | **$(echo "scale=1; 100 * $ssum / $rsum" | bc) %** | |"
    done
    echo
    echo "Non-2xx answers or socket errors in the service runs: $(for k in "${!SVC[@]}"; do field "${SVC[$k]}" non2xx; done | paste -sd+ | bc) / $(for k in "${!SVC[@]}"; do field "${SVC[$k]}" errors; done | paste -sd+ | bc)."
    if [ -n "$BASELINE_BIN" ]; then
        echo
        echo "Baseline: $BASELINE_BIN${BASELINE_NOTE:+ ($BASELINE_NOTE)}, on port $BASE_PORT over the same database, in the same rounds (order: $SIDES, reversed in even rounds)."
        echo
        echo "| check | round | service checks/s | service p50 / p99 ms | baseline checks/s | baseline p50 / p99 ms | service / baseline | service CPU ms per check | baseline CPU ms per check |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for kind in rezoning eia; do
            label="rezoning (070101, overlaps)"; [ "$kind" = eia ] && label="eia-site heavy_metal (1 km buffer)"
            ssum=0; xsum=0
            for r in $(seq 1 "$ROUNDS") 1c; do
                s=${SVC[$kind,$r]}; x=${BASE[$kind,$r]}
                sr=$(field "$s" rps); xr=$(field "$x" rps)
                rl=$r; [ "$r" = 1c ] && rl="1 client"
                echo "| $label | $rl | $sr | $(field "$s" p50) / $(field "$s" p99) | $xr | $(field "$x" p50) / $(field "$x" p99) | $(echo "scale=1; 100 * $sr / $xr" | bc) % | $(field "$s" cpu_ms) | $(field "$x" cpu_ms) |"
                if [ "$r" != 1c ]; then ssum=$(echo "$ssum + $sr" | bc); xsum=$(echo "$xsum + $xr" | bc); fi
            done
            echo "| $label | **all $CONNS-client rounds** | $(echo "scale=1; $ssum / $ROUNDS" | bc) | | $(echo "scale=1; $xsum / $ROUNDS" | bc) | | **$(echo "scale=1; 100 * $ssum / $xsum" | bc) %** | | |"
        done
        echo
        echo "Non-2xx answers or socket errors in the baseline runs: $(for k in "${!BASE[@]}"; do field "${BASE[$k]}" non2xx; done | paste -sd+ | bc) / $(for k in "${!BASE[@]}"; do field "${BASE[$k]}" errors; done | paste -sd+ | bc)."
    fi
} | tee "$OUT"
say "written to $OUT"
