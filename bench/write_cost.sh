#!/usr/bin/env bash
# The write cost of a schema: one INSERT of a copy of every current farmland unit (100 000 rows on the bench
# data) into farmland_unit_versions, rolled back, by EXPLAIN ANALYZE, on each database named, in rounds that
# alternate which goes first. Reports the statement's execution time and each row trigger's time (the
# trigger that renders feature_json, migrations/20261206060001_feature_json.sql, where there is one), and
# the table's size with its indexes. Not run by the tests.
#
#   bash bench/write_cost.sh landguard_bench_pull3_base landguard_bench_pull3
#
# Settings (environment): ROUNDS (3), OUT (bench/results/write-cost-DATE.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-bench/results/write-cost-$(date -u +%Y%m%dT%H%M%SZ).txt}
BASE_URL=${DATABASE_URL:-$(bash scripts/pg.sh url | tail -n 1)}
[ $# -ge 1 ] || { echo "usage: bench/write_cost.sh DB..." >&2; exit 2; }

SQL="EXPLAIN (ANALYZE, COSTS OFF)
INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, crops_compliant,
                                    basis_doc, geom, area_m2, valid_from, recorded_by, change)
SELECT unit_code || '-w', county_code, class, land_type, measures_in_place, crops_compliant, basis_doc, geom, area_m2,
       valid_from, 'bench', 'create'
FROM farmland_unit_versions WHERE valid_to IS NULL AND superseded_at IS NULL"

mkdir -p "$(dirname "$OUT")"
{
    echo "write cost: INSERT of every current farmland unit again (new codes), rolled back; $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    for db in "$@"; do
        echo "$db: farmland_unit_versions $(psql "${BASE_URL%/*}/$db" -Atc "SELECT (SELECT count(*) FROM farmland_unit_versions) || ' rows, ' || round(pg_total_relation_size(c.oid) / 1048576.0, 1) || ' MB with indexes (heap ' || round(pg_relation_size(c.oid) / 1048576.0, 1) || ' MB, TOAST ' || round(coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) / 1048576.0, 1) || ' MB)' FROM pg_class c WHERE c.oid = 'farmland_unit_versions'::regclass")"
    done
    dbs=("$@")
    for r in $(seq 1 "$ROUNDS"); do
        order=("${dbs[@]}")
        if [ $((r % 2)) = 0 ]; then mapfile -t order < <(printf '%s\n' "${dbs[@]}" | tac); fi
        for db in "${order[@]}"; do
            out=$(psql "${BASE_URL%/*}/$db" -X -q -At -c "BEGIN" -c "$SQL" -c "ROLLBACK")
            echo "round $r $db: $(echo "$out" | grep -E '^(Trigger|Execution Time)' | paste -sd';' | sed 's/;/; /g')"
        done
    done
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
echo ">> written to $OUT" >&2
