#!/usr/bin/env bash
# The annual report for a city of 10^6 farmland units (issue 17: built in under 60 s).
#
#   bash bench/report.sh                      # 10^6 units in Liuzhou, report for 4502, 2025
#   UNITS=100000 bash bench/report.sh         # a smaller city
#
# The data: bench/gen.sh (the generator every bench uses: generate_series and PostGIS, deterministic in the
# seed) into a database of its own, landguard_bench_report_N, with Liuzhou's county outlines alone so that
# all N units (and N/200 construction parcels, every lifecycle state) are in one city; the county outlines
# are loaded for the report's map. Kept between runs (KEEP=1 reuses it when it holds the generated data).
# Then `landguard report annual --city 4502 --year YEAR` is timed writing HTML, XLSX and (when Chromium is
# there) PDF, ROUNDS times each; the raw output goes to bench/results/report-DATE.txt (and is printed).
# Settings: UNITS (1000000), YEAR (2025), ROUNDS (3), KEEP (1), LANDGUARD_BIN (target/release/landguard,
# built when missing), OUT. Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

UNITS=${UNITS:-1000000}
YEAR=${YEAR:-2025}
ROUNDS=${ROUNDS:-3}
KEEP=${KEEP:-1}
CITY=4502
DB=landguard_bench_report_$UNITS
LANDGUARD_BIN=${LANDGUARD_BIN:-target/release/landguard}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-bench/results/report-$STAMP.txt}
WORK=$(mktemp -d /tmp/landguard-report-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
say() { echo ">> $*" >&2; }

BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
DB_URL="${BASE_URL%/*}/$DB"
if [ ! -x "$LANDGUARD_BIN" ]; then
    say "cargo build --release"
    cargo build --release --bin landguard >&2
fi

# Liuzhou's county outlines alone: the generator fills the counties it is given.
python3 - "$WORK/liuzhou.geojson" <<'PY'
import json, sys
fc = json.load(open("fixtures/counties.geojson"))
fc["features"] = [f for f in fc["features"] if str(f.get("id", "")).startswith("4502")]
json.dump(fc, open(sys.argv[1], "w"), ensure_ascii=False)
PY

have=$(psql "$DB_URL" -Atc "SELECT value FROM landguard_meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if [ "$KEEP" = 1 ] && [ -n "$have" ]; then
    say "reusing $DB ($have)"
    GEN="reused"
else
    GEN=$(DATABASE_URL="$BASE_URL" LANDGUARD_BIN="$LANDGUARD_BIN" bash bench/gen.sh --db "$DB" --units "$UNITS" \
        --counties "$WORK/liuzhou.geojson" --recreate | tail -n 1)
    DATABASE_URL="$DB_URL" "$LANDGUARD_BIN" counties-load "$WORK/liuzhou.geojson" >&2
fi

{
    echo "# landguard report annual --city $CITY --year $YEAR over $DB"
    echo "date: $(date -u +%FT%TZ); landguard $(git rev-parse --short HEAD) ($LANDGUARD_BIN); generation: $GEN"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
    psql "$DB_URL" -X -At -F ' ' <<SQL
SELECT 'farmland units in $CITY (current rows):', count(*) FROM farmland_unit_versions
 WHERE county_code LIKE '$CITY%' AND valid_to IS NULL AND superseded_at IS NULL;
SELECT 'farmland version rows:', count(*) FROM farmland_unit_versions;
SELECT 'construction parcels (current):', count(*) FROM construction_parcel_versions WHERE valid_to IS NULL AND superseded_at IS NULL;
SELECT 'database size:', pg_size_pretty(pg_database_size(current_database()));
SQL
    formats="html xlsx"
    if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then formats="$formats pdf"; fi
    for round in $(seq 1 "$ROUNDS"); do
        for f in $formats; do
            out="$WORK/report-$round.$f"
            t0=$(date +%s.%N)
            DATABASE_URL="$DB_URL" "$LANDGUARD_BIN" report annual --city "$CITY" --year "$YEAR" "$out" 2>"$WORK/err"
            t1=$(date +%s.%N)
            printf 'round %s %-4s %6.2f s  %8d bytes\n' "$round" "$f" "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$out")"
        done
    done
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
say "written to $OUT"
