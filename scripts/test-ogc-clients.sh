#!/usr/bin/env bash
# Real third-party OGC API Features clients against a running landguard over the demo data:
# GDAL's OAPIF driver (every feature of a multi-page layer, -where, -spat), QGIS's OAPIF provider (the
# same three), OWSLib, ogctests (features/core) and geojson-validator. Every verdict is read from what the
# client reports (counts compared with the database, a JUnit report), never from its exit code alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/testserver.sh
testserver_start ogc
pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAILED: $*"; fail=$((fail + 1)); }
db_count() { psql "$LG_DB" -qAt -c "SELECT count(*) FROM farmland_unit_versions v WHERE v.valid_to IS NULL AND v.superseded_at IS NULL $1"; }

# GDAL: a full pull across pages must equal the database count
out=$(mktemp -d)
export GDAL_HTTP_TIMEOUT=60
ogr2ogr -f GPKG "$out/all.gpkg" "OAPIF:$LG_URL" farmland_units 2>"$out/ogr.err" || true
got=$(ogrinfo -ro -q -sql "SELECT count(*) FROM farmland_units" "$out/all.gpkg" 2>/dev/null | awk -F'= ' '/count/ {print $2}')
want=$(db_count "")
[ -n "$got" ] && [ "$got" = "$want" ] && ok "GDAL OAPIF pulled all $want farmland units" || bad "GDAL OAPIF pulled '$got' of $want ($(head -c 300 "$out/ogr.err"))"
ogr2ogr -f GPKG "$out/where.gpkg" -oo PAGE_SIZE=1000 "OAPIF:$LG_URL" farmland_units -where "class = 'strict_control'" 2>/dev/null || true
got=$(ogrinfo -ro -q -sql "SELECT count(*) FROM farmland_units" "$out/where.gpkg" 2>/dev/null | awk -F'= ' '/count/ {print $2}')
want=$(db_count "AND class = 'strict_control'")
[ "$got" = "$want" ] && ok "GDAL -where gives $want strict_control units" || bad "GDAL -where gave '$got', want $want"
ogr2ogr -f GPKG "$out/spat.gpkg" -oo PAGE_SIZE=1000 "OAPIF:$LG_URL" farmland_units -spat 109.2 24.4 109.5 24.8 2>/dev/null || true
got=$(ogrinfo -ro -q -sql "SELECT count(*) FROM farmland_units" "$out/spat.gpkg" 2>/dev/null | awk -F'= ' '/count/ {print $2}')
want=$(db_count "AND v.geom && ST_MakeEnvelope(109.2, 24.4, 109.5, 24.8, 4490)")
[ "$got" = "$want" ] && ok "GDAL -spat gives $want units" || bad "GDAL -spat gave '$got', want $want"

# QGIS 3.22 (Debian's python3-qgis and its OAPIF provider), headless: the whole layer, a rectangle and an
# expression, as a planner loading the layer would see them
items_requests() { curl -s "$LG_URL/metrics" | awk -F'} ' '/^landguard_http_requests_total\{method="GET",route="\/collections\/\{collection\}\/items",status="2xx"\}/ {print $2}'; }
before=$(items_requests)
if q=$(/usr/bin/python3 tests/clients/qgis_oapif.py "$LG_URL" farmland_units 2>"$out/qgis.err" | tail -1) && [ -n "$q" ]; then
  qv() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$q" "$1"; }
  want=$(db_count "")
  [ "$(qv valid)" = True ] && [ "$(qv features)" = "$want" ] && [ "$(qv first_valid)" = True ] \
    && ok "QGIS $(qv qgis) loaded all $want farmland units as $(qv crs) ($(qv first_geometry), valid)" \
    || bad "QGIS: $q (want $want features)"
  want=$(db_count "AND v.geom && ST_MakeEnvelope(109.2, 24.4, 109.5, 24.8, 4490)")
  [ "$(qv rect)" = "$want" ] && ok "QGIS rectangle filter gives $want units" || bad "QGIS rectangle gave $(qv rect), want $want"
  want=$(db_count "AND class = 'strict_control'")
  [ "$(qv expr)" = "$want" ] && ok "QGIS expression filter gives $want strict_control units" || bad "QGIS expression gave $(qv expr), want $want"
  echo "   (QGIS made $(( $(items_requests) - ${before:-0} )) items requests in all)"
else
  bad "QGIS did not run: $(tail -3 "$out/qgis.err")"
fi

# OWSLib and geojson-validator, as pytest. This verdict and the next are read from the tool's JUnit report
# (junit_verdict), never from its exit code.
mkdir -p test-artifacts
bin=$(testserver_venv clients owslib pytest geojson-validator)
rm -f test-artifacts/clients.xml
"$bin/python" -m pytest -q tests/clients --junitxml=test-artifacts/clients.xml || true
if v=$(junit_verdict test-artifacts/clients.xml); then ok "OWSLib and geojson-validator (pytest tests/clients: $v)"; else bad "pytest tests/clients: $v"; fi

# ogctests, in its own environment (it needs an older httpx). It exits 0 whatever its tests found, so the
# verdict is its JUnit report (-r True writes it under $HOME/ogctestsReporting; HOME points into $out so that
# no report of an earlier run is read), and the counts it printed are shown beside it.
bin=$(testserver_venv ogctests ogctests 'httpx<0.28')
rm -f test-artifacts/ogctests.xml
HOME="$out" "$bin/python" -m ogctests -i "$LG_URL" -r True features/core >test-artifacts/ogctests.log 2>&1 || true
cp "$out"/ogctestsReporting/testrun-*.xml test-artifacts/ogctests.xml 2>/dev/null || true
printed=$(grep -E '[0-9]+ (passed|failed)' test-artifacts/ogctests.log | tail -1 | sed -E 's/^=+ *| *=+$//g' || true)
if v=$(junit_verdict test-artifacts/ogctests.xml) && ! grep -Eq '[0-9]+ (failed|error)' <<<"$printed"; then
  ok "ogctests features/core: $v (it printed: ${printed:-nothing})"
else
  bad "ogctests features/core: $v (it printed: ${printed:-nothing}; test-artifacts/ogctests.xml, test-artifacts/ogctests.log)"
fi
rm -rf "$out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
