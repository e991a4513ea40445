#!/usr/bin/env bash
# schemathesis against /api (the service's own OpenAPI document) on a real server over the demo data,
# with an editor token so that writes, transitions and checks are exercised too. Every schemathesis check
# must hold but one:
#   - no server error (5xx) and no dropped connection, whatever the generated request;
#   - every status code, content type, header and response body is the one /api documents;
#   - a request that violates /api is refused with a 4xx.
# The one left out, positive_data_acceptance, expects every schema-valid request to succeed. Many cannot:
# a valid JSON shape can still be an empty polygon, an unknown land-use code or a stale ETag, which the
# service refuses on purpose. Bounded: few
# examples per operation and a time budget (SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_MAX_TIME), so `make
# test` stays quick; raise them to search longer. SCHEMATHESIS_SEED replays a run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/testserver.sh
testserver_start schemathesis
bin=$(testserver_venv schemathesis 'schemathesis>=4,<5')
token=$(DATABASE_URL=$LG_DB target/debug/landguard token create --name schemathesis --role editor 2>/dev/null | tail -n 1)
mkdir -p test-artifacts
rm -f test-artifacts/schemathesis.xml
rc=0
# Bounded by examples and by time; one worker, so the server log reads in order.
timeout "${SCHEMATHESIS_TIMEOUT:-600}" "$bin/schemathesis" --no-color run "$LG_URL/api" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
  --max-time "${SCHEMATHESIS_MAX_TIME:-90}" \
  --phases examples,coverage,fuzzing \
  --header "Authorization: Bearer $token" \
  --request-timeout 30 \
  --workers 1 \
  --suppress-health-check all \
  --generation-database none \
  --report junit --report-junit-path test-artifacts/schemathesis.xml \
  ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
  >test-artifacts/schemathesis.log 2>&1 || rc=$?
# The failures first (which operation, the request to reproduce it), then the summary with the seed
# (SCHEMATHESIS_SEED replays a run).
sed -n '/^=* FAILURES =*$/,/^=* WARNINGS =*$/p' test-artifacts/schemathesis.log | head -n 200
tail -n 40 test-artifacts/schemathesis.log
# The verdict is schemathesis's JUnit report (one test case an operation), not its exit code alone: a run
# cut short by the timeout, or one that wrote no report, fails too.
if v=$(junit_verdict test-artifacts/schemathesis.xml) && [ "$rc" -eq 0 ]; then
  verdict=0
else
  verdict=1
  echo "FAILED: schemathesis reported $v, exit code $rc: server errors or departures from /api (test-artifacts/schemathesis.log, test-artifacts/schemathesis.xml)"
fi
if grep -q 'panicked' "test-artifacts/server-schemathesis.log"; then
  echo "FAILED: the server panicked (test-artifacts/server-schemathesis.log)"
  verdict=1
fi
echo "schemathesis: $v"
if [ "$verdict" -eq 0 ]; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$verdict"
